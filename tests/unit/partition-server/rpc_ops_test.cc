// The partition RPC ops (produce, fetch, list offsets, DeleteRecords,
// DescribeLogDirs...) end to end inside one process: a
// real rpc_server and rpc_client on loopback, real partition actors over
// temp-dir logs, and hand-made routes (no coordinator).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <initializer_list>

#include <caf/all.hpp>

#include "common/base/endian.h"
#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"
#include "common/messaging/rpc_server.h"
#include "common/protocol/record_batch.h"
#include "services/partition-server/actors/partition_actor.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/routing_table.h"
#include "services/partition-server/rpc/delete_records_op.h"
#include "services/partition-server/rpc/describe_log_dirs_op.h"
#include "services/partition-server/rpc/describe_producers_op.h"
#include "services/partition-server/rpc/fetch_op.h"
#include "services/partition-server/rpc/list_offsets_op.h"
#include "services/partition-server/rpc/produce_op.h"
#include "services/partition-server/rpc/write_txn_markers_op.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/integration/partition_server/partition_rpc.h"
#include "tests/unit/storage/log_fixture.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
namespace partition_rpc = sluice::test::partition_rpc;
using namespace std::chrono_literals;
namespace proto = sluice::protocol;
namespace pv1 = sluice::partition::v1;
namespace method = sluice::messaging::method;
using sluice::messaging::message;
using sluice::messaging::rpc_status;

namespace {

std::vector<std::byte> batch(int count, std::size_t value_size = 100) {
  std::vector<proto::record_to_build> records(static_cast<std::size_t>(count));
  for (auto& r : records) {
    r.value = std::string(value_size, 'v');
    r.timestamp = 1000;
  }
  return proto::build_batch(records);
}

/// Adds partitions `partitions` of topic "t" to a request's partition list.
template <class Request>
void add_partitions(Request& request, std::initializer_list<int> partitions) {
  for (int p : partitions) {
    auto* q = request.add_partitions();
    q->set_topic("t");
    q->set_partition(p);
  }
}

/// Topic "t" with partitions 0 and 1 hosted here (leader), partition 2 led by
/// node 9, partition 3 ours in the metadata but not open.
struct ops_fixture {
  sluice::test::temp_dir data;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::actor timer;
  std::vector<caf::actor> actors;
  std::shared_ptr<const routes> table;
  std::unique_ptr<sluice::messaging::rpc_server> server;
  std::unique_ptr<sluice::messaging::rpc_client> client;
  std::filesystem::path log_dir = data.path();  // what DescribeLogDirs looks at

  ops_fixture() {
    cfg.set("scheduler.max-threads", 2);
    system = std::make_unique<caf::actor_system>(cfg);
    timer = system->spawn(fetch_timer);
    auto r = std::make_shared<routes>();
    r->this_node = node_id{1};
    auto& t = r->topics["t"];
    t.actors.resize(4);
    t.leaders = {node_id{1}, node_id{1}, node_id{9}, node_id{1}};
    for (int p = 0; p < 2; ++p) {
      auto dir = log_dir_path(data.path(), "t", p);
      BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x01')));
      auto st = partition_state::open(dir, "t", p, sluice::config::log_config{}, 0);
      BOOST_REQUIRE(st);
      st.value()->set_leadership(true, leader_epoch{5});
      t.actors[static_cast<std::size_t>(p)] =
          system->spawn(partition_actor, std::shared_ptr<partition_state>(std::move(st.value())), 60s, caf::actor{},
                        txn_verifier_ptr{});
    }
    table = r;
    server = std::make_unique<sluice::messaging::rpc_server>(
        "tcp://127.0.0.1:0", [this](message m, sluice::messaging::responder to) {
          switch (m.method()) {
            case method::produce: return produce_op::start(std::move(m), std::move(to), *table);
            case method::fetch: return fetch_op::start(std::move(m), std::move(to), *table, timer);
            case method::list_offsets: return list_offsets_op::start(m, std::move(to), *table);
            case method::describe_producers: return describe_producers_op::start(m, std::move(to), *table);
            case method::delete_records: return delete_records_op::start(m, std::move(to), *table);
            case method::describe_log_dirs:
              return describe_log_dirs_op::start(m, std::move(to), *table, log_dir);
            case method::write_txn_markers: return write_txn_markers_op::start(m, std::move(to), *table);
          }
          to.fail(rpc_status::unknown_method);
        });
    client = std::make_unique<sluice::messaging::rpc_client>(server->url());
  }
  ~ops_fixture() {
    // Actors before the socket, as partition_server::stop() does: a reply
    // racing the socket's close can crash inside NNG.
    for (auto& [name, t] : table->topics)
      for (auto& a : t.actors)
        if (a) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(timer, caf::exit_reason::user_shutdown);
    timer = nullptr;
    system->await_all_actors_done();
    server->stop();
    table.reset();
  }

