#define BOOST_TEST_MODULE partition_server
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <vector>

#include "common/protocol/record_batch.h"
#include "services/partition-server/errors.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/partition_state.h"
#include "tests/fixtures/temp_dir.h"

using namespace sluice::partition_server;
using namespace sluice;  // offset, leader_epoch, node_id and their "none" values
namespace proto = sluice::protocol;
namespace pv1 = sluice::partition::v1;

namespace {

constexpr std::int64_t now_ms = 1'700'000'000'000;

/// A v2 batch of `count` records with timestamps ts, ts+1, ...
std::vector<std::byte> batch(int count, std::int64_t ts = now_ms, std::size_t value_size = 100) {
  std::vector<proto::record_to_build> records(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    records[i].key = "k" + std::to_string(i);
    records[i].value = std::string(value_size, static_cast<char>('a' + i % 26));
    records[i].timestamp = ts + i;
  }
  return proto::build_batch(records);
}

struct fixture {
  sluice::test::temp_dir data;
  std::filesystem::path dir = log_dir_path(data.path(), "t", 0);
  std::unique_ptr<partition_state> p;

  fixture() { reopen(); }
  void reopen() {
    p.reset();
    BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x07')));
    auto opened = partition_state::open(dir, "t", 0, sluice::config::log_config{}, now_ms);
    BOOST_REQUIRE(opened);
    p = std::move(opened.value());
    p->set_leadership(true, leader_epoch{3});
  }
  append_outcome append(std::vector<std::byte> b) { return p->append(b, now_ms); }
  /// Segments of a few batches, retention.bytes 1 (only the active segment
  /// stays), and 40 records in 20 appends: apply_retention then moves the log
  /// start past 0.
  void fill_small_segments() {
    sluice::config::log_config small;
    small.segment_bytes = 2000;
    small.retention_bytes = 1;
    p->update_config(small);
    for (int i = 0; i < 20; ++i) BOOST_REQUIRE(append(batch(2, now_ms, 200)).error == pv1::PARTITION_OK);
  }

