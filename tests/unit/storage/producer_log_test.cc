// The producer state inside the partition log: duplicates answered without a
// write, refusals, followers, snapshots (format, roll, close, recovery,
// corruption), truncation and retention.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "common/base/endian.h"
#include "common/protocol/crc32c.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/producer_snapshot.h"
#include "tests/unit/storage/log_fixture.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

append_result produce(partition_log& log, producer_batch_spec spec, std::int64_t now_ms = 5000) {
  auto bytes = producer_batch_bytes(spec);
  return log.append(bytes, leader_epoch{3}, now_ms);
}

/// Small segments (a roll every few batches) and three producers writing
/// interleaved, one of them in a transaction it aborts, one left open.
config::log_config rolling_config() {
  config::log_config cfg;
  cfg.segment_bytes = 600;
  return cfg;
}

void write_producers(partition_log& log, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    BOOST_REQUIRE(produce(log, {.producer_id = 1, .epoch = 0, .sequence = 2 * i, .records = 2}).error ==
                  append_errc::ok);
    BOOST_REQUIRE(produce(log, {.producer_id = 2, .epoch = 5, .sequence = i}).error == append_errc::ok);
    if (i == 3) {
      auto m = log.append_replicated(marker_bytes(3, 0, false, 1, log.log_end_offset()()), 5000);
      BOOST_REQUIRE(m.error == append_errc::ok);
    } else if (i < 8) {
      // Its sequence goes on after the marker: same epoch.
      BOOST_REQUIRE(produce(log, {.producer_id = 3, .epoch = 0, .sequence = i > 3 ? i - 1 : i, .transactional = true})
                        .error == append_errc::ok);
    }
  }
}

using producer_map = std::map<std::int64_t, producer_entry>;

/// The state as a snapshot can keep it: Kafka's format has one timestamp
/// per entry, and the newest entry carries the producer's last timestamp
/// (a marker's, when a marker came last), so a reload gives its newest batch
/// that time. The batch times are left out of comparisons across a reload.
producer_map as_snapshotted(producer_map m) {
  for (auto& [id, e] : m)
    for (auto& b : e.batches) b.max_timestamp = -1;
  return m;
}

/// Writes `rounds` of write_producers into a new log in `dir` and closes
/// it: the producers it held (as_snapshotted) and its end.
std::pair<producer_map, offset> write_and_close(const std::filesystem::path& dir, int rounds) {
  auto log = open_log(dir, rolling_config());
  write_producers(*log, rounds);
  return {as_snapshotted(log->producers().producers()), log->log_end_offset()};
}

producer_map reopened_producers(const std::filesystem::path& dir, config::log_config cfg) {
  auto log = open_log(dir, cfg);
  return as_snapshotted(log->producers().producers());
}

void corrupt_byte(const std::filesystem::path& file, std::size_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x5a));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(producer_log)

BOOST_AUTO_TEST_CASE(a_duplicate_is_answered_with_the_original_offsets_and_writes_nothing) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.log_append_time = true;
  auto log = open_log(dir.path(), cfg);
  BOOST_REQUIRE(append_batch(*log, make_batch(3)).error == append_errc::ok);  // 0..2, no producer id
  auto first = produce(*log, {.sequence = 0, .records = 4}, 7000);             // 3..6
  BOOST_REQUIRE(first.error == append_errc::ok);
  BOOST_TEST(!first.duplicate);
  const auto end = log->log_end_offset();
  const auto bytes = log_bytes(dir.path());

  auto again = produce(*log, {.sequence = 0, .records = 4}, 9000);
  BOOST_TEST((again.error == append_errc::ok));
  BOOST_TEST(again.duplicate);
  BOOST_TEST(again.base_offset == first.base_offset);
  BOOST_TEST(again.last_offset == first.last_offset);
  BOOST_TEST(again.log_append_time_ms == 7000);  // the original's, not now
  BOOST_TEST(again.log_start_offset == offset{0});
  BOOST_TEST(log->log_end_offset() == end);
  BOOST_TEST(log_bytes(dir.path()) == bytes);
  BOOST_TEST(read_all(*log, 0, 1 << 20).batches.size() == 2u);
}

BOOST_AUTO_TEST_CASE(refused_batches_write_nothing) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  BOOST_REQUIRE(produce(*log, {.epoch = 2, .sequence = 0}).error == append_errc::ok);
  const auto end = log->log_end_offset();
  const auto bytes = log_bytes(dir.path());
  auto gap = produce(*log, {.epoch = 2, .sequence = 5});
  BOOST_TEST((gap.error == append_errc::out_of_order_sequence));
  BOOST_TEST(gap.base_offset == no_offset);
  BOOST_TEST((produce(*log, {.epoch = 1, .sequence = 1}).error == append_errc::invalid_producer_epoch));
  BOOST_TEST(log->log_end_offset() == end);
  BOOST_TEST(log_bytes(dir.path()) == bytes);
  BOOST_TEST(log->producers().find(1000)->last_seq() == 0);
}

