import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Zombie fencing: two producers with the same transactional.id. The first
 * (the zombie) opens a transaction and writes "zombie-1"; the second calls
 * initTransactions, which bumps the epoch and aborts the zombie's open
 * transaction, then commits "live-1". The zombie then writes "zombie-2" and
 * tries to commit: it must be refused with ProducerFencedException (on the
 * send, the commit, or the abort that follows an abortable error). Prints
 * every exception the zombie saw ("ZOMBIE <step> <class>: <message>") and
 * "FENCED" or "NOT FENCED"; exits 0 only when fenced.
 *
 * Usage: ZombieFencing BOOTSTRAP TOPIC TRANSACTIONAL_ID
 */
public final class ZombieFencing {
    public static void main(String[] args) throws Exception {
        String topic = args[1];
        try (KafkaProducer<String, String> zombie = new KafkaProducer<>(TestClients.transactionalProps(args[0], args[2], 30000));
             KafkaProducer<String, String> live = new KafkaProducer<>(TestClients.transactionalProps(args[0], args[2], 30000))) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>(topic, 0, "z", "zombie-1")).get();
            System.out.println("ZOMBIE wrote zombie-1");

            live.initTransactions();
            live.beginTransaction();
            live.send(new ProducerRecord<>(topic, 0, "l", "live-1")).get();
            live.commitTransaction();
            System.out.println("LIVE committed live-1");

            boolean fenced = false;
            try {
                zombie.send(new ProducerRecord<>(topic, 0, "z", "zombie-2")).get();
                zombie.commitTransaction();
            } catch (Exception e) {
                fenced = report("send/commit", e);
                if (!fenced) {
                    try {
                        zombie.abortTransaction();
                    } catch (Exception e2) {
                        fenced = report("abort", e2);
                    }
                }
            }
            System.out.println(fenced ? "FENCED" : "NOT FENCED");
            System.out.flush();
            System.exit(fenced ? 0 : 1);
        }
    }

    /** Prints the exception; true when it, or one of its causes, is ProducerFencedException. */
    static boolean report(String step, Throwable e) {
        System.out.println("ZOMBIE " + step + " " + e.getClass().getName() + ": " + e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }
}
