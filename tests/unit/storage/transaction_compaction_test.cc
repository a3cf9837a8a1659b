// Log compaction of transactional data (Kafka's LogCleaner rules): aborted
// records go whatever their keys and never shadow committed ones, markers
// stay while their transaction's data does and then until the delete
// horizon, the .txnindex follows the rewrite, and a producer's last batch
// stays as an empty header.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/base/endian.h"
#include "common/logging/logger.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/log_cleaner.h"
#include "services/partition-server/storage/log_format.h"
#include "services/partition-server/storage/segment.h"
#include "tests/unit/storage/log_fixture.h"
#include "tests/unit/storage/producer_batches.h"

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

config::log_config compact_config(std::int64_t delete_retention_ms = 86400000) {
  return config::make_log_config({{"cleanup.policy", "compact"},
                                  {"segment.bytes", "400"},
                                  {"min.cleanable.dirty.ratio", "0"},
                                  {"delete.retention.ms", std::to_string(delete_retention_ms)}});
}

/// One batch at `base`: records `kvs`; `pid` >= 0 makes it transactional.
std::vector<std::byte> batch_at(std::int64_t base, const std::vector<std::pair<std::string, std::string>>& kvs,
                                std::int64_t pid = -1) {
  std::vector<protocol::record_to_build> records;
  for (const auto& [k, v] : kvs) records.push_back({.key = k, .value = v, .headers = {}, .timestamp = 1000});
  protocol::batch_build_options o{.base_offset = base, .partition_leader_epoch = 0};
  if (pid >= 0) {
    o.transactional = true;
    o.producer_id = pid;
    o.producer_epoch = 0;
    o.base_sequence = 0;
  }
  return protocol::build_batch(records, o);
}

/// A non-transactional batch of idempotent producer `pid` at `base`.
std::vector<std::byte> idempotent_at(std::int64_t base, const std::string& key, std::int64_t pid, std::int32_t seq) {
  const std::vector<protocol::record_to_build> records{{.key = key, .value = "x", .headers = {}, .timestamp = 1000}};
  return protocol::build_batch(records, {.base_offset = base, .partition_leader_epoch = 0, .producer_id = pid,
                                         .producer_epoch = 0, .base_sequence = seq});
}

void replicate(partition_log& log, std::vector<std::byte> batch) {
  auto r = log.append_replicated(batch, 5000);
  BOOST_REQUIRE_MESSAGE(r.error == append_errc::ok, r.message);
}

struct seen_batch {
  std::int64_t base = 0;
  bool control = false;
  std::int32_t count = 0;
  std::vector<std::string> values;  // of data records
};

std::vector<seen_batch> batches_of(partition_log& log) {
  auto out = read_all(log, log.log_start_offset()(), 1 << 24);
  std::vector<seen_batch> seen;
  std::vector<std::byte> scratch;
  protocol::batch_iterator it(out.bytes);
  while (auto b = it.next()) {
    const protocol::batch_header h(*b);
    seen_batch s{h.base_offset(), h.is_control(), h.records_count(), {}};
    std::span<const std::byte> records;
    BOOST_REQUIRE(protocol::batch_records(*b, scratch, records, 1 << 26).empty());
    protocol::for_each_record(records, h.records_count(), [&](const protocol::record_view& r) {
      if (!h.is_control() && r.value) s.values.emplace_back(reinterpret_cast<const char*>(r.value->data()), r.value->size());
    });
    seen.push_back(std::move(s));
  }
  return seen;
}

std::vector<std::string> values_of(partition_log& log) {
  std::vector<std::string> out;
  for (const auto& b : batches_of(log)) out.insert(out.end(), b.values.begin(), b.values.end());
  return out;
}

std::vector<std::int64_t> markers_of(partition_log& log) {
  std::vector<std::int64_t> out;
  for (const auto& b : batches_of(log))
    if (b.control) out.push_back(b.base);
  return out;
}