// A group coordinator writes each transactional offset commit with the
// producer's id and epoch but sequence 0 every time (as Kafka's does): each
// one must be written, and only an older epoch refused.
BOOST_AUTO_TEST_CASE(coordinator_writes_get_epoch_checks_only) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  auto write = [&](producer_batch_spec spec) {
    auto bytes = producer_batch_bytes(spec);
    return log->append(bytes, leader_epoch{3}, 5000, append_origin::coordinator);
  };
  auto first = write({.epoch = 2, .sequence = 0, .transactional = true});
  BOOST_REQUIRE(first.error == append_errc::ok);
  BOOST_REQUIRE(log->append_replicated(marker_bytes(1000, 2, true, 1, log->log_end_offset()()), 5000).error ==
                append_errc::ok);
  auto second = write({.epoch = 2, .sequence = 0, .transactional = true});
  BOOST_TEST((second.error == append_errc::ok));
  BOOST_TEST(!second.duplicate);
  BOOST_TEST(second.base_offset > first.base_offset);
  BOOST_TEST((write({.epoch = 2, .sequence = 7, .transactional = true}).error == append_errc::ok));
  BOOST_TEST((write({.epoch = 1, .sequence = 0, .transactional = true}).error == append_errc::invalid_producer_epoch));
}

BOOST_AUTO_TEST_CASE(followers_build_the_leaders_state_and_learn_closed_transactions) {
  temp_dir leader_dir, follower_dir;
  auto leader = open_log(leader_dir.path(), small_config());
  auto follower = open_log(follower_dir.path(), small_config());
  BOOST_REQUIRE(produce(*leader, {.producer_id = 1, .sequence = 0, .records = 2}).error == append_errc::ok);
  BOOST_REQUIRE(produce(*leader, {.producer_id = 2, .sequence = 0, .transactional = true}).error == append_errc::ok);
  auto marker = leader->append_replicated(marker_bytes(2, 0, false, 4, 3), 5000);
  BOOST_REQUIRE(marker.error == append_errc::ok);
  BOOST_REQUIRE(marker.completed_txns.size() == 1u);
  BOOST_TEST((marker.completed_txns[0] == completed_txn{2, offset{2}, offset{3}, true}));

  auto out = read_all(*leader, 0, 1 << 20);
  auto r = follower->append_replicated(out.bytes, 5000);
  BOOST_REQUIRE(r.error == append_errc::ok);
  BOOST_TEST((r.completed_txns == marker.completed_txns));
  BOOST_TEST((follower->producers().producers() == leader->producers().producers()));
  BOOST_TEST(follower->producers().end_offset() == leader->log_end_offset());
}

BOOST_AUTO_TEST_CASE(snapshots_are_written_at_each_roll_and_at_close) {
  temp_dir dir;
  std::vector<offset> bases;
  {
    auto log = open_log(dir.path(), rolling_config());
    write_producers(*log, 6);
    BOOST_REQUIRE(log->segment_count() > 2u);
    for (auto at : list_producer_snapshots(dir.path())) bases.push_back(at);
    // One per roll, named by the new segment's base.
    BOOST_TEST(bases.size() == log->segment_count() - 1);
    for (auto at : bases) BOOST_TEST(std::filesystem::exists(segment_file(dir.path(), at, ".log")));
    const auto end = log->log_end_offset();
    log->close();
    BOOST_TEST(list_producer_snapshots(dir.path()).back() == end);
  }
}

