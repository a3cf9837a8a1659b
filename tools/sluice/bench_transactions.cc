// sluice bench transactions: how many small transactions a producer commits
// per second. Each transaction is what a consume-transform-produce loop does
// per step: one record to each of `--partitions-per-txn` partitions plus an
// offset commit for a consumer group, then commit.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/sluice/bench_topic.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/json_writer.h"
#include "tools/sluice/kafka_client.h"
#include "tools/sluice/latency_stats.h"

namespace sluice::tools {

namespace {

using clock = std::chrono::steady_clock;

struct txn_bench_args {
  client_options client;
  std::string topic;
  std::string transactional_id = "sluice-bench-txn";
  std::string group = "sluice-bench-txn";
  int transactions = 1000;
  int partitions = 3;
  int replication_factor = -1;
  int txn_timeout_ms = 60000;
  bool json = false;
};

struct error_deleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

struct group_metadata_deleter {
  void operator()(rd_kafka_consumer_group_metadata_t* m) const { rd_kafka_consumer_group_metadata_destroy(m); }
};

std::string describe(const char* step, const error_ptr& e) {
  return std::string(step) + ": " + rd_kafka_error_name(e.get()) + ": " + rd_kafka_error_string(e.get());
}

// Counts deliveries so a commit that reports success with a record lost
// would show up as a failure.
void count_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* failed = static_cast<std::uint64_t*>(opaque);
  if (msg->err) ++*failed;
}

int run_bench_transactions(const txn_bench_args& a) {
  std::uint64_t failed_deliveries = 0;
  auto rk = make_client(RD_KAFKA_PRODUCER, a.client,
                        {{"acks", "all"},
                         {"enable.idempotence", "true"},
                         {"transactional.id", a.transactional_id},
                         {"transaction.timeout.ms", std::to_string(a.txn_timeout_ms)},
                         {"linger.ms", "0"}},
                        count_delivery, &failed_deliveries);
  if (!rk) return fail(rk.error());
  rd_kafka_t* producer = rk.value().get();
  auto partitions = ensure_topic(producer, {a.topic, a.partitions, a.replication_factor, -1}, a.client.timeout_ms);
  if (!partitions) return fail(partitions.error());

  const int timeout = a.client.timeout_ms;
  if (error_ptr e{rd_kafka_init_transactions(producer, timeout)}) return fail(describe("init_transactions", e));
  std::unique_ptr<rd_kafka_consumer_group_metadata_t, group_metadata_deleter> group{
      rd_kafka_consumer_group_metadata_new(a.group.c_str())};

  const std::string value(100, 'v');
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<std::size_t>(a.transactions));
  const auto start = clock::now();
  for (int t = 0; t < a.transactions; ++t) {
    const auto begin = clock::now();
    if (error_ptr e{rd_kafka_begin_transaction(producer)}) return fail(describe("begin_transaction", e));
    for (int p = 0; p < partitions.value(); ++p) {
      auto err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(a.topic.c_str()), RD_KAFKA_V_PARTITION(p),
                                   RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err) return fail("produce: " + kafka_error_text(err));
    }
    // The offset a consume-transform-produce step would commit: one past
    // the input record it just transformed.
    partition_list_ptr offsets(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(offsets.get(), a.topic.c_str(), 0)->offset = t + 1;
    if (error_ptr e{rd_kafka_send_offsets_to_transaction(producer, offsets.get(), group.get(), timeout)}) {
      return fail(describe("send_offsets_to_transaction", e));
    }
    if (error_ptr e{rd_kafka_commit_transaction(producer, timeout)}) return fail(describe("commit_transaction", e));
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - begin).count());
  }
  const double secs = std::chrono::duration<double>(clock::now() - start).count();
  if (failed_deliveries > 0) return fail(std::to_string(failed_deliveries) + " records of committed transactions failed");

  const double per_sec = secs > 0 ? a.transactions / secs : 0;
  auto lat = summarize(latencies_ms);
  if (a.json) {
    json_writer w;
    w.begin_object()
        .key("topic").value(a.topic)
        .key("transactions").value(a.transactions)
        .key("records_per_transaction").value(partitions.value())
        .key("seconds").value(secs)
        .key("transactions_per_sec").value(per_sec)
        .key("latency_ms").begin_object()
        .key("p50").value(lat.p50).key("p99").value(lat.p99).key("max").value(lat.max)
        .end_object()
        .end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    std::printf(
        "%d transactions committed in %.3f s (%d records + 1 offset commit each): %.1f transactions/sec; "
        "latency ms: p50 %.3f, p99 %.3f, max %.3f\n",
        a.transactions, secs, partitions.value(), per_sec, lat.p50, lat.p99, lat.max);
  }
  return 0;
}

}  // namespace

void add_bench_transactions_command(CLI::App& bench, command_action& action) {
  auto ta = std::make_shared<txn_bench_args>();
  auto* txn = bench.add_subcommand(
      "transactions", "Commit small transactions (a record to each partition plus an offset commit); report the rate");
  add_client_options(*txn, ta->client);
  txn->add_option("--topic,-t", ta->topic, "Topic (created with --partitions if missing)")->required();
  txn->add_option("--transactions,-n", ta->transactions, "Transactions to commit")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  txn->add_option("--partitions,-p", ta->partitions, "Partitions (one record to each per transaction)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  txn->add_option("--replication-factor,-r", ta->replication_factor,
                  "Replication factor when the topic is created (default: the cluster's)");
  txn->add_option("--transactional-id", ta->transactional_id, "The producer's transactional.id")->capture_default_str();
  txn->add_option("--group", ta->group, "Consumer group whose offsets each transaction commits")->capture_default_str();
  txn->add_flag("--json", ta->json, "Print the result as JSON");
  txn->callback([&action, ta] { action = [ta] { return run_bench_transactions(*ta); }; });
}

}  // namespace sluice::tools
