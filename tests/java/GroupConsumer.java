import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A member of GROUP (classic protocol) subscribed to TOPIC from the earliest
 * offset, committing synchronously after each poll, until STOP_FILE exists.
 * Prints, flushed:
 *
 *   ASSIGNED <partition>...      after each rebalance
 *   REC <partition> <offset> <value>
 *
 * Its fetches are the Java client's: incremental fetch sessions (KIP-227)
 * against a broker that grants them.
 *
 * Usage: GroupConsumer BOOTSTRAP TOPIC GROUP STOP_FILE
 */
public final class GroupConsumer {
    public static void main(String[] args) throws Exception {
        Properties props = TestClients.consumerProps(args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Path stop = Path.of(args[3]);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args[1]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    consumer.commitSync();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    StringBuilder line = new StringBuilder("ASSIGNED");
                    for (TopicPartition tp : consumer.assignment()) {
                        line.append(' ').append(tp.partition());
                    }
                    System.out.println(line);
                    System.out.flush();
                }
            });
            while (!Files.exists(stop)) {
                boolean any = false;
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    System.out.println("REC " + r.partition() + " " + r.offset() + " " + r.value());
                    any = true;
                }
                System.out.flush();
                if (any) {
                    consumer.commitSync();
                }
            }
        }
    }
}