/// Fills sealed segments after the transactions with other keys, so the
/// transactions' segments are cleanable below `upper`.
void roll_past(partition_log& log, int n = 8) {
  for (int i = 0; i < n; ++i) replicate(log, batch_at(log.log_end_offset()(), {{"z" + std::to_string(i), "z"}}));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transaction_compaction)

BOOST_AUTO_TEST_CASE(aborted_records_go_and_never_shadow_committed_ones) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  replicate(*log, batch_at(0, {{"k1", "aborted-1"}, {"k2", "aborted-2"}}, 1));  // 0-1 pid 1
  replicate(*log, batch_at(2, {{"k5", "committed-5"}}));                        // 2
  replicate(*log, batch_at(3, {{"k5", "aborted-5"}}, 1));                       // 3 pid 1, a later k5
  replicate(*log, marker_bytes(1, 0, false, 0, 4));                                   // 4 ABORT
  BOOST_REQUIRE(log->add_aborted_txn({1, offset{0}, offset{4}, offset{5}}).has_value());
  replicate(*log, batch_at(5, {{"k3", "committed-3"}}, 2));                     // 5 pid 2
  replicate(*log, marker_bytes(2, 0, true, 0, 6));                                    // 6 COMMIT
  roll_past(*log);
  BOOST_REQUIRE(!log->clean(100000).failed);

  const auto values = values_of(*log);
  BOOST_TEST((std::vector<std::string>(values.begin(), values.begin() + 2) ==
              std::vector<std::string>{"committed-5", "committed-3"}));
  // Both markers stay: this cleaning still saw their transactions' data.
  BOOST_TEST((markers_of(*log) == std::vector<std::int64_t>{4, 6}));
  // The ABORT keeps its entry, in the rewritten segment's .txnindex.
  const auto aborted = log->collect_aborted(offset{0}, offset{7});
  BOOST_REQUIRE_EQUAL(aborted.size(), 1u);
  BOOST_TEST(aborted[0].producer_id == 1);

  // Survives a reopen (the .txnindex went with the swap).
  log.reset();
  log = open_log(dir.path(), compact_config());
  BOOST_TEST(log->collect_aborted(offset{0}, offset{7}).size() == 1u);
  BOOST_TEST(values_of(*log).front() == "committed-5");
}

BOOST_AUTO_TEST_CASE(markers_go_once_their_data_is_gone_and_the_horizon_passed) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config(1000));
  replicate(*log, batch_at(0, {{"k1", "a"}}, 1));    // 0 pid 1
  replicate(*log, marker_bytes(1, 0, false, 0, 1));         // 1 ABORT
  BOOST_REQUIRE(log->add_aborted_txn({1, offset{0}, offset{1}, offset{2}}).has_value());
  replicate(*log, batch_at(2, {{"k2", "b"}}, 2));    // 2 pid 2
  replicate(*log, marker_bytes(2, 0, true, 0, 3));          // 3 COMMIT
  replicate(*log, batch_at(4, {{"k2", "c"}}));       // 4 supersedes pid 2's k2
  roll_past(*log);

  // The first cleaning removes the aborted record and the superseded one;
  // both markers still saw data, and the horizon (1000 + 1000) has not passed.
  BOOST_REQUIRE(!log->clean(1500).failed);
  BOOST_TEST((markers_of(*log) == std::vector<std::int64_t>{1, 3}));
  BOOST_TEST(values_of(*log).front() == "c");

  // The horizon passed, but each producer's last batch is one of the
  // transactions' (kept as an empty header for its state): Kafka still
  // counts it as the transaction's data, so both markers stay.
  roll_past(*log, 4);
  BOOST_REQUIRE(!log->clean(100000).failed);
  BOOST_TEST((markers_of(*log) == std::vector<std::int64_t>{1, 3}));
  const auto kept = batches_of(*log);
  BOOST_TEST(kept[0].base == 0);
  BOOST_TEST(kept[0].count == 0);

  // Both producers write again: their transactions' batches stop holding
  // their state, go at the next cleaning, and the markers at the one after.
  replicate(*log, idempotent_at(log->log_end_offset()(), "p1", 1, 1));
  replicate(*log, idempotent_at(log->log_end_offset()(), "p2", 2, 1));
  roll_past(*log, 4);
  BOOST_REQUIRE(!log->clean(100000).failed);
  roll_past(*log, 4);
  BOOST_REQUIRE(!log->clean(200000).failed);
  BOOST_TEST(markers_of(*log).empty());
  BOOST_TEST(batches_of(*log).front().base == 4);  // "c": nothing before it is left
  BOOST_TEST(log->collect_aborted(offset{0}, offset{4}).empty());
}