BOOST_AUTO_TEST_CASE(recovery_from_a_snapshot_and_the_tail_equals_recovery_from_scratch) {
  temp_dir dir;
  const auto [live, end] = write_and_close(dir.path(), 10);
  BOOST_REQUIRE(live.size() == 3u);
  BOOST_REQUIRE(live.at(3).txn_first_offset.has_value());  // its second transaction is open
  // The clean close left a snapshot at the log end.
  BOOST_REQUIRE(list_producer_snapshots(dir.path()).back() == end);
  BOOST_TEST((reopened_producers(dir.path(), rolling_config()) == live));

  // As after a kill -9: no snapshot at the end, the newest roll's snapshot plus the tail.
  delete_producer_snapshot(dir.path(), end);
  auto snaps = list_producer_snapshots(dir.path());
  BOOST_REQUIRE(snaps.size() >= 2u);
  // Keep a snapshot several batches back, so that the replay does the work.
  for (std::size_t i = snaps.size() - 2; i < snaps.size(); ++i) delete_producer_snapshot(dir.path(), snaps[i]);
  BOOST_TEST((reopened_producers(dir.path(), rolling_config()) == live));

  // From scratch: no snapshot at all (those the opens above wrote at close go too).
  for (auto at : list_producer_snapshots(dir.path())) delete_producer_snapshot(dir.path(), at);
  {
    auto log = open_log(dir.path(), rolling_config());
    BOOST_TEST((as_snapshotted(log->producers().producers()) == live));
    // The aborted transaction counts until the HW passes its marker; then the open one holds the LSO.
    BOOST_TEST((log->producers().first_unstable_offset() < live.at(3).txn_first_offset));
    log->on_high_watermark(log->log_end_offset());
    BOOST_TEST((log->producers().first_unstable_offset() == live.at(3).txn_first_offset));
    // The reopened state still dedupes and checks sequences.
    auto dup = produce(*log, {.producer_id = 2, .epoch = 5, .sequence = 9});
    BOOST_TEST(dup.duplicate);
    BOOST_TEST((produce(*log, {.producer_id = 2, .epoch = 5, .sequence = 11}).error ==
                append_errc::out_of_order_sequence));
    BOOST_TEST((produce(*log, {.producer_id = 2, .epoch = 5, .sequence = 10}).error == append_errc::ok));
  }
}

BOOST_AUTO_TEST_CASE(a_corrupt_snapshot_is_ignored_and_an_earlier_one_used) {
  temp_dir dir;
  const auto [live, end] = write_and_close(dir.path(), 8);
  const auto newest = segment_file(dir.path(), end, snapshot_suffix);
  corrupt_byte(newest, 20);
  BOOST_TEST(!read_producer_snapshot(dir.path(), end).ok());
  BOOST_TEST((reopened_producers(dir.path(), rolling_config()) == live));
  // The broken file was deleted (the close above wrote a good one anew).
  BOOST_TEST(read_producer_snapshot(dir.path(), end).ok());

  // Every snapshot broken: rebuilt from the log start.
  for (auto at : list_producer_snapshots(dir.path()))
    std::filesystem::resize_file(segment_file(dir.path(), at, snapshot_suffix), 3);
  BOOST_TEST((reopened_producers(dir.path(), rolling_config()) == live));
}

