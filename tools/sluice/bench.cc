// sluice bench produce|consume (transactions: bench_transactions.cc): throughput and latency against a running
// cluster, in the spirit of kafka-producer-perf-test / consumer-perf-test.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tools/sluice/bench_topic.h"
#include "tools/sluice/cli_args.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/json_writer.h"
#include "tools/sluice/kafka_client.h"
#include "tools/sluice/latency_stats.h"

namespace sluice::tools {

namespace {

using clock = std::chrono::steady_clock;

double seconds_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct bench_args {
  client_options client;
  std::string topic;
  std::int64_t records = 100000;
  int record_size = 100;
  std::string acks = "1";
  int partitions = 3;
  int replication_factor = -1;     // -1: the cluster default
  int min_insync_replicas = -1;    // -1: the cluster default
  int timeout_ms = 10000;
  double throughput = 0;  // records/s the producer is held to; 0 = as fast as possible
  bool json = false;
};

// Per-record send times, indexed by the record number carried as the
// message opaque; the delivery callback turns them into latencies.
struct produce_tally {
  std::vector<clock::time_point> sent;
  std::vector<double> latencies_ms;
  std::uint64_t failed = 0;
  std::string first_error;
  clock::time_point last_delivery{};
};

void on_bench_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* t = static_cast<produce_tally*>(opaque);
  auto now = clock::now();
  t->last_delivery = now;
  if (msg->err) {
    if (t->failed++ == 0) t->first_error = kafka_error_text(msg->err);
    return;
  }
  auto index = reinterpret_cast<std::uintptr_t>(msg->_private);
  t->latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - t->sent[index]).count());
}

int run_bench_produce(const bench_args& a) {
  auto acks = parse_acks(a.acks);
  if (!acks) return fail(acks.error());
  produce_tally tally;
  tally.sent.resize(static_cast<size_t>(a.records));
  tally.latencies_ms.reserve(static_cast<size_t>(a.records));
  // Throughput settings: batch for a few ms, large batches, deep queues.
  auto rk = make_client(RD_KAFKA_PRODUCER, a.client,
                        {{"acks", acks.value()},
                         {"linger.ms", "5"},
                         {"batch.size", "1048576"},
                         {"batch.num.messages", "100000"},
                         {"queue.buffering.max.messages", "2000000"},
                         {"queue.buffering.max.kbytes", "2097152"},
                         {"message.timeout.ms", "60000"}},
                        on_bench_delivery, &tally);
  if (!rk) return fail(rk.error());
  rd_kafka_t* producer = rk.value().get();
  auto partitions = ensure_topic(producer, {a.topic, a.partitions, a.replication_factor, a.min_insync_replicas},
                                 a.client.timeout_ms);
  if (!partitions) return fail(partitions.error());

  // Printable filler, different per position so compression (if a user
  // turns it on with -X) does not make the numbers meaningless.
  std::string payload(static_cast<size_t>(a.record_size), 'x');
  std::uint32_t seed = 2463534242u;
  for (auto& c : payload) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    c = static_cast<char>('A' + seed % 26);
  }

  auto start = clock::now();
  for (std::int64_t i = 0; i < a.records; ++i) {
    if (a.throughput > 0) {
      // Paced sends measure latency at a given load; unpaced ones measure
      // mostly the time records wait in librdkafka's queue.
      auto due = start + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / a.throughput));
      if (clock::now() < due) {
        rd_kafka_poll(producer, 0);
        std::this_thread::sleep_until(due);
      }
    }
    for (;;) {
      tally.sent[static_cast<size_t>(i)] = clock::now();
      auto err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(a.topic.c_str()),
                                   RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(i))),
                                   RD_KAFKA_V_END);
      if (!err) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return fail("produce: " + kafka_error_text(err));
      rd_kafka_poll(producer, 1);
    }
    if (i % 1024 == 0) rd_kafka_poll(producer, 0);
  }
  while (rd_kafka_outq_len(producer) > 0) rd_kafka_flush(producer, 1000);
  auto end = tally.last_delivery == clock::time_point{} ? clock::now() : tally.last_delivery;

  const auto delivered = static_cast<std::uint64_t>(tally.latencies_ms.size());
  const double secs = seconds_between(start, end);
  auto tp = rate(delivered, delivered * static_cast<std::uint64_t>(a.record_size), secs);
  auto lat = summarize(tally.latencies_ms);
  if (a.json) {
    json_writer w;
    w.begin_object()
        .key("topic").value(a.topic)
        .key("partitions").value(partitions.value())
        .key("records").value(static_cast<std::int64_t>(delivered))
        .key("failed").value(static_cast<std::int64_t>(tally.failed))
        .key("record_size").value(a.record_size)
        .key("acks").value(acks.value())
        .key("throughput_limit").value(a.throughput)
        .key("seconds").value(secs)
        .key("records_per_sec").value(tp.records_per_sec)
        .key("mib_per_sec").value(tp.mib_per_sec)
        .key("latency_ms").begin_object()
        .key("p50").value(lat.p50).key("p99").value(lat.p99).key("p999").value(lat.p999)
        .key("max").value(lat.max).key("mean").value(lat.mean)
        .end_object()
        .end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf(
        "%llu records sent in %.3f s (%d partitions, %d-byte records, acks=%s): %.1f records/sec (%.2f MiB/sec); "
        "latency ms: p50 %.3f, p99 %.3f, p99.9 %.3f, max %.3f, mean %.3f\n",
        static_cast<unsigned long long>(delivered), secs, partitions.value(), a.record_size, a.acks.c_str(),
        tp.records_per_sec, tp.mib_per_sec, lat.p50, lat.p99, lat.p999, lat.max, lat.mean);
  }
  if (tally.failed > 0) {
    return fail(std::to_string(tally.failed) + " records not delivered; first error: " + tally.first_error);
  }
  return 0;
}

