// Starts the real sluice-coordinator and sluice-partition-server binaries on
// ephemeral loopback ports, creates a topic, produces hand-built record
// batches over the partition RPC with many calls in flight, fetches them back
// (incl. a long poll woken by a produce), lists offsets, then kills the
// partition server with SIGKILL, restarts it and checks that every
// acknowledged record is still there.
//
// Usage: partition_server_integration_test -- <dir with the service binaries>
#define BOOST_TEST_MODULE partition_server_integration
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <random>

#include "common/cluster/coordinator_client.h"
#include "common/protocol/record_batch.h"
#include "tests/integration/partition_server/child_process.h"
#include "tests/integration/partition_server/partition_rpc.h"

namespace proto = sluice::protocol;
using namespace sluice::test::partition_rpc;
using sluice::test::child_process;
using namespace std::chrono_literals;

namespace sluice::messaging {
std::ostream& operator<<(std::ostream& os, rpc_status s) { return os << to_string(s); }
}  // namespace sluice::messaging

namespace {

constexpr int partitions = 3;
const std::string topic = "orders";

fs::path bin_dir() {
  auto& suite = boost::unit_test::framework::master_test_suite();
  if (suite.argc < 2) throw std::runtime_error("usage: partition_server_integration_test -- <bin dir>");
  return suite.argv[suite.argc - 1];
}

std::vector<std::byte> make_batch(const std::vector<std::string>& values, std::int64_t ts) {
  std::vector<proto::record_to_build> records;
  for (std::size_t i = 0; i < values.size(); ++i) {
    proto::record_to_build r;
    r.key = "key";
    r.value = values[i];
    r.timestamp = ts + static_cast<std::int64_t>(i);
    records.push_back(std::move(r));
  }
  return proto::build_batch(records);
}

/// offset -> value of every record in concatenated batches.
std::map<std::int64_t, std::string> decode(std::span<const std::byte> bytes) {
  std::map<std::int64_t, std::string> out;
  proto::batch_iterator it(bytes);
  while (auto b = it.next()) {
    proto::batch_header h(*b);
    BOOST_REQUIRE(proto::batch_is_intact(*b));
    auto err = proto::for_each_record(b->subspan(proto::batch_layout::header_size), h.records_count(),
                                      [&](const proto::record_view& r) {
                                        std::string v;
                                        if (r.value) v.assign(reinterpret_cast<const char*>(r.value->data()), r.value->size());
                                        out[h.base_offset() + r.offset_delta] = v;
                                      });
    BOOST_REQUIRE(err.empty());
  }
  return out;
}

/// acks=all, to `t` (the test topic unless another is named).
message produce(const std::vector<std::pair<int, std::vector<std::byte>>>& parts, const std::string& t = topic) {
  std::vector<std::pair<int, std::span<const std::byte>>> views(parts.begin(), parts.end());
  return produce_request(t, views, -1);
}

struct fetch_result {
  pv1::FetchResponse header;
  std::vector<std::map<std::int64_t, std::string>> records;  // per partition entry
};

fetch_result fetch(rpc_client& rpc, const std::vector<std::pair<int, std::int64_t>>& from, int max_wait_ms = 0,
                   int min_bytes = 1, int max_bytes = 64 << 20, int partition_max_bytes = 16 << 20) {
  auto [status, reply] =
      rpc.call_sync(fetch_request(topic, from, max_wait_ms, min_bytes, max_bytes, partition_max_bytes), 30s);
  BOOST_REQUIRE_MESSAGE(status == rpc_status::ok, "fetch failed: " << sluice::messaging::to_string(status));
  fetch_result out;
  BOOST_REQUIRE(reply.parse_header(out.header));
  auto payload = reply.payload();
  std::size_t at = 0;
  for (const auto& r : out.header.partitions()) {
    BOOST_REQUIRE(at + r.records_size() <= payload.size());
    out.records.push_back(decode(payload.subspan(at, r.records_size())));
    at += r.records_size();
  }
  BOOST_TEST(at == payload.size());
  return out;
}

pv1::ListOffsetsResponse list_offsets(rpc_client& rpc, std::int64_t timestamp) {
  pv1::ListOffsetsRequest req;
  for (int p = 0; p < partitions; ++p) {
    auto* q = req.add_partitions();
    q->set_topic(topic);
    q->set_partition(p);
    q->set_timestamp(timestamp);
    q->set_current_leader_epoch(-1);
  }
  auto [status, reply] = rpc.call_sync(message::make(sluice::messaging::method::list_offsets, req), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
  pv1::ListOffsetsResponse out;
  BOOST_REQUIRE(reply.parse_header(out));
  return out;
}

/// Services on loopback in a temp dir, removed at the end.
struct cluster_fixture {
  fs::path dir;
  std::unique_ptr<child_process> coordinator;
  std::unique_ptr<child_process> server;
  std::string coordinator_url;
  std::string server_url;
  int starts = 0;

  cluster_fixture() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("sluice-ps-it-" + std::to_string(rd()));
    fs::create_directories(dir);
    coordinator = std::make_unique<child_process>(
        coordinator_command(bin_dir(), dir / "coordinator", {"--lease-ttl-ms", "3000"}), dir / "coordinator.log");
    auto ready = coordinator->wait_for_line("ready", 30s);
    BOOST_REQUIRE_MESSAGE(ready, "coordinator did not start:\n" << coordinator->log_text());
    coordinator_url = sluice::test::word_after(*ready, "rpc");
    start_server();
  }
  ~cluster_fixture() {
    server.reset();
    coordinator.reset();
    std::error_code ec;
    if (!std::getenv("SLUICE_KEEP_TEST_DIR")) fs::remove_all(dir, ec);
  }

  std::string start_server() {
    auto log = dir / ("partition-server-" + std::to_string(++starts) + ".log");
    server = std::make_unique<child_process>(partition_server_command(bin_dir(), coordinator_url, dir / "ps"), log);
    auto ready = server->wait_for_line("ready", 30s);
    BOOST_REQUIRE_MESSAGE(ready, "partition server did not start:\n" << server->log_text());
    server_url = sluice::test::word_after(*ready, "rpc");
    return sluice::test::word_after(*ready, "node");
  }
};

/// Lists offsets until every partition answers without error (the server
/// learns about a new topic through a metadata delta).
void wait_hosted(rpc_client& rpc) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    auto r = list_offsets(rpc, -1);
    bool all = true;
    for (auto& p : r.partitions()) all = all && p.error() == pv1::PARTITION_OK;
    if (all) return;
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "partitions never became available");
    std::this_thread::sleep_for(50ms);
  }
}

