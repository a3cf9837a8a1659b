import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Consume-transform-produce with transactions, the exactly-once loop of
 * Kafka's documentation: a read_committed group member of GROUP subscribed
 * to IN, and a transactional producer (TRANSACTIONAL_ID) copying each input
 * record to the same partition of OUT (value "<in partition>:<in offset>:<in
 * value>"), committing the group's offsets with sendOffsetsToTransaction in
 * the same transaction.
 *
 * MODE "once-commit" / "once-abort": one transaction over everything the
 * first polls return (until IN's end offsets are reached), then commit or
 * abort, and exit. MODE "loop": transactions of at most max.poll.records
 * records until the group's position reaches IN's end offsets on every
 * partition, or until DEADLINE_MS; an abortable error aborts the transaction
 * and rewinds the consumer to the last committed offsets; fencing
 * (ProducerFencedException, another producer took TRANSACTIONAL_ID) prints
 * "FENCED" and exits 3.
 *
 * Prints "OPEN <records>" once a transaction's records and offsets are sent,
 * "COMMITTED <records>", "ABORTED <records> <why>", and finally "DONE
 * <records copied in committed transactions>".
 *
 * PAUSE_MS: a sleep inside each transaction, after OPEN and before the
 * commit, so that a chaos test's faults fall on open transactions, and a
 * test can freeze the program (SIGSTOP) while it holds one. MIN_INPUT: "loop" goes on, even at IN's end,
 * until IN holds at least that many records in all (more may come later).
 *
 * Usage: TxnCopy BOOTSTRAP IN OUT GROUP TRANSACTIONAL_ID MODE DEADLINE_MS [PAUSE_MS [MIN_INPUT]]
 */
public final class TxnCopy {
    static String bootstrap;
    static String transactionalId;

    public static void main(String[] args) throws Exception {
        bootstrap = args[0];
        String in = args[1];
        String out = args[2];
        String group = args[3];
        transactionalId = args[4];
        String mode = args[5];
        long deadline = System.currentTimeMillis() + Long.parseLong(args[6]);
        long pauseMs = args.length > 7 ? Long.parseLong(args[7]) : 0;
        long minInput = args.length > 8 ? Long.parseLong(args[8]) : 0;

        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(group));
        KafkaProducer<String, String> producer = newProducer();
        consumer.subscribe(List.of(in));
        long copied = 0;
        try {
            while (System.currentTimeMillis() < deadline) {
                Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
                if (!consumer.assignment().isEmpty() && consumer.assignment().size() == partitionCount(consumer, in)
                        && reached(consumer, end) && (copied > 0 || !mode.equals("loop"))
                        && end.values().stream().mapToLong(Long::longValue).sum() >= minInput) {
                    break;
                }
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                if (mode.startsWith("once")) {
                    // Gather everything up to the end offsets into the one transaction.
                    records = drain(consumer, records);
                }
                try {
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        producer.send(new ProducerRecord<>(out, r.partition(), r.key(),
                                r.partition() + ":" + r.offset() + ":" + r.value()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    println("OPEN " + records.count());
                    if (pauseMs > 0) {
                        Thread.sleep(pauseMs);
                    }
                    if (mode.equals("once-abort")) {
                        // abortTransaction drops what is not sent yet: flush first, so the
                        // aborted records are in the log for the test to find unreadable.
                        producer.flush();
                        producer.abortTransaction();
                        println("ABORTED " + records.count() + " asked");
                        break;
                    }
                    commit(producer, deadline);
                    copied += records.count();
                    println("COMMITTED " + records.count());
                    if (mode.equals("once-commit")) {
                        break;
                    }
                } catch (ProducerFencedException | FencedInstanceIdException e) {
                    println("FENCED " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    System.exit(3);
                } catch (KafkaException | IllegalStateException e) {
                    println("ABORTED " + records.count() + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    producer = recover(producer);
                    rewind(consumer);
                }
            }
        } finally {
            println("DONE " + copied);
            producer.close(Duration.ofSeconds(5));
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /**
     * A commit that timed out must be retried (the outcome is unknown, and
     * the producer refuses anything else until it knows).
     */
    static void commit(KafkaProducer<String, String> producer, long deadline) {
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                println("RETRY commit after " + e.getMessage());
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
            }
        }
    }

    static int partitionCount(KafkaConsumer<String, String> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
    }

    static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Polls on until every assigned partition's position reached its end offset. */
    static ConsumerRecords<String, String> drain(KafkaConsumer<String, String> consumer,
                                                 ConsumerRecords<String, String> first) {
        Map<TopicPartition, List<ConsumerRecord<String, String>>> all = new HashMap<>();
        ConsumerRecords<String, String> batch = first;
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        long until = System.currentTimeMillis() + 30000;
        while (true) {
            for (TopicPartition tp : batch.partitions()) {
                all.computeIfAbsent(tp, k -> new java.util.ArrayList<>()).addAll(batch.records(tp));
            }
            if (reached(consumer, end) || System.currentTimeMillis() > until) {
                break;
            }
            batch = consumer.poll(Duration.ofMillis(200));
        }
        return new ConsumerRecords<>(all, Map.of());
    }

    /** After an abortable error: abort; if the producer cannot go on, a new one (same id). */
    static KafkaProducer<String, String> recover(KafkaProducer<String, String> producer) {
        try {
            producer.abortTransaction();
            return producer;
        } catch (ProducerFencedException e) {
            println("FENCED " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(3);
        } catch (KafkaException | IllegalStateException e) {
            println("RESTART producer after " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        producer.close(Duration.ofSeconds(5));
        return newProducer();
    }

    /** Back to the group's committed offsets: what the aborted transaction read is read again. */
    static void rewind(KafkaConsumer<String, String> consumer) {
        Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(30));
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata om = committed.get(tp);
            if (om == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, om.offset());
            }
        }
    }

    static KafkaProducer<String, String> newProducer() {
        Properties props = TestClients.transactionalProps(bootstrap, transactionalId, 60000);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "20000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        producer.initTransactions();
        return producer;
    }

    static Properties consumerProps(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }

    static synchronized void println(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
