import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The first program of Kafka's Java tutorial: a KafkaProducer with nothing
 * but the bootstrap servers and serializers set, so the kafka-clients 4.x
 * defaults apply (enable.idempotence=true, acks=all): the client asks for a
 * producer id (InitProducerId) before its first send and stamps sequence
 * numbers on every batch. Sends one record, waits for it, prints where it
 * went and exits 0; any failure escapes and exits 1.
 *
 * Usage: TutorialProducer BOOTSTRAP TOPIC
 */
public final class TutorialProducer {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // Bounded: a broker that never answers InitProducerId fails the send
        // instead of blocking for the default minute per step.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            RecordMetadata md = producer.send(new ProducerRecord<>(args[1], "hello", "world")).get();
            System.out.println("ACK " + md.partition() + " " + md.offset());
        }
    }
}