/// Creates the test topic and waits until every partition is hosted.
void create_topic(sluice::cluster::coordinator_client& admin, rpc_client& rpc) {
  BOOST_REQUIRE(admin.create_topics_sync(one_topic(topic, partitions)));
  wait_hosted(rpc);
}

/// Produces one record to `partition` and requires the call to go through.
void produce_one(rpc_client& rpc, int partition, const std::string& value) {
  auto [status, reply] = rpc.call_sync(produce({{partition, make_batch({value}, 1)}}), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(produce_fetch_long_poll_list_offsets_and_survive_kill9, cluster_fixture) {
  // given: a topic with three partitions on the one partition server
  sluice::cluster::coordinator_client admin(coordinator_url);
  const auto create = one_topic(topic, partitions);
  auto created = admin.create_topics_sync(create);
  BOOST_REQUIRE(created);
  BOOST_REQUIRE(created.value().results(0).error() == 0);
  rpc_client rpc(server_url);
  wait_hosted(rpc);

  // Unknown topics and malformed requests are answered, not crashed on.
  {
    auto [status, reply] = rpc.call_sync(produce({{0, make_batch({"x"}, 1)}}, "nope"), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::ProduceResponse r;
    BOOST_REQUIRE(reply.parse_header(r));
    BOOST_TEST(r.partitions(0).error() == pv1::UNKNOWN_PARTITION);
    auto bad = produce({{0, make_batch({"x"}, 1)}});
    bad.append_payload("junk", 4);  // records_size no longer adds up
    BOOST_TEST((rpc.call_sync(std::move(bad), 10s).first == rpc_status::bad_request));
  }

  // when: 200 produce calls in flight at once, each with a batch per partition
  constexpr int calls = 200;
  std::mutex mu;
  std::map<std::pair<int, std::int64_t>, std::string> acked;  // (partition, offset) -> value
  std::vector<std::promise<void>> done(calls);
  int failures = 0;
  for (int c = 0; c < calls; ++c) {
    std::vector<std::pair<int, std::vector<std::byte>>> parts;
    std::vector<std::vector<std::string>> values(partitions);
    for (int p = 0; p < partitions; ++p) {
      for (int i = 0; i < 1 + c % 4; ++i) values[p].push_back("p" + std::to_string(p) + "-c" + std::to_string(c) + "-r" + std::to_string(i));
      parts.emplace_back(p, make_batch(values[p], 1'000'000 + c));
    }
    rpc.call(produce(parts), 30s, [&, c, values](rpc_status s, message reply) {
      std::lock_guard lock(mu);
      pv1::ProduceResponse r;
      if (s != rpc_status::ok || !reply.parse_header(r) || r.partitions_size() != partitions) {
        ++failures;
      } else {
        for (int p = 0; p < partitions; ++p) {
          const auto& res = r.partitions(p);
          if (res.error() != pv1::PARTITION_OK || res.partition() != p) {
            ++failures;
            continue;
          }
          for (std::size_t i = 0; i < values[p].size(); ++i)
            acked[{p, res.base_offset() + static_cast<std::int64_t>(i)}] = values[p][i];
        }
      }
      done[c].set_value();
    });
  }
  for (auto& d : done) d.get_future().wait();

  // then: every record acknowledged at a distinct offset, offsets dense from 0
  BOOST_TEST(failures == 0);
  std::vector<std::int64_t> end(partitions, 0);
  for (auto& [key, v] : acked) end[key.first] = std::max(end[key.first], key.second + 1);
  std::size_t expected = 0;
  for (int p = 0; p < partitions; ++p) expected += static_cast<std::size_t>(end[p]);
  BOOST_TEST(acked.size() == expected);

  auto check_all_readable = [&](const char* when) {
    auto f = fetch(rpc, {{0, 0}, {1, 0}, {2, 0}});
    for (int p = 0; p < partitions; ++p) {
      const auto& r = f.header.partitions(p);
      BOOST_TEST(r.error() == pv1::PARTITION_OK);
      BOOST_TEST(r.high_watermark() == end[p], when << ": partition " << p);
      BOOST_TEST(r.last_stable_offset() == end[p]);
      BOOST_TEST(r.log_start_offset() == 0);
      std::size_t matched = 0;
      for (auto& [key, v] : acked) {
        if (key.first != p) continue;
        auto it = f.records[p].find(key.second);
        if (it != f.records[p].end() && it->second == v) ++matched;
      }
      BOOST_TEST(matched == static_cast<std::size_t>(end[p]), when << ": partition " << p << " lost records");
    }
  };
  check_all_readable("before kill");

  // Fetch limits: a tiny max_bytes still returns one whole batch (KIP-74)
  // from the first partition and nothing from the others.
  {
    auto f = fetch(rpc, {{0, 0}, {1, 0}}, 0, 1, 10, 10);
    BOOST_TEST(f.records[0].size() >= 1u);
    BOOST_TEST(f.records[1].empty());
    BOOST_TEST(f.header.partitions(1).high_watermark() == end[1]);
  }
  // Out of range, and an empty answer at the end after max_wait.
  {
    auto f = fetch(rpc, {{0, end[0] + 5}});
    BOOST_TEST(f.header.partitions(0).error() == pv1::OFFSET_OUT_OF_RANGE);
    auto g = fetch(rpc, {{1, end[1]}}, 100);
    BOOST_TEST(g.header.partitions(0).error() == pv1::PARTITION_OK);
    BOOST_TEST(g.records[0].empty());
  }

  // Long poll: a fetch at the end of partition 2 waits (max 20 s) and is
  // answered with the batch produced while it waits.
  {
    rpc_client poller(server_url);
    auto waiting = std::async(std::launch::async, [&] { return fetch(poller, {{2, end[2]}, {1, end[1]}}, 20000); });
    BOOST_TEST((waiting.wait_for(300ms) == std::future_status::timeout), "long poll answered without data");
    auto [status, reply] = rpc.call_sync(produce({{2, make_batch({"wake-up"}, 5'000'000)}}), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::ProduceResponse r;
    BOOST_REQUIRE(reply.parse_header(r));
    BOOST_REQUIRE(r.partitions(0).error() == pv1::PARTITION_OK);
    BOOST_TEST(r.partitions(0).base_offset() == end[2]);
    acked[{2, end[2]}] = "wake-up";
    ++end[2];
    auto f = waiting.get();
    BOOST_TEST(f.records[0].size() == 1u);
    BOOST_TEST(f.records[0].begin()->second == "wake-up");
    BOOST_TEST(f.header.partitions(0).high_watermark() == end[2]);
  }

  // min_bytes counts across appends: one batch is not enough, the second is.
  {
    const auto one = make_batch({"first-of-two"}, 6'000'000);
    rpc_client poller(server_url);
    auto waiting = std::async(std::launch::async, [&] {
      return fetch(poller, {{0, end[0]}}, 20000, static_cast<int>(one.size() * 2 - 1));
    });
    auto produce_one = [&](const std::vector<std::byte>& b, const std::string& value) {
      auto [status, reply] = rpc.call_sync(produce({{0, b}}), 10s);
      BOOST_REQUIRE(status == rpc_status::ok);
      pv1::ProduceResponse r;
      BOOST_REQUIRE(reply.parse_header(r));
      BOOST_REQUIRE(r.partitions(0).error() == pv1::PARTITION_OK);
      acked[{0, r.partitions(0).base_offset()}] = value;
      end[0] = r.partitions(0).base_offset() + 1;
    };
    std::this_thread::sleep_for(200ms);  // let the fetch park (if it has not, it just sees the data)
    produce_one(one, "first-of-two");
    BOOST_TEST((waiting.wait_for(300ms) == std::future_status::timeout), "answered below min_bytes");
    produce_one(make_batch({"second-of-two"}, 6'000'001), "second-of-two");
    auto f = waiting.get();
    BOOST_TEST(f.records[0].size() == 2u);
  }

  // ListOffsets: latest, earliest, max timestamp.
  {
    auto latest = list_offsets(rpc, -1);
    auto earliest = list_offsets(rpc, -2);
    auto max_ts = list_offsets(rpc, -3);
    for (int p = 0; p < partitions; ++p) {
      BOOST_TEST(latest.partitions(p).offset() == end[p]);
      BOOST_TEST(earliest.partitions(p).offset() == 0);
      BOOST_TEST(latest.partitions(p).leader_epoch() >= 0);
    }
    BOOST_TEST(max_ts.partitions(2).timestamp() == 5'000'000);
    BOOST_TEST(max_ts.partitions(2).offset() == end[2] - 1);
    auto by_time = list_offsets(rpc, 1'000'000 + calls + 10);  // later than every timestamp but the wake-up
    BOOST_TEST(by_time.partitions(2).offset() == end[2] - 1);
    BOOST_TEST(by_time.partitions(1).offset() == -1);
  }

  // kill -9 while produces are in flight, restart on the same data dir: same
  // node id, nothing acknowledged lost (acknowledged before or during the kill).
  auto node_before = sluice::test::word_after(*server->wait_for_line("ready", 1s), "node");
  {
    constexpr int wave = 400;
    std::atomic<int> acks_seen{0};
    std::vector<std::promise<void>> finished(wave);
    for (int c = 0; c < wave; ++c) {
      const int p = c % partitions;
      std::string value = "wave-" + std::to_string(c);
      rpc.call(produce({{p, make_batch({value}, 7'000'000 + c)}}), 5s,
               [&, c, p, value](rpc_status s, message reply) {
                 pv1::ProduceResponse r;
                 if (s == rpc_status::ok && reply.parse_header(r) && r.partitions(0).error() == pv1::PARTITION_OK) {
                   std::lock_guard lock(mu);
                   acked[{p, r.partitions(0).base_offset()}] = value;
                   end[p] = std::max(end[p], r.partitions(0).base_offset() + 1);
                   ++acks_seen;
                 }
                 finished[c].set_value();
               });
    }
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (acks_seen < 20 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
    BOOST_REQUIRE(acks_seen >= 20);
    BOOST_TEST(server->stop(SIGKILL) == 128 + SIGKILL);
    for (auto& f : finished) f.get_future().wait();
    BOOST_TEST_MESSAGE(acks_seen << " of " << wave << " in-flight produces acknowledged before the kill");
  }
  auto node_after = start_server();
  BOOST_TEST(node_after == node_before);
  rpc_client rpc2(server_url);
  wait_hosted(rpc2);
  {
    auto f = fetch(rpc2, {{0, 0}, {1, 0}, {2, 0}});
    for (int p = 0; p < partitions; ++p) {
      // Appends whose reply was lost in the kill may be there too: at least, never less.
      BOOST_TEST(f.header.partitions(p).high_watermark() >= end[p], "after kill -9: partition " << p);
      std::size_t matched = 0;
      for (auto& [key, v] : acked)
        if (key.first == p && f.records[p].count(key.second) && f.records[p][key.second] == v) ++matched;
      std::size_t want = 0;
      for (auto& [key, v] : acked) want += key.first == p;
      BOOST_TEST(matched == want, "after kill -9: partition " << p << " lost records");
      end[p] = f.header.partitions(p).high_watermark();
    }
  }
  // New appends continue after the recovered end.
  auto [status, reply] = rpc2.call_sync(produce({{0, make_batch({"after"}, 9'000'000)}}), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
  pv1::ProduceResponse r;
  BOOST_REQUIRE(reply.parse_header(r));
  BOOST_TEST(r.partitions(0).base_offset() == end[0]);

  // Clean shutdown on SIGTERM exits 0.
  BOOST_TEST(server->stop(SIGTERM) == 0);
}

BOOST_FIXTURE_TEST_CASE(deleted_topic_stops_its_replicas_and_removes_its_data, cluster_fixture) {
  sluice::cluster::coordinator_client admin(coordinator_url);
  rpc_client rpc(server_url);
  create_topic(admin, rpc);
  produce_one(rpc, 1, "old");
  BOOST_TEST(fs::exists(dir / "ps" / (topic + "-1")));

  cv1::DeleteTopicsRequest del;
  del.add_names(topic);
  BOOST_REQUIRE(admin.delete_topics_sync(del));
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (fs::exists(dir / "ps" / (topic + "-1")) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  BOOST_TEST(!fs::exists(dir / "ps" / (topic + "-1")));
  auto gone = list_offsets(rpc, -1);
  BOOST_TEST(gone.partitions(0).error() == pv1::UNKNOWN_PARTITION);

  // Recreated under the same name: a fresh, empty log.
  create_topic(admin, rpc);
  BOOST_TEST(list_offsets(rpc, -1).partitions(1).offset() == 0);
}

BOOST_FIXTURE_TEST_CASE(lost_lease_gives_leadership_back_with_a_new_epoch, cluster_fixture) {
  sluice::cluster::coordinator_client admin(coordinator_url);
  rpc_client rpc(server_url);
  create_topic(admin, rpc);
  produce_one(rpc, 0, "before");
  const auto epoch_before = list_offsets(rpc, -1).partitions(0).leader_epoch();

  // Frozen past its 3 s lease: the coordinator takes its partitions offline.
  BOOST_TEST(server->signal(SIGSTOP));
  BOOST_REQUIRE(coordinator->wait_for_line("expired", 30s));
  BOOST_TEST(server->signal(SIGCONT));

  // It re-registers by itself and leads again, at a newer epoch, data intact.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::int32_t epoch_after = epoch_before;
  while (epoch_after <= epoch_before && std::chrono::steady_clock::now() < deadline) {
    auto r = list_offsets(rpc, -1).partitions(0);
    if (r.error() == pv1::PARTITION_OK) epoch_after = r.leader_epoch();
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(epoch_after > epoch_before);
  auto f = fetch(rpc, {{0, 0}});
  BOOST_TEST(f.records[0].size() == 1u);
  auto [s2, r2] = rpc.call_sync(produce({{0, make_batch({"after"}, 2)}}), 10s);
  BOOST_REQUIRE(s2 == rpc_status::ok);
  pv1::ProduceResponse pr;
  BOOST_REQUIRE(r2.parse_header(pr));
  BOOST_TEST(pr.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(pr.partitions(0).base_offset() == 1);
}
