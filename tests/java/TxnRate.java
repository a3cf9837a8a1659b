import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Small transactions back to back, as bench/transactions.py measures them
 * with librdkafka: each writes one record to each of PARTITIONS partitions
 * of TOPIC and commits an offset for GROUP (sendOffsetsToTransaction), then
 * commits. The Java 4.x client runs them with transaction version 2 when
 * the gateway finalizes it. After WARMUP untimed transactions, prints
 *
 *   TXN_PER_S <transactions per second over COUNT transactions>
 *
 * Usage: TxnRate BOOTSTRAP TOPIC PARTITIONS GROUP TRANSACTIONAL_ID WARMUP COUNT
 */
public final class TxnRate {
    public static void main(String[] args) throws Exception {
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        ConsumerGroupMetadata group = groupMetadata(args[0], args[3]);
        int warmup = Integer.parseInt(args[5]);
        int count = Integer.parseInt(args[6]);
        Properties props = TestClients.transactionalProps(args[0], args[4], 60000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            for (int i = 0; i < warmup; i++) {
                oneTransaction(producer, topic, partitions, group, i);
            }
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                oneTransaction(producer, topic, partitions, group, warmup + i);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println("TXN_PER_S " + (count / seconds));
        }
    }

    /** The group as a consumer that never joins sees it: a simple group (no generation, no member). */
    private static ConsumerGroupMetadata groupMetadata(String bootstrap, String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            return consumer.groupMetadata();
        }
    }

    private static void oneTransaction(KafkaProducer<String, String> producer, String topic, int partitions,
                                       ConsumerGroupMetadata group, int n) {
        producer.beginTransaction();
        for (int p = 0; p < partitions; p++) {
            producer.send(new ProducerRecord<>(topic, p, Integer.toString(p), "txn-" + n));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        offsets.put(new TopicPartition(topic, 0), new OffsetAndMetadata(n + 1));
        producer.sendOffsetsToTransaction(offsets, group);
        producer.commitTransaction();
    }
}