BOOST_AUTO_TEST_CASE(truncation_reloads_the_state_below_the_new_end) {
  temp_dir dir;
  auto log = open_log(dir.path(), rolling_config());
  write_producers(*log, 4);
  const auto before = as_snapshotted(log->producers().producers());
  const auto cut = log->log_end_offset();
  for (int i = 0; i < 6; ++i)
    BOOST_REQUIRE(produce(*log, {.producer_id = 2, .epoch = 5, .sequence = 4 + i}).error == append_errc::ok);
  BOOST_REQUIRE(produce(*log, {.producer_id = 9, .sequence = 0}).error == append_errc::ok);
  BOOST_REQUIRE(log->truncate_to(cut));
  BOOST_TEST((as_snapshotted(log->producers().producers()) == before));
  BOOST_TEST(log->producers().end_offset() == cut);
  for (auto at : list_producer_snapshots(dir.path())) BOOST_TEST(at <= cut);
  // What was cut is no duplicate any more: the producer writes it again in order.
  auto again = produce(*log, {.producer_id = 2, .epoch = 5, .sequence = 4});
  BOOST_TEST((again.error == append_errc::ok));
  BOOST_TEST(!again.duplicate);
  BOOST_TEST(again.base_offset == cut);

  BOOST_REQUIRE(log->truncate_fully_and_start_at(offset{100}));
  BOOST_TEST(log->producers().producers().empty());
  BOOST_TEST(log->producers().end_offset() == offset{100});
  BOOST_TEST(list_producer_snapshots(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(retention_deletes_snapshots_below_the_log_start) {
  temp_dir dir;
  auto cfg = rolling_config();
  auto log = open_log(dir.path(), cfg);
  write_producers(*log, 8);
  cfg.retention_bytes = 1;
  log->update_config(cfg);
  BOOST_REQUIRE(log->apply_retention(5000) > 0u);
  const auto snaps = list_producer_snapshots(dir.path());
  BOOST_REQUIRE(!snaps.empty());
  BOOST_TEST(snaps.front() >= log->log_start_offset());
  // The producers stay (Kafka keeps them in memory; expiry removes them).
  BOOST_TEST(log->producers().producers().size() == 3u);
  BOOST_TEST(log->remove_expired_producers(5000 + 86400000, 86400000) == 2u);  // producer 3 is in a transaction
}

BOOST_AUTO_TEST_CASE(the_snapshot_file_has_kafkas_layout) {
  std::map<std::int64_t, producer_entry> producers;
  producer_entry e;
  e.producer_id = 42;
  e.epoch = 3;
  e.coordinator_epoch = 9;
  e.last_timestamp = 777;
  e.txn_first_offset = offset{100};
  e.batches.push_back({5, 7, offset{100}, offset{102}, 777});
  producers[42] = e;
  const auto bytes = encode_producer_snapshot(producers);
  BOOST_REQUIRE(bytes.size() == 10u + 46u);
  BOOST_TEST(load_be<std::int16_t>(bytes.data()) == 1);
  BOOST_TEST(load_be<std::uint32_t>(bytes.data() + 2) == protocol::crc32c(std::span(bytes).subspan(6)));
  const std::byte* p = bytes.data() + 6;
  BOOST_TEST(load_be<std::int32_t>(p) == 1);
  BOOST_TEST(load_be<std::int64_t>(p + 4) == 42);     // producer id
  BOOST_TEST(load_be<std::int16_t>(p + 12) == 3);     // epoch
  BOOST_TEST(load_be<std::int32_t>(p + 14) == 7);     // last sequence
  BOOST_TEST(load_be<std::int64_t>(p + 18) == 102);   // last offset
  BOOST_TEST(load_be<std::int32_t>(p + 26) == 2);     // offset delta
  BOOST_TEST(load_be<std::int64_t>(p + 30) == 777);   // timestamp
  BOOST_TEST(load_be<std::int32_t>(p + 38) == 9);     // coordinator epoch
  BOOST_TEST(load_be<std::int64_t>(p + 42) == 100);   // open transaction's first offset

  auto decoded = decode_producer_snapshot(bytes);
  BOOST_REQUIRE(decoded.ok());
  BOOST_REQUIRE(decoded.producers.size() == 1u);
  BOOST_TEST((decoded.producers[0] == e));
}

BOOST_AUTO_TEST_CASE(snapshots_round_trip_five_batches_and_producers_without_batches) {
  std::map<std::int64_t, producer_entry> producers;
  producer_entry many;
  many.producer_id = 1;
  many.epoch = 0;
  for (int i = 0; i < 5; ++i)
    many.batches.push_back({2 * i, 2 * i + 1, offset{10 * i}, offset{10 * i + 1}, 100 + i});
  many.last_timestamp = 104;
  producers[1] = many;
  producer_entry markers_only;
  markers_only.producer_id = 2;
  markers_only.epoch = 7;
  markers_only.coordinator_epoch = 3;
  markers_only.last_timestamp = 55;
  producers[2] = markers_only;
  producer_entry wrapped;  // first sequence derived across the wrap
  wrapped.producer_id = 3;
  wrapped.epoch = 1;
  wrapped.batches.push_back({INT32_MAX - 1, 1, offset{50}, offset{53}, 9});
  wrapped.last_timestamp = 9;
  producers[3] = wrapped;

  auto decoded = decode_producer_snapshot(encode_producer_snapshot(producers));
  BOOST_REQUIRE(decoded.ok());
  std::map<std::int64_t, producer_entry> back;
  for (auto& p : decoded.producers) back[p.producer_id] = p;
  BOOST_TEST((back == producers));
}

BOOST_AUTO_TEST_CASE(damaged_snapshots_are_refused) {
  std::map<std::int64_t, producer_entry> producers;
  producers[1] = producer_entry{1, 0, -1, 5, std::nullopt, {{0, 0, offset{0}, offset{0}, 5}}};
  const auto good = encode_producer_snapshot(producers);
  BOOST_REQUIRE(decode_producer_snapshot(good).ok());
  auto flipped = good;
  flipped[30] ^= std::byte{1};
  BOOST_TEST(decode_producer_snapshot(flipped).error.find("CRC-32C") != std::string::npos);
  auto version = good;
  version[1] = std::byte{2};
  BOOST_TEST(decode_producer_snapshot(version).error == "unknown snapshot version 2");
  BOOST_TEST(!decode_producer_snapshot(std::span(good).first(good.size() - 1)).ok());
  BOOST_TEST(!decode_producer_snapshot(std::span(good).first(4)).ok());
}

BOOST_AUTO_TEST_SUITE_END()
