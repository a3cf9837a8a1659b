// The .txnindex: its format, Kafka's search for the aborts a fetch range
// overlaps, and its life with the segments (truncation, deletion, rebuild).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <cstring>
#include <fstream>
#include <vector>

#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/transaction_index.h"
#include "tests/unit/storage/log_fixture.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

std::vector<std::byte> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

aborted_txn txn(std::int64_t pid, std::int64_t first, std::int64_t last, std::int64_t lso) {
  return {pid, offset{first}, offset{last}, offset{lso}};
}

void replicate(partition_log& log, std::vector<std::byte> batch) {
  auto r = log.append_replicated(batch, 5000);
  BOOST_REQUIRE_MESSAGE(r.error == append_errc::ok, r.message);
}

/// `count` records of producer `pid` in a transaction, at `base`.
std::vector<std::byte> txn_data(std::int64_t base, std::int64_t pid, int count, std::int32_t seq = 0) {
  return producer_batch_bytes(
      {.producer_id = pid, .sequence = seq, .records = count, .base_offset = base, .transactional = true});
}

/// Opens `path` into `idx`; returns whether the file was consistent.
bool open_index(transaction_index& idx, const std::filesystem::path& path) {
  bool consistent = false;
  BOOST_REQUIRE(idx.open(path, consistent).has_value());
  return consistent;
}

std::filesystem::path txn_file(const std::filesystem::path& dir, std::int64_t base) {
  return segment_file(dir, offset{base}, log_format::txn_index_suffix);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transaction_index_tests)

BOOST_AUTO_TEST_CASE(entries_are_kafkas_34_bytes_and_read_back) {
  temp_dir dir;
  const auto path = dir.path() / "x.txnindex";
  {
    transaction_index idx;
    BOOST_TEST(open_index(idx, path));
    BOOST_TEST(idx.add(txn(7, 10, 20, 21)).value());
    BOOST_TEST(idx.add(txn(0x0102030405060708, 25, 30, 12)).value());
  }
  const auto raw = file_bytes(path);
  BOOST_REQUIRE_EQUAL(raw.size(), 68u);
  BOOST_TEST(load_be<std::int16_t>(raw.data()) == 0);         // version
  BOOST_TEST(load_be<std::int64_t>(raw.data() + 2) == 7);     // producer id
  BOOST_TEST(load_be<std::int64_t>(raw.data() + 10) == 10);   // first offset
  BOOST_TEST(load_be<std::int64_t>(raw.data() + 18) == 20);   // last offset
  BOOST_TEST(load_be<std::int64_t>(raw.data() + 26) == 21);   // last stable offset
  BOOST_TEST(load_be<std::int64_t>(raw.data() + 36) == 0x0102030405060708);

  transaction_index again;
  BOOST_TEST(open_index(again, path));
  BOOST_REQUIRE_EQUAL(again.entries().size(), 2u);
  BOOST_TEST((again.entries()[0] == txn(7, 10, 20, 21)));
  BOOST_TEST((again.entries()[1] == txn(0x0102030405060708, 25, 30, 12)));
}

BOOST_AUTO_TEST_CASE(a_torn_or_unknown_version_file_is_inconsistent) {
  temp_dir dir;
  const auto path = dir.path() / "x.txnindex";
  {
    transaction_index idx;
    open_index(idx, path);
    BOOST_TEST(idx.add(txn(1, 0, 5, 6)).value());
  }
  std::filesystem::resize_file(path, 33);
  transaction_index torn;
  BOOST_TEST(!open_index(torn, path));
  BOOST_TEST(torn.entries().empty());

  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary | std::ios::trunc);
    std::vector<char> entry(34, 0);
    entry[1] = 1;  // version 1
    f.write(entry.data(), 34);
  }
  transaction_index future;
  BOOST_TEST(!open_index(future, path));
}

BOOST_AUTO_TEST_CASE(the_same_marker_twice_is_added_once_and_truncation_drops_later_markers) {
  temp_dir dir;
  transaction_index idx;
  open_index(idx, dir.path() / "x.txnindex");
  BOOST_TEST(idx.add(txn(1, 0, 5, 6)).value());
  BOOST_TEST(!idx.add(txn(1, 0, 5, 6)).value());
  BOOST_TEST(!idx.add(txn(2, 1, 4, 6)).value());  // not after the last marker: a replay
  BOOST_TEST(idx.add(txn(2, 1, 9, 10)).value());
  BOOST_TEST(idx.add(txn(3, 7, 12, 13)).value());
  BOOST_REQUIRE(idx.truncate_from(offset{9}).has_value());
  BOOST_REQUIRE_EQUAL(idx.entries().size(), 1u);
  BOOST_TEST(idx.entries()[0].last_offset == offset{5});
}

