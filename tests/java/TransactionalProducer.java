import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A transactional producer running one transaction per ACTION, each writing
 * one record to every partition of TOPIC (key = partition, value =
 * "<tag>-<partition>") and then committing or aborting. An action is
 * "commit:TAG" or "abort:TAG". Prints
 *
 *   SENT <tag> <partition> <offset>     (once the record is in the log, before the end of its transaction)
 *   COMMITTED <tag> | ABORTED <tag>
 *
 * and exits 0; any failure escapes and exits 1.
 *
 * Usage: TransactionalProducer BOOTSTRAP TOPIC PARTITIONS TRANSACTIONAL_ID ACTION...
 */
public final class TransactionalProducer {
    public static void main(String[] args) throws Exception {
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        Properties props = TestClients.transactionalProps(args[0], args[3], 30000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            for (int a = 4; a < args.length; a++) {
                String[] action = args[a].split(":", 2);
                String tag = action[1];
                producer.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, p, Integer.toString(p), tag + "-" + p)));
                }
                for (Future<RecordMetadata> f : sent) {
                    RecordMetadata md = f.get();
                    System.out.println("SENT " + tag + " " + md.partition() + " " + md.offset());
                }
                switch (action[0]) {
                    case "commit":
                        producer.commitTransaction();
                        System.out.println("COMMITTED " + tag);
                        break;
                    case "abort":
                        producer.abortTransaction();
                        System.out.println("ABORTED " + tag);
                        break;
                    default:
                        throw new IllegalArgumentException("action " + args[a]);
                }
                System.out.flush();
            }
        }
    }
}
