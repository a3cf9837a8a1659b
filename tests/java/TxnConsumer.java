import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads every partition of TOPIC from the beginning to its end offset as seen
 * under ISOLATION (read_committed: the last stable offset; read_uncommitted:
 * the high watermark), with assign() and no group, and prints
 *
 *   END <partition> <end offset>
 *   REC <partition> <offset> <key> <value>
 *
 * Exits 0 once every partition's position reached its end offset, 2 if not
 * within TIMEOUT_MS.
 *
 * Usage: TxnConsumer BOOTSTRAP TOPIC read_committed|read_uncommitted TIMEOUT_MS
 */
public final class TxnConsumer {
    public static void main(String[] args) throws Exception {
        Properties props = TestClients.consumerProps(args[0]);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, args[2]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(args[1], Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            for (TopicPartition tp : parts) {
                System.out.println("END " + tp.partition() + " " + end.get(tp));
            }
            while (!reachedEnd(consumer, parts, end)) {
                if (System.currentTimeMillis() > deadline) {
                    System.out.println("TIMEOUT");
                    System.exit(2);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    System.out.println("REC " + r.partition() + " " + r.offset() + " " + r.key() + " " + r.value());
                }
            }
        }
        System.out.flush();
    }

    static boolean reachedEnd(KafkaConsumer<String, String> consumer, List<TopicPartition> parts,
                              Map<TopicPartition, Long> end) {
        for (TopicPartition tp : parts) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }
}