  /// `request` sent as method `m`; the call must succeed and its reply parse as `Response`.
  template <class Response, class Request>
  Response call(std::uint16_t m, const Request& request) {
    auto [status, reply] = client->call_sync(message::make(m, request), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    Response out;
    BOOST_REQUIRE(reply.parse_header(out));
    return out;
  }

  pv1::ProduceResponse produce(const std::vector<std::pair<int, std::vector<std::byte>>>& parts) {
    std::vector<std::pair<int, std::span<const std::byte>>> views(parts.begin(), parts.end());
    auto [status, reply] = client->call_sync(partition_rpc::produce_request("t", views, 0, 0), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::ProduceResponse out;
    BOOST_REQUIRE(reply.parse_header(out));
    return out;
  }

  std::pair<pv1::FetchResponse, message> fetch(const std::vector<std::pair<int, std::int64_t>>& from,
                                               int max_bytes, int partition_max_bytes, int max_wait_ms = 0,
                                               int min_bytes = 1) {
    auto [status, reply] = client->call_sync(
        partition_rpc::fetch_request("t", from, max_wait_ms, min_bytes, max_bytes, partition_max_bytes), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::FetchResponse out;
    BOOST_REQUIRE(reply.parse_header(out));
    std::size_t sum = 0;
    for (auto& r : out.partitions()) sum += r.records_size();
    BOOST_TEST(sum == reply.payload().size());
    return {out, std::move(reply)};
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(rpc_ops, ops_fixture)

BOOST_AUTO_TEST_CASE(produce_answers_in_request_order_with_routing_errors) {
  auto r = produce({{1, batch(2)}, {0, batch(3)}, {2, batch(1)}, {3, batch(1)}, {7, batch(1)}, {1, batch(1)}});
  BOOST_REQUIRE(r.partitions_size() == 6);
  BOOST_TEST(r.partitions(0).partition() == 1);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(0).base_offset() == 0);
  BOOST_TEST(r.partitions(1).base_offset() == 0);
  BOOST_TEST(r.partitions(2).error() == pv1::NOT_LEADER);
  BOOST_TEST(r.partitions(3).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(r.partitions(4).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(r.partitions(5).base_offset() == 2);  // same partition twice: appended in order
}

BOOST_AUTO_TEST_CASE(bad_batch_fails_only_its_partition) {
  auto bad = batch(1);
  bad.back() ^= std::byte{1};
  auto r = produce({{0, bad}, {1, batch(1)}});
  BOOST_TEST(r.partitions(0).error() == pv1::CORRUPT_MESSAGE);
  BOOST_TEST(!r.partitions(0).error_message().empty());
  BOOST_TEST(r.partitions(1).error() == pv1::PARTITION_OK);
}

BOOST_AUTO_TEST_CASE(fetch_limits_follow_kip74_across_partitions) {
  const auto b = batch(5, 400);
  const int size = static_cast<int>(b.size());
  produce({{0, b}, {1, b}});
  produce({{0, b}, {1, b}});
  // Room for three batches in total, two per partition.
  auto [r, m] = fetch({{0, 0}, {1, 0}}, size * 3, size * 2);
  BOOST_TEST(r.partitions(0).records_size() == 2u * b.size());
  BOOST_TEST(r.partitions(1).records_size() == b.size());
  // Too small for any batch: the first partition still returns one, the second none.
  auto [small, m2] = fetch({{0, 0}, {1, 0}}, 10, 10);
  BOOST_TEST(small.partitions(0).records_size() == b.size());
  BOOST_TEST(small.partitions(1).records_size() == 0u);
  BOOST_TEST(small.partitions(1).high_watermark() == 10);
  // Empty first partition: min_one passes on to the next one.
  auto [shifted, m3] = fetch({{0, 10}, {1, 0}}, 10, 10);
  BOOST_TEST(shifted.partitions(0).records_size() == 0u);
  BOOST_TEST(shifted.partitions(1).records_size() == b.size());
}

BOOST_AUTO_TEST_CASE(fetch_with_an_error_answers_at_once) {
  produce({{0, batch(1)}});
  auto [r, m] = fetch({{0, 1}, {2, 0}}, 1 << 20, 1 << 20, 60000);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(1).error() == pv1::NOT_LEADER);
  auto [out, m2] = fetch({{0, 5}}, 1 << 20, 1 << 20, 60000);
  BOOST_TEST(out.partitions(0).error() == pv1::OFFSET_OUT_OF_RANGE);
}

BOOST_AUTO_TEST_CASE(parked_fetch_is_answered_empty_at_max_wait) {
  auto [r, m] = fetch({{0, 0}, {1, 0}}, 1 << 20, 1 << 20, 100);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(0).records_size() == 0u);
  BOOST_TEST(r.partitions(1).high_watermark() == 0);
}

BOOST_AUTO_TEST_CASE(list_offsets_routes_like_produce) {
  produce({{0, batch(4)}});
  pv1::ListOffsetsRequest req;
  for (int p : {0, 1, 2}) {
    auto* q = req.add_partitions();
    q->set_topic("t");
    q->set_partition(p);
    q->set_timestamp(-1);
    q->set_current_leader_epoch(-1);
  }
  auto [status, reply] = client->call_sync(message::make(method::list_offsets, req), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
  pv1::ListOffsetsResponse r;
  BOOST_REQUIRE(reply.parse_header(r));
  BOOST_TEST(r.partitions(0).offset() == 4);
  BOOST_TEST(r.partitions(0).leader_epoch() == 5);
  BOOST_TEST(r.partitions(1).offset() == 0);
  BOOST_TEST(r.partitions(2).error() == pv1::NOT_LEADER);
}

BOOST_AUTO_TEST_CASE(describe_producers_routes_like_list_offsets) {
  const std::vector<proto::record_to_build> records{{.key = "k", .value = "v", .headers = {}, .timestamp = 1000}};
  produce({{0, proto::build_batch(records, {.producer_id = 77, .producer_epoch = 2, .base_sequence = 0})}});
  pv1::DescribeProducersRequest req;
  add_partitions(req, {0, 1, 2, 3});
  auto r = call<pv1::DescribeProducersResponse>(method::describe_producers, req);
  BOOST_REQUIRE(r.partitions_size() == 4);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_REQUIRE(r.partitions(0).producers_size() == 1);
  BOOST_TEST(r.partitions(0).producers(0).producer_id() == 77);
  BOOST_TEST(r.partitions(0).producers(0).producer_epoch() == 2);
  BOOST_TEST(r.partitions(0).producers(0).last_sequence() == 0);
  BOOST_TEST(r.partitions(1).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(1).producers_size() == 0);
  BOOST_TEST(r.partitions(2).error() == pv1::NOT_LEADER);
  BOOST_TEST(r.partitions(3).partition() == 3);
  BOOST_TEST(r.partitions(3).error() != pv1::PARTITION_OK);
}

BOOST_AUTO_TEST_CASE(delete_records_moves_each_log_start_and_answers_the_low_watermark) {
  produce({{0, batch(6)}, {1, batch(2)}});
  pv1::DeleteRecordsRequest req;
  req.set_timeout_ms(5000);
  for (auto [p, at] : std::vector<std::pair<int, std::int64_t>>{{0, 4}, {1, -1}, {2, 1}, {0, 7}}) {
    auto* d = req.add_partitions();
    d->set_topic("t");
    d->set_partition(p);
    d->set_offset(at);
  }
  auto [status, reply] = client->call_sync(message::make(method::delete_records, req), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
  pv1::DeleteRecordsResponse r;
  BOOST_REQUIRE(reply.parse_header(r));
  BOOST_REQUIRE(r.partitions_size() == 4);
  BOOST_TEST(r.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(0).low_watermark() == 4);
  BOOST_TEST(r.partitions(1).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.partitions(1).low_watermark() == 2);  // -1: the high watermark
  BOOST_TEST(r.partitions(2).error() == pv1::NOT_LEADER);
  BOOST_TEST(r.partitions(2).low_watermark() == -1);
  BOOST_TEST(r.partitions(3).error() == pv1::OFFSET_OUT_OF_RANGE);  // past the high watermark (6)
  BOOST_TEST(r.partitions(3).low_watermark() == -1);
  // Every reader sees the new start: earliest, and a fetch below it.
  pv1::ListOffsetsRequest earliest;
  auto* q = earliest.add_partitions();
  q->set_topic("t");
  q->set_partition(0);
  q->set_timestamp(-2);
  q->set_current_leader_epoch(-1);
  auto [s2, reply2] = client->call_sync(message::make(method::list_offsets, earliest), 10s);
  BOOST_REQUIRE(s2 == rpc_status::ok);
  pv1::ListOffsetsResponse offsets;
  BOOST_REQUIRE(reply2.parse_header(offsets));
  BOOST_TEST(offsets.partitions(0).offset() == 4);
  BOOST_TEST(fetch({{0, 3}}, 1 << 20, 1 << 20).first.partitions(0).error() == pv1::OFFSET_OUT_OF_RANGE);
  BOOST_TEST(fetch({{0, 4}}, 1 << 20, 1 << 20).first.partitions(0).error() == pv1::PARTITION_OK);
}

BOOST_AUTO_TEST_CASE(describe_log_dirs_lists_every_hosted_replica_with_its_size_on_disk) {
  produce({{0, batch(6)}, {1, batch(2)}, {1, batch(3, 500)}});
  // A follower replica ("f"-0, following node 1) with what it copied from its leader.
  auto dir = log_dir_path(data.path(), "f", 0);
  BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x02')));
  auto st = partition_state::open(dir, "f", 0, sluice::config::log_config{}, 0);
  BOOST_REQUIRE(st);
  st.value()->set_leadership(false, leader_epoch{5});
  BOOST_REQUIRE(st.value()->apply_fetched(batch(4), offset{4}, offset{0}, 0) == pv1::PARTITION_OK);
  auto with_follower = std::make_shared<routes>(*table);
  with_follower->topics["f"].leaders = {node_id{1}};
  with_follower->topics["f"].actors = {system->spawn(partition_actor,
                                                     std::shared_ptr<partition_state>(std::move(st.value())), 60s,
                                                     caf::actor{}, txn_verifier_ptr{})};
  table = with_follower;

  pv1::DescribeLogDirsRequest all;
  all.set_all_partitions(true);
  auto r = call<pv1::DescribeLogDirsResponse>(method::describe_log_dirs, all);
  BOOST_TEST(r.error() == pv1::PARTITION_OK);
  BOOST_TEST(r.log_dir() == std::filesystem::absolute(data.path()).string());
  BOOST_TEST(r.total_bytes() > 0);
  BOOST_TEST(r.usable_bytes() >= 0);
  BOOST_TEST(r.usable_bytes() <= r.total_bytes());
  // Every replica with an actor, leader or follower, by topic then partition;
  // t-2 (led elsewhere) and t-3 (not open) are not hosted and not listed.
  BOOST_REQUIRE(r.partitions_size() == 3);
  const std::vector<std::pair<std::string, int>> expected{{"f", 0}, {"t", 0}, {"t", 1}};
  for (int i = 0; i < 3; ++i) {
    const auto& e = r.partitions(i);
    const auto& [topic, partition] = expected[static_cast<std::size_t>(i)];
    BOOST_TEST(e.topic() == topic);
    BOOST_TEST(e.partition() == partition);
    BOOST_TEST(e.error() == pv1::PARTITION_OK);
    BOOST_TEST(e.offset_lag() == 0);
    BOOST_TEST(e.size_bytes() > 0);
    BOOST_TEST(e.size_bytes() ==
               static_cast<std::int64_t>(sluice::storage::test::log_bytes(log_dir_path(data.path(), topic, partition))));
  }
  BOOST_TEST(r.partitions(2).size_bytes() > r.partitions(1).size_bytes());  // the 500-byte records

  // Named partitions: those not hosted here come back with their routing error.
  pv1::DescribeLogDirsRequest named;
  add_partitions(named, {1, 2, 3, 7});
  auto n = call<pv1::DescribeLogDirsResponse>(method::describe_log_dirs, named);
  BOOST_REQUIRE(n.partitions_size() == 4);
  BOOST_TEST(n.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(n.partitions(0).size_bytes() == r.partitions(2).size_bytes());
  BOOST_TEST(n.partitions(1).error() == pv1::NOT_LEADER);
  BOOST_TEST(n.partitions(1).size_bytes() == -1);
  BOOST_TEST(n.partitions(2).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(n.partitions(3).error() == pv1::UNKNOWN_PARTITION);
}

BOOST_AUTO_TEST_CASE(describe_log_dirs_answers_storage_error_for_a_directory_it_cannot_read) {
  log_dir = data.path() / "gone";
  pv1::DescribeLogDirsRequest all;
  all.set_all_partitions(true);
  auto r = call<pv1::DescribeLogDirsResponse>(method::describe_log_dirs, all);
  BOOST_TEST(r.error() == pv1::STORAGE_ERROR);
  BOOST_TEST(r.log_dir() == (data.path() / "gone").string());
  BOOST_TEST(r.error_message().find("cannot be read") != std::string::npos);
  BOOST_TEST(r.total_bytes() == -1);
  BOOST_TEST(r.usable_bytes() == -1);
  BOOST_TEST(r.partitions_size() == 0);
}

BOOST_AUTO_TEST_CASE(write_txn_markers_answers_each_marker_and_partition_in_order) {
  pv1::WriteTxnMarkersRequest req;
  req.set_timeout_ms(5000);
  auto add_marker = [&](std::int64_t pid, bool commit, std::vector<std::pair<std::string, int>> parts) {
    auto* m = req.add_markers();
    m->set_producer_id(pid);
    m->set_producer_epoch(2);
    m->set_committed(commit);
    m->set_coordinator_epoch(7);
    for (auto& [topic, p] : parts) {
      auto* ref = m->add_partitions();
      ref->set_topic(topic);
      ref->set_partition(p);
    }
  };
  add_marker(41, false, {{"t", 0}, {"t", 2}, {"t", 3}, {"u", 0}});
  add_marker(42, true, {{"t", 0}, {"t", 1}});
  auto [status, reply] = client->call_sync(message::make(method::write_txn_markers, req), 10s);
  BOOST_REQUIRE(status == rpc_status::ok);
  pv1::WriteTxnMarkersResponse r;
  BOOST_REQUIRE(reply.parse_header(r));
  BOOST_REQUIRE_EQUAL(r.markers_size(), 2);
  BOOST_TEST(r.markers(0).producer_id() == 41);
  BOOST_REQUIRE_EQUAL(r.markers(0).partitions_size(), 4);
  BOOST_TEST(r.markers(0).partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.markers(0).partitions(1).error() == pv1::NOT_LEADER);
  BOOST_TEST(r.markers(0).partitions(2).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(r.markers(0).partitions(3).error() == pv1::UNKNOWN_PARTITION);
  BOOST_TEST(r.markers(0).partitions(3).topic() == "u");
  BOOST_TEST(r.markers(1).producer_id() == 42);
  BOOST_TEST(r.markers(1).partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(r.markers(1).partitions(1).error() == pv1::PARTITION_OK);

  // t/0 holds both markers as control batches, in request order, with
  // Kafka's key (version 0, type) and value (version 0, coordinator epoch).
  auto [f, m] = fetch({{0, 0}}, 1 << 20, 1 << 20);
  BOOST_REQUIRE(f.partitions(0).error() == pv1::PARTITION_OK);
  BOOST_TEST(f.partitions(0).high_watermark() == 2);
  proto::batch_iterator it(m.payload());
  std::vector<std::pair<std::int64_t, std::int16_t>> seen;  // (producer id, type)
  std::vector<std::byte> scratch;
  while (auto b = it.next()) {
    const proto::batch_header h(*b);
    BOOST_TEST(h.is_control());
    BOOST_TEST(h.is_transactional());
    BOOST_TEST(h.producer_epoch() == 2);
    BOOST_TEST(h.base_sequence() == -1);
    BOOST_TEST(h.partition_leader_epoch() == 5);
    std::span<const std::byte> records;
    BOOST_REQUIRE(proto::batch_records(*b, scratch, records, 1 << 20).empty());
    proto::for_each_record(records, h.records_count(), [&](const proto::record_view& rec) {
      BOOST_REQUIRE(rec.key && rec.key->size() == 4 && rec.value && rec.value->size() == 6);
      seen.emplace_back(h.producer_id(), sluice::load_be<std::int16_t>(rec.key->data() + 2));
      BOOST_TEST(sluice::load_be<std::int32_t>(rec.value->data() + 2) == 7);
    });
  }
  BOOST_TEST((seen == std::vector<std::pair<std::int64_t, std::int16_t>>{{41, 0}, {42, 1}}));
}

BOOST_AUTO_TEST_CASE(write_txn_markers_are_fenced_like_produce_on_group_shards) {
  // __consumer_offsets/0 served by t/1's actor, its shard at epoch 5.
  auto r = std::make_shared<routes>(*table);
  auto& offsets = r->topics["__consumer_offsets"];
  offsets.actors = {table->topics.at("t").actors[1]};
  offsets.leaders = {node_id{1}};
  r->group_shard_epochs = {sluice::shard_epoch{5}};
  table = r;
  auto write = [&](std::int64_t epoch) {
    pv1::WriteTxnMarkersRequest req;
    req.set_group_shard_epoch(epoch);
    req.set_timeout_ms(5000);
    auto* m = req.add_markers();
    m->set_producer_id(1);
    m->set_committed(true);
    auto* ref = m->add_partitions();
    ref->set_topic("__consumer_offsets");
    ref->set_partition(0);
    auto [status, reply] = client->call_sync(message::make(method::write_txn_markers, req), 10s);
    BOOST_REQUIRE(status == rpc_status::ok);
    pv1::WriteTxnMarkersResponse out;
    BOOST_REQUIRE(reply.parse_header(out));
    return out.markers(0).partitions(0).error();
  };
  BOOST_TEST(write(4) == pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(write(5) == pv1::PARTITION_OK);
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_bad_request) {
  auto m = message::make(method::produce, pv1::ProduceRequest{});
  m.append_payload("stray", 5);
  BOOST_TEST((client->call_sync(std::move(m), 10s).first == rpc_status::bad_request));
  auto junk = message::make_status(method::fetch, rpc_status::ok);
  junk.append_payload("\xff\xff\xff", 3);
  // Header length 0 parses as an empty FetchRequest: an empty, valid answer.
  BOOST_TEST((client->call_sync(std::move(junk), 10s).first == rpc_status::ok));
}

BOOST_AUTO_TEST_SUITE_END()

// The group shard fence: an owner replaced by a newer shard epoch cannot
// write; a new owner cannot read until this server has its epoch (from then
// on the old one is refused). Other topics are never checked.
BOOST_AUTO_TEST_CASE(group_shard_epochs_fence_old_owners) {
  routes r;
  r.group_shard_epochs = {sluice::shard_epoch{0}, sluice::shard_epoch{4}};
  const std::string offsets = "__consumer_offsets";
  BOOST_TEST(r.check_group_shard(offsets, 1, sluice::shard_epoch{4}, true) == pv1::PARTITION_OK);
  BOOST_TEST(r.check_group_shard(offsets, 1, sluice::shard_epoch{5}, true) == pv1::PARTITION_OK);  // our metadata lags: let it through
  BOOST_TEST(r.check_group_shard(offsets, 1, sluice::shard_epoch{3}, true) == pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(r.check_group_shard(offsets, 1, sluice::shard_epoch{4}, false) == pv1::PARTITION_OK);
  BOOST_TEST(r.check_group_shard(offsets, 1, sluice::shard_epoch{5}, false) == pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(r.check_group_shard(offsets, 7, sluice::shard_epoch{1}, false) == pv1::GROUP_SHARD_EPOCH_MISMATCH);  // no epoch known yet
  BOOST_TEST(r.check_group_shard("t", 1, sluice::shard_epoch{0}, true) == pv1::PARTITION_OK);
  // __transaction_state partition p shares __consumer_offsets p's shard.
  BOOST_TEST(r.check_group_shard("__transaction_state", 1, sluice::shard_epoch{3}, true) ==
             pv1::GROUP_SHARD_EPOCH_MISMATCH);
  BOOST_TEST(r.check_group_shard("__transaction_state", 1, sluice::shard_epoch{4}, true) == pv1::PARTITION_OK);
}
