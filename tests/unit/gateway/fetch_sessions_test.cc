// The fetch session rules (KIP-227) as Kafka's FetchSessionTest checks them:
// which partitions a request reads, which an answer names, the session
// errors, and the cache's eviction.
#include <array>
#include <limits>
#include <ostream>

#include <boost/test/unit_test.hpp>

#include "common/protocol/error_code.h"
#include "services/gateway/fetch_sessions.h"

namespace sluice::protocol {
// Boost.Test prints both sides of a failed comparison: Kafka's spelling.
inline std::ostream& boost_test_print_type(std::ostream& out, error_code code) { return out << to_string(code); }
}  // namespace sluice::protocol

using namespace sluice;
using namespace sluice::gateway;
using protocol::error_code;
using answer = protocol::fetch_response::partition_data;
using kind = fetch_context::kind;

namespace {

constexpr std::int64_t eviction_ms = 1000;
const std::array<std::byte, 3> some_records{std::byte{1}, std::byte{2}, std::byte{3}};

fetch_wanted wanted(const std::string& topic, std::int32_t partition, std::int64_t offset = 0) {
  fetch_wanted w;
  w.key = {.topic_id = {}, .topic = topic, .partition = partition};
  w.params.partition = partition;
  w.params.fetch_offset = offset;
  w.params.partition_max_bytes = 1 << 20;
  return w;
}

fetch_partition_key key(const std::string& topic, std::int32_t partition) {
  return {.topic_id = {}, .topic = topic, .partition = partition};
}

answer quiet(std::int64_t high_watermark, std::int64_t log_start = 0) {
  answer a;
  a.high_watermark = high_watermark;
  a.log_start_offset = log_start;
  a.records = std::span<const std::byte>(some_records.data(), 0);
  return a;
}

answer with_records(std::int64_t high_watermark, std::int64_t log_start = 0) {
  auto a = quiet(high_watermark, log_start);
  a.records = std::span<const std::byte>(some_records);
  return a;
}

std::vector<std::string> names(const fetch_context& context) {
  std::vector<std::string> out;
  for (const auto& w : context.partitions()) out.push_back(w.key.topic + "-" + std::to_string(w.key.partition));
  return out;
}

using strings = std::vector<std::string>;
using indices = std::vector<std::size_t>;

/// A session of t-0, t-1, t-2 at high watermark 10, opened at time 0.
std::int32_t open_three(fetch_session_cache& cache, std::int64_t now = 0) {
  auto context = cache.open(no_fetch_session, initial_fetch_epoch, false, {wanted("t", 0), wanted("t", 1), wanted("t", 2)},
                            {}, now);
  std::vector<answer> answers{quiet(10), quiet(10), quiet(10)};
  return context.finish(answers, now).session_id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_sessions)

BOOST_AUTO_TEST_CASE(epochs_advance_wrap_to_one_and_final_stays_final) {
  BOOST_TEST(next_fetch_epoch(initial_fetch_epoch) == 1);
  BOOST_TEST(next_fetch_epoch(41) == 42);
  BOOST_TEST(next_fetch_epoch(std::numeric_limits<std::int32_t>::max()) == 1);
  BOOST_TEST(next_fetch_epoch(final_fetch_epoch) == final_fetch_epoch);
}

BOOST_AUTO_TEST_CASE(final_epoch_is_a_full_fetch_without_a_session) {
  fetch_session_cache cache(10, eviction_ms);
  auto context = cache.open(no_fetch_session, final_fetch_epoch, false, {wanted("t", 0), wanted("u", 3)}, {}, 0);
  BOOST_TEST((context.type() == kind::sessionless));
  BOOST_TEST(names(context) == (strings{"t-0", "u-3"}), boost::test_tools::per_element());
  std::vector<answer> answers{quiet(5), quiet(6)};
  auto reply = context.finish(answers, 0);
  BOOST_TEST(reply.session_id == no_fetch_session);
  BOOST_TEST(reply.included == (indices{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(cache.size() == 0u);
}

BOOST_AUTO_TEST_CASE(initial_epoch_opens_a_session_expecting_epoch_one) {
  fetch_session_cache cache(10, eviction_ms);
  auto context = cache.open(no_fetch_session, initial_fetch_epoch, false, {wanted("t", 0), wanted("t", 1)}, {}, 0);
  BOOST_TEST((context.type() == kind::full));
  std::vector<answer> answers{quiet(5), with_records(6)};
  auto reply = context.finish(answers, 0);
  BOOST_TEST(reply.session_id != no_fetch_session);
  BOOST_TEST(reply.error == error_code::none);
  BOOST_TEST(reply.included == (indices{0, 1}), boost::test_tools::per_element());
  BOOST_TEST((cache.epoch_of(reply.session_id) == 1));
  BOOST_TEST(cache.size() == 1u);
  BOOST_TEST(cache.cached_partitions() == 2u);
}

BOOST_AUTO_TEST_CASE(incremental_reads_the_whole_session_and_names_only_what_changed) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  // An empty incremental request still reads every partition of the session.
  auto context = cache.open(id, 1, false, {}, {}, 1);
  BOOST_TEST((context.type() == kind::incremental));
  BOOST_TEST(names(context) == (strings{"t-0", "t-1", "t-2"}), boost::test_tools::per_element());
  BOOST_TEST((cache.epoch_of(id) == 2));
  // t-0 unchanged, t-1's high watermark moved, t-2's log start moved.
  std::vector<answer> answers{quiet(10), quiet(11), quiet(10, 4)};
  auto reply = context.finish(answers, 1);
  BOOST_TEST(reply.session_id == id);
  BOOST_TEST(reply.error == error_code::none);
  BOOST_TEST(reply.included == (indices{1, 2}), boost::test_tools::per_element());

  // The session remembered what it answered: the same answers again name nothing.
  auto again = cache.open(id, 2, false, {}, {}, 2);
  std::vector<answer> same{quiet(10), quiet(11), quiet(10, 4)};
  BOOST_TEST(again.finish(same, 2).included.empty());
}

BOOST_AUTO_TEST_CASE(records_errors_preferred_replicas_and_diverging_epochs_are_always_named) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto context = cache.open(id, 1, false, {}, {}, 1);
  std::vector<answer> answers{with_records(10), quiet(10), quiet(10)};
  answers[1].error_code = static_cast<std::int16_t>(error_code::not_leader_or_follower);
  answers[2].diverging_epoch.epoch = 3;
  BOOST_TEST(context.finish(answers, 1).included == (indices{0, 1, 2}), boost::test_tools::per_element());

  auto next = cache.open(id, 2, false, {}, {}, 2);
  BOOST_TEST(names(next) == (strings{"t-1", "t-2", "t-0"}), boost::test_tools::per_element());
  std::vector<answer> later{quiet(10), quiet(10), quiet(10)};
  later[2].preferred_read_replica = 2;
  // t-1 recovered at the same high watermark: named, since its error
  // forgot the high watermark the client had; t-2 has nothing new.
  BOOST_TEST(next.finish(later, 2).included == (indices{0, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_partition_that_answered_records_is_read_last_next_time) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto context = cache.open(id, 1, false, {}, {}, 1);
  std::vector<answer> answers{with_records(12), quiet(10), quiet(10)};
  context.finish(answers, 1);
  auto next = cache.open(id, 2, false, {}, {}, 2);
  BOOST_TEST(names(next) == (strings{"t-1", "t-2", "t-0"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(incremental_requests_add_update_and_forget_partitions) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto context = cache.open(id, 1, false, {wanted("t", 1, 77), wanted("u", 0, 5)}, {key("t", 0), key("v", 9)}, 1);
  BOOST_TEST((context.type() == kind::incremental));
  BOOST_TEST(names(context) == (strings{"t-1", "t-2", "u-0"}), boost::test_tools::per_element());
  BOOST_TEST(context.partitions()[0].params.fetch_offset == 77);
  BOOST_TEST(context.partitions()[2].params.fetch_offset == 5);
  std::vector<answer> answers{quiet(10), quiet(10), quiet(8)};
  // u-0 is new to the session: its first answer is always named.
  BOOST_TEST(context.finish(answers, 1).included == (indices{2}), boost::test_tools::per_element());
  BOOST_TEST(cache.cached_partitions() == 3u);

  // The updated offset stays for the requests that do not name t-1.
  auto next = cache.open(id, 2, false, {}, {}, 2);
  BOOST_TEST(next.partitions()[0].params.fetch_offset == 77);
}

BOOST_AUTO_TEST_CASE(forgetting_every_partition_closes_the_session) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto context = cache.open(id, 1, false, {}, {key("t", 0), key("t", 1), key("t", 2)}, 1);
  BOOST_TEST((context.type() == kind::sessionless));
  BOOST_TEST(context.partitions().empty());
  BOOST_TEST(context.finish({}, 1).session_id == no_fetch_session);
  BOOST_TEST(cache.size() == 0u);
  BOOST_TEST(cache.cached_partitions() == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_session_and_wrong_epoch_are_errors_that_leave_the_session_alone) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto unknown = cache.open(id + 1, 1, false, {wanted("t", 5)}, {}, 1);
  BOOST_TEST((unknown.type() == kind::session_error));
  BOOST_TEST(unknown.error() == error_code::fetch_session_id_not_found);
  BOOST_TEST(unknown.partitions().empty());
  auto reply = unknown.finish({}, 1);
  BOOST_TEST(reply.error == error_code::fetch_session_id_not_found);
  BOOST_TEST(reply.session_id == no_fetch_session);
  BOOST_TEST(reply.included.empty());

  auto stale = cache.open(id, 2, false, {wanted("t", 5)}, {key("t", 0)}, 1);
  BOOST_TEST(stale.error() == error_code::invalid_fetch_session_epoch);
  BOOST_TEST((cache.epoch_of(id) == 1));
  // Nothing of the refused request reached the session.
  auto right = cache.open(id, 1, false, {}, {}, 1);
  BOOST_TEST(names(right) == (strings{"t-0", "t-1", "t-2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_session_by_names_refuses_requests_by_ids_and_back) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto by_ids = cache.open(id, 1, true, {}, {}, 1);
  BOOST_TEST(by_ids.error() == error_code::fetch_session_topic_id_error);
  BOOST_TEST((cache.epoch_of(id) == 1));
}

BOOST_AUTO_TEST_CASE(sessions_by_topic_id_key_partitions_by_the_id) {
  fetch_session_cache cache(10, eviction_ms);
  protocol::uuid a{}, b{};
  a.bytes[0] = std::byte{1};
  b.bytes[0] = std::byte{2};
  auto by_id = [](protocol::uuid id, std::int32_t partition) {
    fetch_wanted w;
    w.key = {.topic_id = id, .topic = "", .partition = partition};
    w.params.partition = partition;
    return w;
  };
  auto context = cache.open(no_fetch_session, initial_fetch_epoch, true, {by_id(a, 0), by_id(b, 0)}, {}, 0);
  std::vector<answer> answers{quiet(1), quiet(1)};
  auto id = context.finish(answers, 0).session_id;
  BOOST_TEST(id != no_fetch_session);
  auto next = cache.open(id, 1, true, {}, {{.topic_id = a, .topic = "", .partition = 0}}, 1);
  BOOST_TEST(next.partitions().size() == 1u);
  BOOST_TEST((next.partitions()[0].key.topic_id == b));
  auto by_names = cache.open(id, 2, false, {}, {}, 1);
  BOOST_TEST(by_names.error() == error_code::fetch_session_topic_id_error);
}

BOOST_AUTO_TEST_CASE(a_full_fetch_closes_the_session_it_names) {
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto closing = cache.open(id, final_fetch_epoch, false, {wanted("t", 0)}, {}, 1);
  BOOST_TEST((closing.type() == kind::sessionless));
  BOOST_TEST(!cache.epoch_of(id).has_value());
  BOOST_TEST(cache.size() == 0u);

  auto id2 = open_three(cache);
  auto reopening = cache.open(id2, initial_fetch_epoch, false, {wanted("t", 0)}, {}, 1);
  BOOST_TEST(!cache.epoch_of(id2).has_value());
  std::vector<answer> answers{quiet(1)};
  auto id3 = reopening.finish(answers, 1).session_id;
  BOOST_TEST(id3 != no_fetch_session);
  BOOST_TEST(id3 != id2);
  BOOST_TEST(cache.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_request_answers_invalid_epoch_when_it_finishes_second) {
  // Two requests of one session in flight at once: the first, opened at
  // epoch 1, finishes after the second moved the session to epoch 3.
  fetch_session_cache cache(10, eviction_ms);
  auto id = open_three(cache);
  auto first = cache.open(id, 1, false, {}, {}, 1);
  auto second = cache.open(id, 2, false, {}, {}, 1);
  std::vector<answer> answers{quiet(11), quiet(11), quiet(11)};
  auto late = first.finish(answers, 2);
  BOOST_TEST(late.error == error_code::invalid_fetch_session_epoch);
  BOOST_TEST(late.session_id == id);
  BOOST_TEST(late.included.empty());
  auto current = second.finish(answers, 2);
  BOOST_TEST(current.error == error_code::none);
  BOOST_TEST(current.included.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_full_cache_refuses_a_new_session_while_the_others_are_young_and_busy) {
  fetch_session_cache cache(1, eviction_ms);
  auto id = open_three(cache);
  auto context = cache.open(no_fetch_session, initial_fetch_epoch, false,
                            {wanted("u", 0), wanted("u", 1), wanted("u", 2), wanted("u", 3)}, {}, 10);
  std::vector<answer> answers(4, quiet(1));
  BOOST_TEST(context.finish(answers, 10).session_id == no_fetch_session);
  BOOST_TEST((cache.epoch_of(id) == 1));
}

BOOST_AUTO_TEST_CASE(a_session_idle_past_the_eviction_time_makes_room) {
  fetch_session_cache cache(1, eviction_ms);
  auto id = open_three(cache, 0);
  auto context = cache.open(no_fetch_session, initial_fetch_epoch, false, {wanted("u", 0)}, {}, eviction_ms + 1);
  std::vector<answer> answers{quiet(1)};
  auto id2 = context.finish(answers, eviction_ms + 1).session_id;
  BOOST_TEST(id2 != no_fetch_session);
  BOOST_TEST(!cache.epoch_of(id).has_value());
  auto gone = cache.open(id, 1, false, {}, {}, eviction_ms + 2);
  BOOST_TEST(gone.error() == error_code::fetch_session_id_not_found);
}

BOOST_AUTO_TEST_CASE(an_old_busy_session_gives_way_only_to_a_larger_one) {
  fetch_session_cache cache(1, eviction_ms);
  auto id = open_three(cache, 0);
  // Used lately, but created more than eviction_ms ago: evictable by size.
  auto used = cache.open(id, 1, false, {}, {}, eviction_ms + 5);
  std::vector<answer> answers{quiet(10), quiet(10), quiet(10)};
  used.finish(answers, eviction_ms + 5);

  auto same_size = cache.open(no_fetch_session, initial_fetch_epoch, false,
                              {wanted("u", 0), wanted("u", 1), wanted("u", 2)}, {}, eviction_ms + 10);
  BOOST_TEST(same_size.finish(answers, eviction_ms + 10).session_id == no_fetch_session);
  BOOST_TEST((cache.epoch_of(id) == 2));

  auto larger = cache.open(no_fetch_session, initial_fetch_epoch, false,
                           {wanted("u", 0), wanted("u", 1), wanted("u", 2), wanted("u", 3)}, {}, eviction_ms + 10);
  std::vector<answer> four(4, quiet(1));
  BOOST_TEST(larger.finish(four, eviction_ms + 10).session_id != no_fetch_session);
  BOOST_TEST(!cache.epoch_of(id).has_value());
  BOOST_TEST(cache.cached_partitions() == 4u);
}

BOOST_AUTO_TEST_CASE(no_slots_means_no_sessions) {
  fetch_session_cache cache(0, eviction_ms);
  BOOST_TEST(open_three(cache) == no_fetch_session);
  BOOST_TEST(cache.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
