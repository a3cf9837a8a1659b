// The storage a follower and truncation by epoch need: the leader epoch
// cache, replicated appends, truncation, and reads bounded by the high
// watermark.
#include <boost/test/unit_test.hpp>

#include "services/partition-server/storage/leader_epoch_cache.h"
#include "tests/unit/storage/log_fixture.h"

namespace sluice::storage::test {

BOOST_AUTO_TEST_SUITE(leader_epochs)

BOOST_AUTO_TEST_CASE(end_offsets_follow_kafka) {
  temp_dir dir;
  leader_epoch_cache c(dir.path());
  BOOST_TEST(c.end_offset_for(leader_epoch{0}, offset{10}).epoch == no_leader_epoch);
  BOOST_TEST(c.assign(leader_epoch{1}, offset{0}));
  BOOST_TEST(c.assign(leader_epoch{3}, offset{50}));
  BOOST_TEST(!c.assign(leader_epoch{2}, offset{60}));  // older epochs never come back
  BOOST_TEST(c.latest_epoch() == leader_epoch{3});
  auto e = c.end_offset_for(leader_epoch{3}, offset{90});
  BOOST_TEST(e.epoch == leader_epoch{3});
  BOOST_TEST(e.end_offset == offset{90});
  e = c.end_offset_for(leader_epoch{2}, offset{90});  // floor epoch 1 ends where 3 starts
  BOOST_TEST(e.epoch == leader_epoch{1});
  BOOST_TEST(e.end_offset == offset{50});
  e = c.end_offset_for(leader_epoch{0}, offset{90});  // before every entry: Kafka answers the asked epoch
  BOOST_TEST(e.epoch == leader_epoch{0});
  BOOST_TEST(e.end_offset == offset{0});
  e = c.end_offset_for(leader_epoch{7}, offset{90});  // newer than anything here
  BOOST_TEST(e.epoch == no_leader_epoch);
  BOOST_TEST(e.end_offset == no_offset);
}

BOOST_AUTO_TEST_CASE(persists_and_truncates) {
  temp_dir dir;
  {
    leader_epoch_cache c(dir.path());
    c.assign(leader_epoch{0}, offset{0});
    c.assign(leader_epoch{2}, offset{10});
    c.assign(leader_epoch{5}, offset{30});
    BOOST_TEST(c.truncate_from_end(offset{30}));
    BOOST_REQUIRE(c.persist().has_value());
  }
  leader_epoch_cache back(dir.path());
  BOOST_REQUIRE(back.load());
  BOOST_TEST(back.entries().size() == 2u);
  BOOST_TEST(back.latest_epoch() == leader_epoch{2});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(follower_log)

/// A leader log with batches of 5 records at epochs 0, 0, 2, 2, 4.
std::unique_ptr<partition_log> leader_log(const std::filesystem::path& dir) {
  auto log = open_log(dir, small_config());
  for (int epoch : {0, 0, 2, 2, 4}) BOOST_REQUIRE(append_batch(*log, make_batch(5), 5000, epoch).error == append_errc::ok);
  return log;
}

BOOST_AUTO_TEST_CASE(leader_appends_record_their_epochs) {
  temp_dir dir;
  auto log = leader_log(dir.path());
  BOOST_TEST(log->latest_epoch() == leader_epoch{4});
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{0}).end_offset == offset{10});
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{2}).end_offset == offset{20});
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{4}).end_offset == offset{25});
  log->close();
  auto again = open_log(dir.path(), small_config());
  BOOST_TEST(again->end_offset_for_epoch(leader_epoch{2}).end_offset == offset{20});
}

BOOST_AUTO_TEST_CASE(replicated_bytes_keep_offsets_and_epochs) {
  temp_dir a, b;
  auto leader = leader_log(a.path());
  auto copy = read_all(*leader, 0, 1 << 20);
  auto follower = open_log(b.path(), small_config());
  auto r = follower->append_replicated(copy.bytes, 6000);
  BOOST_TEST((r.error == append_errc::ok));
  BOOST_TEST(follower->log_end_offset() == offset{25});
  BOOST_TEST(follower->latest_epoch() == leader_epoch{4});
  BOOST_TEST(follower->end_offset_for_epoch(leader_epoch{0}).end_offset == offset{10});
  auto mine = read_all(*follower, 0, 1 << 20);
  BOOST_TEST(mine.bytes == copy.bytes);
}

/// The batch of `leader` that holds `offset`, as a fetch returns it.
std::vector<std::byte> batch_at(partition_log& leader, std::int64_t offset) {
  auto out = read_all(leader, offset, 1, true);
  BOOST_REQUIRE(out.batches.size() == 1u);
  return out.bytes;
}

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
  std::vector<std::byte> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

BOOST_AUTO_TEST_CASE(replicated_append_refuses_overlaps_disorder_and_corruption_whole) {
  temp_dir a, b;
  auto leader = leader_log(a.path());
  auto follower = open_log(b.path(), small_config());
  BOOST_REQUIRE(follower->append_replicated(concat({batch_at(*leader, 0), batch_at(*leader, 5)}), 6000).error ==
                append_errc::ok);
  // Offsets 5..9 are here already.
  auto overlap = concat({batch_at(*leader, 5), batch_at(*leader, 10)});
  BOOST_TEST((follower->append_replicated(overlap, 6000).error == append_errc::invalid_record));
  // Each batch must start after the previous one ends.
  auto backwards = concat({batch_at(*leader, 15), batch_at(*leader, 10)});
  BOOST_TEST((follower->append_replicated(backwards, 6000).error == append_errc::invalid_record));
  auto rest = read_all(*leader, 10, 1 << 20);
  rest.bytes[rest.bytes.size() - 3] ^= std::byte{0x55};  // the last batch's CRC fails
  BOOST_TEST((follower->append_replicated(rest.bytes, 6000).error == append_errc::corrupt_message));
  BOOST_TEST(follower->log_end_offset() == offset{10});  // nothing of the good batches went in either
}