BOOST_AUTO_TEST_CASE(collect_finds_the_overlapping_aborts_and_stops_at_the_last_stable_offset) {
  temp_dir dir;
  transaction_index idx;
  open_index(idx, dir.path() / "x.txnindex");
  // (pid, first, marker, lso)
  BOOST_TEST(idx.add(txn(1, 0, 10, 11)).value());
  BOOST_TEST(idx.add(txn(2, 5, 15, 12)).value());  // pid 3 was still open from 12
  BOOST_TEST(idx.add(txn(3, 12, 30, 31)).value());
  BOOST_TEST(idx.add(txn(4, 40, 50, 51)).value());

  std::vector<aborted_txn> out;
  // [11, 20): marker 10 is before the range, first 40 after it.
  BOOST_TEST(idx.collect(offset{11}, offset{20}, out));  // lso 31 >= 20: complete
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(out[0].producer_id == 2);
  BOOST_TEST(out[1].producer_id == 3);

  out.clear();
  BOOST_TEST(!idx.collect(offset{45}, offset{60}, out));  // no lso reaches 60: the next segment may hold more
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_TEST(out[0].producer_id == 4);
}

BOOST_AUTO_TEST_CASE(aborts_are_collected_across_segments_and_survive_reopen) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 300;
  {
    auto log = open_log(dir.path(), cfg);
    replicate(*log, txn_data(0, 1, 2, 0));  // 0-1   pid 1 opens
    replicate(*log, txn_data(2, 2, 2, 0));  // 2-3   pid 2 opens
    replicate(*log, marker_bytes(1, 0, false, 0, 4));  // 4     pid 1 aborts; pid 2 still open from 2
    BOOST_REQUIRE(log->add_aborted_txn(txn(1, 0, 4, 2)).has_value());
    replicate(*log, txn_data(5, 2, 2, 2));  // 5-6
    replicate(*log, marker_bytes(2, 0, false, 0, 7));  // 7     pid 2 aborts
    BOOST_REQUIRE(log->add_aborted_txn(txn(2, 2, 7, 8)).has_value());
    BOOST_TEST(log->segment_count() > 1u);
    const auto all = log->collect_aborted(offset{0}, offset{8});
    BOOST_REQUIRE_EQUAL(all.size(), 2u);
    BOOST_TEST((all[0] == txn(1, 0, 4, 2)));
    BOOST_TEST((all[1] == txn(2, 2, 7, 8)));
  }
  auto log = open_log(dir.path(), cfg);
  BOOST_TEST(log->collect_aborted(offset{5}, offset{8}).size() == 1u);  // marker 4 is before 5
  BOOST_TEST(log->collect_aborted(offset{0}, offset{2}).size() == 1u);  // pid 2 starts at 2
  BOOST_TEST(log->collect_aborted(offset{8}, offset{8}).empty());
}

BOOST_AUTO_TEST_CASE(a_missing_or_torn_index_is_rebuilt_from_the_log) {
  temp_dir dir;
  auto cfg = small_config();
  cfg.segment_bytes = 300;
  std::vector<aborted_txn> before;
  std::vector<std::int64_t> bases;
  {
    auto log = open_log(dir.path(), cfg);
    replicate(*log, txn_data(0, 1, 2, 0));  // pid 1 opens at 0
    replicate(*log, txn_data(2, 2, 2, 0));  // pid 2 opens at 2
    replicate(*log, marker_bytes(1, 0, false, 0, 4));  // pid 1 aborts (lso 2: pid 2 open)
    BOOST_REQUIRE(log->add_aborted_txn(txn(1, 0, 4, 2)).has_value());
    replicate(*log, marker_bytes(2, 0, true, 0, 5));  // pid 2 commits: no entry
    replicate(*log, txn_data(6, 1, 1, 2));  // pid 1 opens again at 6
    replicate(*log, marker_bytes(1, 0, false, 0, 7));  // and aborts (lso 8)
    BOOST_REQUIRE(log->add_aborted_txn(txn(1, 6, 7, 8)).has_value());
    replicate(*log, marker_bytes(3, 0, false, 0, 8));  // pid 3 never opened: no entry
    before = log->collect_aborted(offset{0}, offset{9});
    BOOST_REQUIRE_EQUAL(before.size(), 2u);
  }
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (auto b = parse_segment_file(e.path().filename().string(), log_format::log_suffix)) bases.push_back((*b)());
  std::sort(bases.begin(), bases.end());
  BOOST_REQUIRE(bases.size() >= 2u);
  // Every segment's index: one deleted, the others torn.
  for (std::size_t i = 0; i < bases.size(); ++i) {
    const auto p = txn_file(dir.path(), bases[i]);
    BOOST_REQUIRE(std::filesystem::exists(p));
    if (i == 0)
      std::filesystem::remove(p);
    else
      std::ofstream(p, std::ios::app | std::ios::binary) << 'x';
  }
  auto log = open_log(dir.path(), cfg);
  BOOST_TEST((log->collect_aborted(offset{0}, offset{9}) == before));
  for (auto b : bases) BOOST_TEST(std::filesystem::file_size(txn_file(dir.path(), b)) % 34 == 0);
}

