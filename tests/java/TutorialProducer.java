import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

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
        // Nothing about idempotence or acks: the defaults are the point.
        // (Timeouts only bound a broker that never answers.)
        Properties props = TestClients.producerProps(args[0], 30000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            RecordMetadata md = producer.send(new ProducerRecord<>(args[1], "hello", "world")).get();
            System.out.println("ACK " + md.partition() + " " + md.offset());
        }
    }
}