BOOST_AUTO_TEST_CASE(nothing_at_or_past_the_upper_bound_is_cleaned) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  replicate(*log, batch_at(0, {{"k1", "old"}}));
  replicate(*log, batch_at(1, {{"k1", "open-txn"}}, 1));  // pid 1's transaction is open: the LSO is 1
  roll_past(*log);
  replicate(*log, batch_at(log->log_end_offset()(), {{"k1", "new"}}));
  roll_past(*log);
  BOOST_REQUIRE(!log->clean(100000, offset{1}).failed);  // bounded by the LSO
  const auto values = values_of(*log);
  BOOST_TEST(values.front() == "old");
  BOOST_TEST(values[1] == "open-txn");
}

BOOST_AUTO_TEST_CASE(an_empty_batch_keeps_a_producers_state) {
  temp_dir dir;
  {
    auto log = open_log(dir.path(), compact_config(0));
    replicate(*log, batch_at(0, {{"k1", "a"}}, 7));  // pid 7's last data batch (ends at 0)
    replicate(*log, marker_bytes(7, 0, true, 0, 1));
    replicate(*log, batch_at(2, {{"k1", "b"}}));     // supersedes its record
  }
  auto logger = logging::get("storage");
  auto opened = segment::open(dir.path(), offset{0}, 4096, logger);
  BOOST_REQUIRE(opened.has_value());
  auto seg = std::move(opened).value();
  BOOST_REQUIRE(seg->check_indexes().has_value());
  offset_map latest;
  latest.put("k1", offset{2});

  auto rewrite = [&](const active_producers* producers) {
    cleaned_transactions txns;
    const retention_rules rules{&latest, 100000, 0, &txns, producers};
    const auto out = dir.path() / "rewrite";
    BOOST_REQUIRE(write_cleaned_segment(*seg, rules, out, *logger).has_value());
    std::vector<std::byte> bytes(std::filesystem::file_size(out));
    std::ifstream(out, std::ios::binary).read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    std::vector<std::pair<std::int64_t, std::int32_t>> batches;  // (base, records)
    protocol::batch_iterator it(bytes);
    while (auto b = it.next()) {
      BOOST_TEST(protocol::batch_is_intact(*b));
      const protocol::batch_header h(*b);
      batches.emplace_back(h.base_offset(), h.records_count());
      if (h.records_count() == 0) {
        BOOST_TEST(h.producer_id() == 7);
        BOOST_TEST(h.last_offset() == 0);
        BOOST_TEST(h.is_transactional());
      }
    }
    return batches;
  };
  const active_producers producers{{7, producer_last_record{offset{0}, 0}}};
  // Kept as an empty header; its COMMIT saw its batch, so it stays too.
  BOOST_TEST((rewrite(&producers) == std::vector<std::pair<std::int64_t, std::int32_t>>{{0, 0}, {1, 1}, {2, 1}}));
  // Without the producer's state to keep, the emptied batch goes.
  BOOST_TEST((rewrite(nullptr) == std::vector<std::pair<std::int64_t, std::int32_t>>{{1, 1}, {2, 1}}));
}

BOOST_AUTO_TEST_SUITE_END()