int run_bench_consume(const bench_args& a, bool records_given) {
  auto rk = make_client(RD_KAFKA_CONSUMER, a.client,
                        {{"enable.partition.eof", "false"},
                         {"auto.offset.reset", "earliest"},
                         {"fetch.max.bytes", "52428800"},
                         {"fetch.message.max.bytes", "8388608"},
                         {"queued.max.messages.kbytes", "262144"}});
  if (!rk) return fail(rk.error());
  rd_kafka_t* consumer = rk.value().get();
  auto md = fetch_metadata(consumer, a.client.timeout_ms);
  if (!md) return fail(md.error());
  auto topic = require_topic(*md.value(), a.topic);
  if (!topic) return fail(topic.error());
  std::vector<int32_t> partitions;
  for (int i = 0; i < topic.value()->partition_cnt; ++i) partitions.push_back(topic.value()->partitions[i].id);

  std::int64_t want = a.records;
  if (!records_given) {
    // Default: everything in the topic right now.
    want = 0;
    for (auto p : partitions) {
      int64_t low = 0, high = 0;
      auto err = rd_kafka_query_watermark_offsets(consumer, a.topic.c_str(), p, &low, &high, a.client.timeout_ms);
      if (err) return fail("watermarks of partition " + std::to_string(p) + ": " + kafka_error_text(err));
      want += high - low;
    }
  }

  topic_ptr rkt(rd_kafka_topic_new(consumer, a.topic.c_str(), nullptr));
  queue_ptr queue(rd_kafka_queue_new(consumer));
  auto start = clock::now();
  for (auto p : partitions) {
    if (rd_kafka_consume_start_queue(rkt.get(), p, RD_KAFKA_OFFSET_BEGINNING, queue.get()) != 0) {
      return fail("start consuming partition " + std::to_string(p) + ": " + kafka_error_text(rd_kafka_last_error()));
    }
  }
  std::int64_t count = 0;
  std::uint64_t bytes = 0;
  auto last = start;
  std::vector<rd_kafka_message_t*> batch(4096);
  while (count < want) {
    auto n = rd_kafka_consume_batch_queue(queue.get(), 100, batch.data(), batch.size());
    auto now = clock::now();
    for (ssize_t i = 0; i < n; ++i) {
      if (!batch[i]->err) {
        ++count;
        bytes += batch[i]->len + batch[i]->key_len;
        last = now;
      }
      rd_kafka_message_destroy(batch[i]);
    }
    if (n <= 0 && now - last >= std::chrono::milliseconds(a.timeout_ms)) break;
  }
  for (auto p : partitions) rd_kafka_consume_stop(rkt.get(), p);

  const double secs = seconds_between(start, last);
  auto tp = rate(static_cast<std::uint64_t>(count), bytes, secs);
  if (a.json) {
    json_writer w;
    w.begin_object()
        .key("topic").value(a.topic)
        .key("partitions").value(static_cast<int>(partitions.size()))
        .key("records").value(count)
        .key("bytes").value(static_cast<std::int64_t>(bytes))
        .key("seconds").value(secs)
        .key("records_per_sec").value(tp.records_per_sec)
        .key("mib_per_sec").value(tp.mib_per_sec)
        .end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf("%lld records (%.2f MiB) consumed in %.3f s from %zu partitions: %.1f records/sec (%.2f MiB/sec)\n",
                static_cast<long long>(count), static_cast<double>(bytes) / (1024.0 * 1024.0), secs, partitions.size(),
                tp.records_per_sec, tp.mib_per_sec);
  }
  if (count < want) {
    return fail("only " + std::to_string(count) + " of " + std::to_string(want) + " records within an idle time of " +
                std::to_string(a.timeout_ms) + " ms");
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, command_action& action) {
  auto* bench = app.add_subcommand("bench", "Measure produce or consume throughput and latency");
  bench->require_subcommand(1);

  auto pa = std::make_shared<bench_args>();
  auto* produce = bench->add_subcommand("produce", "Produce records as fast as possible; report rate and latency");
  add_client_options(*produce, pa->client);
  produce->add_option("--topic,-t", pa->topic, "Topic (created with --partitions if missing)")->required();
  produce->add_option("--records,-n", pa->records, "Records to send")->capture_default_str()->check(CLI::Range(1, 1000000000));
  produce->add_option("--record-size,-s", pa->record_size, "Value size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(0, 100 * 1024 * 1024));
  produce->add_option("--acks", pa->acks, "all, -1, 0 or 1")->capture_default_str();
  produce->add_option("--partitions,-p", pa->partitions, "Partitions when the topic is created")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  produce->add_option("--replication-factor,-r", pa->replication_factor,
                      "Replication factor when the topic is created (default: the cluster's)");
  produce->add_option("--min-insync-replicas", pa->min_insync_replicas,
                      "min.insync.replicas of the topic when it is created (default: the cluster's)");
  produce->add_option("--throughput", pa->throughput, "Hold the producer to this many records/s (default: no limit)")
      ->check(CLI::PositiveNumber);
  produce->add_flag("--json", pa->json, "Print the result as JSON");
  produce->callback([&action, pa] { action = [pa] { return run_bench_produce(*pa); }; });

  auto ca = std::make_shared<bench_args>();
  auto* consume = bench->add_subcommand("consume", "Read a topic from the beginning as fast as possible");
  add_client_options(*consume, ca->client);
  consume->add_option("--topic,-t", ca->topic, "Topic")->required();
  auto* records = consume->add_option("--records,-n", ca->records, "Records to read (default: all in the topic now)")
                      ->check(CLI::Range(1, 1000000000));
  consume->add_option("--timeout-ms", ca->timeout_ms, "Give up after this long without a record")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  consume->add_flag("--json", ca->json, "Print the result as JSON");
  consume->callback([&action, ca, records] {
    bool given = records->count() > 0;
    action = [ca, given] { return run_bench_consume(*ca, given); };
  });

  add_bench_transactions_command(*bench, action);
}

}  // namespace sluice::tools