BOOST_AUTO_TEST_CASE(replicated_and_leader_appends_share_the_record_set_framing) {
  temp_dir a, b;
  auto leader = leader_log(a.path());
  auto follower = open_log(b.path(), small_config());
  auto empty = follower->append_replicated({}, 6000);
  BOOST_TEST((empty.error == append_errc::corrupt_message));
  BOOST_TEST(empty.message == "no record batch");
  auto torn = batch_at(*leader, 0);
  torn.resize(torn.size() - 1);
  auto r = follower->append_replicated(torn, 6000);
  BOOST_TEST((r.error == append_errc::corrupt_message));
  BOOST_TEST(r.message == "record set has " + std::to_string(torn.size()) + " bytes that are not a whole batch");
  BOOST_TEST(follower->log_end_offset() == offset{0});
}

BOOST_AUTO_TEST_CASE(replicated_append_accepts_gaps) {
  // A compacted leader log has offsets no batch holds any more; a follower
  // fetching from its log end gets the next batch there is (Kafka allows
  // the same: offsets only have to grow).
  temp_dir a, b;
  auto leader = leader_log(a.path());
  auto follower = open_log(b.path(), small_config());
  auto r = follower->append_replicated(concat({batch_at(*leader, 10), batch_at(*leader, 20)}), 6000);
  BOOST_TEST((r.error == append_errc::ok), r.message);
  BOOST_TEST(follower->log_start_offset() == offset{0});
  BOOST_TEST(follower->log_end_offset() == offset{25});
  auto out = read_all(*follower, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == 2u);
  BOOST_TEST(out.batches.front().base == 10);
  BOOST_TEST(read_all(*follower, 15, 1 << 20).batches.front().base == 20);
  BOOST_TEST(follower->end_offset_for_epoch(leader_epoch{2}).end_offset == offset{20});  // epoch 4 starts at its first batch
  follower->close();
  auto again = open_log(b.path(), small_config());
  BOOST_TEST(again->log_end_offset() == offset{25});
  BOOST_TEST(read_all(*again, 0, 1 << 20).batches.size() == 2u);
}

BOOST_AUTO_TEST_CASE(truncate_then_continue) {
  temp_dir dir;
  config::log_config cfg = small_config();
  cfg.segment_bytes = 1200;  // a few batches per segment: truncation crosses segments
  auto log = open_log(dir.path(), cfg);
  for (int i = 0; i < 12; ++i) BOOST_REQUIRE(append_batch(*log, make_batch(5), 5000, i < 6 ? 1 : 3).error == append_errc::ok);
  BOOST_REQUIRE(log->segment_count() > 2);
  BOOST_REQUIRE(log->truncate_to(offset{17}).has_value());  // inside batch 15..19: the whole batch goes
  BOOST_TEST(log->log_end_offset() == offset{15});
  BOOST_TEST(log->latest_epoch() == leader_epoch{1});
  BOOST_TEST(read_all(*log, 10, 1 << 20).batches.back().last == 14);
  BOOST_TEST((append_batch(*log, make_batch(5), 5000, 5).error == append_errc::ok));
  BOOST_TEST(log->log_end_offset() == offset{20});
  BOOST_TEST(log->end_offset_for_epoch(leader_epoch{1}).end_offset == offset{15});
  log->close();
  auto again = open_log(dir.path(), cfg);  // recovery agrees with the truncation
  BOOST_TEST(again->log_end_offset() == offset{20});
  auto out = read_all(*again, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == 4u);
  BOOST_TEST(again->offset_for_timestamp(1003).offset == offset{3});
}

BOOST_AUTO_TEST_CASE(truncate_fully_restarts_at_an_offset) {
  temp_dir dir;
  auto log = leader_log(dir.path());
  BOOST_REQUIRE(log->truncate_fully_and_start_at(offset{100}).has_value());
  BOOST_TEST(log->log_start_offset() == offset{100});
  BOOST_TEST(log->log_end_offset() == offset{100});
  BOOST_TEST(log->latest_epoch() == no_leader_epoch);
  auto r = append_batch(*log, make_batch(3), 5000, 6);
  BOOST_TEST(r.base_offset == offset{100});
  log->close();
  auto again = open_log(dir.path(), small_config());
  BOOST_TEST(again->log_start_offset() == offset{100});
  BOOST_TEST(again->log_end_offset() == offset{103});
}

BOOST_AUTO_TEST_CASE(reads_stop_before_the_bound) {
  temp_dir dir;
  auto log = leader_log(dir.path());
  auto out = read_all(*log, 0, 1 << 20);
  BOOST_TEST(out.batches.size() == 5u);
  read_output bounded;
  bounded.result = log->read(offset{0}, 1 << 20, true, [&](std::size_t n) {
    bounded.bytes.resize(n);
    return std::span<std::byte>(bounded.bytes);
  }, offset{15});
  protocol::batch_iterator it(bounded.bytes);
  int batches = 0;
  while (it.next()) ++batches;
  BOOST_TEST(batches == 3);
  std::size_t calls = 0;
  log->read(offset{15}, 1 << 20, true, [&](std::size_t n) {
    ++calls;
    bounded.bytes.resize(n);
    return std::span<std::byte>(bounded.bytes);
  }, offset{15});
  BOOST_TEST(calls == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sluice::storage::test