BOOST_AUTO_TEST_CASE(entries_go_with_truncation_and_deleted_segments) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  replicate(*log, txn_data(0, 1, 2, 0));
  replicate(*log, marker_bytes(1, 0, false, 0, 2));
  BOOST_REQUIRE(log->add_aborted_txn(txn(1, 0, 2, 3)).has_value());
  replicate(*log, txn_data(3, 1, 2, 2));
  replicate(*log, marker_bytes(1, 0, false, 0, 5));
  BOOST_REQUIRE(log->add_aborted_txn(txn(1, 3, 5, 6)).has_value());
  BOOST_TEST(log->collect_aborted(offset{0}, offset{6}).size() == 2u);

  BOOST_REQUIRE(log->truncate_to(offset{5}).has_value());  // the second marker goes
  BOOST_TEST(log->collect_aborted(offset{0}, offset{6}).size() == 1u);
  BOOST_TEST(std::filesystem::file_size(txn_file(dir.path(), 0)) == 34u);

  BOOST_REQUIRE(log->truncate_fully_and_start_at(offset{100}).has_value());
  BOOST_TEST(!std::filesystem::exists(txn_file(dir.path(), 0)));
  BOOST_TEST(std::filesystem::exists(txn_file(dir.path(), 100)));
  BOOST_TEST(log->collect_aborted(offset{100}, offset{200}).empty());
}

BOOST_AUTO_TEST_CASE(an_entry_past_a_torn_tail_is_dropped_at_open) {
  temp_dir dir;
  {
    auto log = open_log(dir.path(), small_config());
    replicate(*log, txn_data(0, 1, 2, 0));
    replicate(*log, marker_bytes(1, 0, false, 0, 2));
    BOOST_REQUIRE(log->add_aborted_txn(txn(1, 0, 2, 3)).has_value());
  }
  // The marker's batch is torn off; its index entry survived.
  const auto seg = segment_file(dir.path(), offset{0}, log_format::log_suffix);
  std::filesystem::resize_file(seg, std::filesystem::file_size(seg) - 3);
  auto log = open_log(dir.path(), small_config());
  BOOST_TEST(log->log_end_offset() == offset{2});
  BOOST_TEST(log->collect_aborted(offset{0}, offset{10}).empty());
}

BOOST_AUTO_TEST_CASE(a_read_committed_read_stops_at_the_lso_and_names_the_aborts_it_returned) {
  temp_dir dir;
  auto log = open_log(dir.path(), small_config());
  replicate(*log, txn_data(0, 1, 2, 0));  // 0-1 pid 1
  replicate(*log, txn_data(2, 2, 2, 0));  // 2-3 pid 2
  replicate(*log, marker_bytes(1, 0, false, 0, 4));  // 4   pid 1 aborts; pid 2 open from 2
  BOOST_REQUIRE(log->add_aborted_txn(txn(1, 0, 4, 2)).has_value());
  replicate(*log, txn_data(5, 3, 1, 0));  // 5   pid 3

  auto read = [&](std::int64_t from, std::int64_t lso, std::vector<aborted_txn>& aborted) {
    std::vector<std::byte> bytes;
    auto r = log->read_committed(
        offset{from}, 1 << 20, true,
        [&](std::size_t n) {
          bytes.resize(n);
          return std::span<std::byte>(bytes);
        },
        offset{lso}, aborted);
    std::vector<std::int64_t> bases;
    protocol::batch_iterator it(std::span<const std::byte>(bytes.data(), r.bytes));
    while (auto b = it.next()) bases.push_back(protocol::batch_header(*b).base_offset());
    return bases;
  };
  std::vector<aborted_txn> aborted;
  BOOST_TEST((read(0, 2, aborted) == std::vector<std::int64_t>{0}));
  BOOST_REQUIRE_EQUAL(aborted.size(), 1u);
  BOOST_TEST((aborted[0] == txn(1, 0, 4, 2)));

  aborted.clear();
  BOOST_TEST(read(0, 1, aborted).empty());  // the batch holding the LSO is not handed out
  BOOST_TEST(aborted.empty());

  aborted.clear();
  BOOST_TEST((read(2, 6, aborted) == std::vector<std::int64_t>{2, 4, 5}));
  BOOST_TEST(aborted.size() == 1u);  // marker 4 is in the range

  aborted.clear();
  BOOST_TEST((read(5, 6, aborted) == std::vector<std::int64_t>{5}));
  BOOST_TEST(aborted.empty());  // pid 1's abort ended before 5
}

BOOST_AUTO_TEST_SUITE_END()