  /// Reads into a buffer, as the fetch reply builder does.
  std::pair<read_outcome, std::vector<std::byte>> read(std::int64_t at, std::int32_t max_bytes, bool min_one,
                                                       std::int32_t epoch = -1) {
    std::vector<std::byte> out;
    std::size_t handed = 0;
    auto r = p->read(offset{at}, leader_epoch{epoch}, max_bytes, min_one, [&](std::size_t n) {
      handed += n;
      out.resize(out.size() + n);
      return std::span<std::byte>(out.data() + out.size() - n, n);
    });
    out.resize(out.size() - (handed - r.bytes));
    return {r, out};
  }
};

/// Base offsets of the whole batches in `bytes`.
std::vector<std::int64_t> base_offsets(std::span<const std::byte> bytes) {
  std::vector<std::int64_t> out;
  proto::batch_iterator it(bytes);
  while (auto b = it.next()) out.push_back(proto::batch_header(*b).base_offset());
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(partition_state_tests, fixture)

BOOST_AUTO_TEST_CASE(appends_get_consecutive_offsets_and_the_leader_epoch) {
  auto a = append(batch(3));
  BOOST_TEST(a.error == pv1::PARTITION_OK);
  BOOST_TEST(a.base_offset == offset{0});
  BOOST_TEST(a.last_offset == offset{2});
  BOOST_TEST(a.log_append_time_ms == -1);
  auto b = append(batch(2));
  BOOST_TEST(b.base_offset == offset{3});
  BOOST_TEST(p->log_end_offset() == offset{5});

  auto [r, bytes] = read(0, 1 << 20, true);
  BOOST_TEST(r.error == pv1::PARTITION_OK);
  BOOST_TEST(r.high_watermark == offset{5});
  BOOST_TEST(r.last_stable_offset == offset{5});
  BOOST_TEST(r.log_start_offset == offset{0});
  BOOST_TEST(base_offsets(bytes) == (std::vector<std::int64_t>{0, 3}));
  proto::batch_iterator it(bytes);
  auto first = it.next();
  BOOST_REQUIRE(first);
  BOOST_TEST(proto::batch_header(*first).partition_leader_epoch() == 3);
  BOOST_TEST(proto::batch_is_intact(*first));
}

BOOST_AUTO_TEST_CASE(invalid_batches_are_refused_and_nothing_is_appended) {
  auto bad = batch(2);
  bad.back() ^= std::byte{0x5a};  // covered by the CRC
  auto a = append(bad);
  BOOST_TEST(a.error == pv1::CORRUPT_MESSAGE);
  BOOST_TEST(a.base_offset == no_offset);
  BOOST_TEST(p->append({}, now_ms).error == pv1::CORRUPT_MESSAGE);
  BOOST_TEST(p->log_end_offset() == offset{0});
}

BOOST_AUTO_TEST_CASE(an_empty_record_set_is_refused_once_by_the_log_with_its_log_start) {
  fill_small_segments();
  BOOST_REQUIRE(p->apply_retention(now_ms) > 0u);
  const offset start = p->log_start_offset();
  BOOST_REQUIRE(start > offset{0});  // so the answer's log start cannot be a default
  const offset end = p->log_end_offset();
  auto a = p->append({}, now_ms);
  BOOST_TEST(a.error == pv1::CORRUPT_MESSAGE);
  BOOST_TEST(a.message == "no record batch");
  BOOST_TEST(a.base_offset == no_offset);
  BOOST_TEST(a.log_start_offset == start);
  BOOST_TEST(p->log_end_offset() == end);
}

BOOST_AUTO_TEST_CASE(every_append_error_has_its_own_partition_error) {
  using proto::append_errc;
  const std::vector<std::pair<append_errc, pv1::PartitionError>> expected{
      {append_errc::ok, pv1::PARTITION_OK},
      {append_errc::corrupt_message, pv1::CORRUPT_MESSAGE},
      {append_errc::invalid_record, pv1::INVALID_RECORD},
      {append_errc::unsupported_compression, pv1::UNSUPPORTED_COMPRESSION},
      {append_errc::message_too_large, pv1::MESSAGE_TOO_LARGE},
      {append_errc::invalid_timestamp, pv1::INVALID_TIMESTAMP},
      {append_errc::storage_error, pv1::STORAGE_ERROR},
      {append_errc::out_of_order_sequence, pv1::OUT_OF_ORDER_SEQUENCE_NUMBER},
      {append_errc::invalid_producer_epoch, pv1::INVALID_PRODUCER_EPOCH},
      {append_errc::invalid_txn_state, pv1::INVALID_TXN_STATE},
      {append_errc::coordinator_fenced, pv1::TRANSACTION_COORDINATOR_FENCED},
  };
  for (const auto& [from, to] : expected) BOOST_TEST(map_append_error(from) == to);
}

BOOST_AUTO_TEST_CASE(followers_refuse_produce_and_fetch) {
  p->set_leadership(false, leader_epoch{4});
  BOOST_TEST(append(batch(1)).error == pv1::NOT_LEADER);
  BOOST_TEST(read(0, 1000, true).first.error == pv1::NOT_LEADER);
  BOOST_TEST(p->list_offset(-1, no_leader_epoch).error == pv1::NOT_LEADER);
}

BOOST_AUTO_TEST_CASE(leader_epoch_in_requests_is_checked) {
  BOOST_TEST(read(0, 1000, true, 2).first.error == pv1::FENCED_LEADER_EPOCH);
  BOOST_TEST(read(0, 1000, true, 9).first.error == pv1::UNKNOWN_LEADER_EPOCH);
  BOOST_TEST(read(0, 1000, true, 3).first.error == pv1::PARTITION_OK);
  BOOST_TEST(p->list_offset(-1, leader_epoch{2}).error == pv1::FENCED_LEADER_EPOCH);
}

BOOST_AUTO_TEST_CASE(reads_outside_the_log_are_out_of_range_and_at_the_end_empty) {
  append(batch(2));
  auto [past, b1] = read(3, 1000, true);
  BOOST_TEST(past.error == pv1::OFFSET_OUT_OF_RANGE);
  BOOST_TEST(past.high_watermark == offset{2});
  BOOST_TEST(b1.empty());
  BOOST_TEST(read(-1, 1000, true).first.error == pv1::OFFSET_OUT_OF_RANGE);
  auto [at_end, b2] = read(2, 1000, true);
  BOOST_TEST(at_end.error == pv1::PARTITION_OK);
  BOOST_TEST(at_end.bytes == 0u);
  BOOST_TEST(at_end.high_watermark == offset{2});
}

BOOST_AUTO_TEST_CASE(reads_start_at_the_batch_holding_the_offset) {
  append(batch(3));
  append(batch(3));
  auto [r, bytes] = read(4, 1 << 20, true);
  BOOST_TEST(base_offsets(bytes) == (std::vector<std::int64_t>{3}));
}

BOOST_AUTO_TEST_CASE(max_bytes_limits_whole_batches_and_min_one_returns_one_oversized) {
  const auto one = batch(5, now_ms, 500);
  append(one);
  append(batch(5, now_ms, 500));
  const auto size = static_cast<std::int32_t>(one.size());
  BOOST_TEST(base_offsets(read(0, size, false).second) == (std::vector<std::int64_t>{0}));
  BOOST_TEST(base_offsets(read(0, size * 2, false).second) == (std::vector<std::int64_t>{0, 5}));
  // Too small for one batch: nothing, unless min_one (KIP-74).
  BOOST_TEST(read(0, 10, false).second.empty());
  BOOST_TEST(base_offsets(read(0, 10, true).second) == (std::vector<std::int64_t>{0}));
  BOOST_TEST(read(0, 0, false).second.empty());
}

BOOST_AUTO_TEST_CASE(list_offsets_latest_earliest_max_timestamp_and_by_time) {
  auto empty_latest = p->list_offset(-1, no_leader_epoch);
  BOOST_TEST(empty_latest.offset == offset{0});
  BOOST_TEST(empty_latest.leader_epoch == leader_epoch{3});
  append(batch(3, 1000));  // offsets 0..2, ts 1000..1002
  append(batch(3, 5000));  // offsets 3..5, ts 5000..5002
  append(batch(2, 2000));  // offsets 6..7, ts 2000..2001
  BOOST_TEST(p->list_offset(-1, no_leader_epoch).offset == offset{8});
  BOOST_TEST(p->list_offset(-2, no_leader_epoch).offset == offset{0});
  auto max = p->list_offset(-3, no_leader_epoch);
  BOOST_TEST(max.offset == offset{5});
  BOOST_TEST(max.timestamp == 5002);
  auto by_time = p->list_offset(4000, no_leader_epoch);
  BOOST_TEST(by_time.offset == offset{3});
  BOOST_TEST(by_time.timestamp == 5000);
  auto exact = p->list_offset(1001, no_leader_epoch);
  BOOST_TEST(exact.offset == offset{1});
  auto none = p->list_offset(9000, no_leader_epoch);
  BOOST_TEST(none.offset == no_offset);
  BOOST_TEST(none.timestamp == -1);
  BOOST_TEST(p->list_offset(-7, no_leader_epoch).error == pv1::INVALID_REQUEST);
}

BOOST_AUTO_TEST_CASE(long_poll_waiter_wakes_once_enough_bytes_arrive) {
  std::atomic<int> wakes{0};
  const auto b = batch(1);
  auto w = std::make_shared<fetch_waiter>(static_cast<std::int64_t>(b.size() * 2), [&] { ++wakes; });
  p->watch(w, p->log_end_offset());
  BOOST_TEST(p->waiter_count() == 1u);
  append(b);
  BOOST_TEST(wakes == 0);  // half of min_bytes
  append(b);
  BOOST_TEST(wakes == 1);
  append(b);
  BOOST_TEST(wakes == 1);  // fires once
  BOOST_TEST(p->waiter_count() == 0u);
}

BOOST_AUTO_TEST_CASE(waiter_registered_after_a_missed_append_wakes_at_once) {
  append(batch(1));
  std::atomic<int> wakes{0};
  auto w = std::make_shared<fetch_waiter>(1 << 20, [&] { ++wakes; });
  p->watch(w, offset{0});  // the fetch saw an empty log; one batch came in since
  BOOST_TEST(wakes == 1);
  BOOST_TEST(p->waiter_count() == 0u);
}

BOOST_AUTO_TEST_CASE(timed_out_waiters_are_dropped_and_close_wakes_the_rest) {
  std::atomic<int> wakes{0};
  auto timed_out = std::make_shared<fetch_waiter>(1 << 20, [&] { ++wakes; });
  p->watch(timed_out, offset{0});
  timed_out->wake();  // its timer fired
  auto parked = std::make_shared<fetch_waiter>(1 << 20, [&] { ++wakes; });
  p->watch(parked, offset{0});
  BOOST_TEST(p->waiter_count() == 1u);
  p->close();
  BOOST_TEST(wakes == 2);
  BOOST_TEST(append(batch(1)).error == pv1::STORAGE_ERROR);
}

BOOST_AUTO_TEST_CASE(appended_data_survives_reopen) {
  append(batch(3));
  append(batch(4));
  BOOST_REQUIRE(p->flush());
  reopen();
  BOOST_TEST(p->log_end_offset() == offset{7});
  BOOST_TEST(base_offsets(read(0, 1 << 20, true).second) == (std::vector<std::int64_t>{0, 3}));
  BOOST_TEST(append(batch(1)).base_offset == offset{7});
}

BOOST_AUTO_TEST_CASE(retention_moves_the_log_start_and_old_offsets_go_out_of_range) {
  fill_small_segments();
  BOOST_TEST(p->apply_retention(now_ms) > 0u);
  const auto start = p->log_start_offset();
  BOOST_TEST(start > offset{0});
  BOOST_TEST(p->list_offset(-2, no_leader_epoch).offset == start);
  auto [old, bytes] = read(0, 1 << 20, true);
  BOOST_TEST(old.error == pv1::OFFSET_OUT_OF_RANGE);
  BOOST_TEST(old.log_start_offset == start);
  BOOST_TEST(base_offsets(read(start(), 1 << 20, true).second).front() == start());
  BOOST_TEST(append(batch(1)).log_start_offset == start);
}

BOOST_AUTO_TEST_CASE(close_and_remove_deletes_the_directory) {
  append(batch(1));
  p->close_and_remove();
  BOOST_TEST(!std::filesystem::exists(dir));
}

BOOST_AUTO_TEST_SUITE_END()
