import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * An explicitly idempotent producer (enable.idempotence=true, acks=all, five
 * requests in flight per connection, retries unbounded within the delivery
 * timeout) sending COUNT records whose key and value are their sequence
 * number, record i to partition i % PARTITIONS, at RATE records per second
 * (0: as fast as it can). Prints, from the delivery callback, one line per
 * record:
 *
 *   ACK <seq> <partition> <offset>
 *   FAIL <seq> <exception class>: <message>
 *
 * then "DONE <acked> <failed>"; exits 0 when every record was acknowledged.
 * The chaos tests run it for minutes while they kill servers, and compare
 * the acknowledged offsets with what the log holds.
 *
 * Usage: IdempotentProducer BOOTSTRAP TOPIC PARTITIONS COUNT [RATE] [DELIVERY_TIMEOUT_MS]
 */
public final class IdempotentProducer {
    public static void main(String[] args) throws Exception {
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        double rate = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        String deliveryTimeout = args.length > 5 ? args[5] : "60000";

        Properties props = TestClients.producerProps(args[0], Long.parseLong(deliveryTimeout));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        props.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Small batches, so that five of them are really in flight at once.
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "512");

        AtomicInteger acked = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < count; i++) {
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                final int seq = i;
                String v = Integer.toString(seq);
                producer.send(new ProducerRecord<>(topic, seq % partitions, v, v), (md, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                        println("ACK " + seq + " " + md.partition() + " " + md.offset());
                    } else {
                        failed.incrementAndGet();
                        println("FAIL " + seq + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                });
            }
            producer.flush();
        }
        println("DONE " + acked.get() + " " + failed.get());
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    /** Callbacks run on the producer's I/O thread: one line at a time, flushed. */
    static synchronized void println(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
