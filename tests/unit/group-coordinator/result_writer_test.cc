// The result model on its own, with a fake log: a change reaches memory
// only once its records are durable and never after a failed append; the
// answer goes out only then; one write per key at a time, the key's next
// operations running on what it left; closing answers everything once.
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/group-coordinator/result_writer.h"
#include "tests/unit/group-coordinator/fake_record_log.h"

using namespace sluice::group_coordinator;
using sluice::protocol::error_code;

namespace {

int code_of(error_code e) { return static_cast<int>(e); }

std::string failed_with(const std::string& key, error_code e) { return key + ":error " + std::to_string(code_of(e)); }

/// A toy coordinator: named counters, each operation adds to one and
/// answers the value it will have.
struct counters {
  test::fake_record_log log;
  result_writer writer{log, 0, 1};
  std::map<std::string, int> value;
  std::vector<std::string> answers;  // "<key>=<value>" or "<key>:error <code>"

  std::function<coordinator_result<int>()> add(const std::string& key, int n) {
    return [this, key, n] {
      coordinator_result<int> r;
      const int next = value[key] + n;
      if (n != 0) r.records.push_back({key, std::to_string(next)});
      r.response = next;
      r.apply = [this, key, next] { value[key] = next; };
      r.failed = [](error_code e) { return -code_of(e); };
      return r;
    };
  }
  void run(const std::string& key, int n) {
    writer.run<int>(
        key, add(key, n),
        [this, key](int v) {
          answers.push_back(v >= 0 ? key + "=" + std::to_string(v) : failed_with(key, static_cast<error_code>(-v)));
        },
        [](error_code e) { return -code_of(e); });
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(result_writer_model)

BOOST_AUTO_TEST_CASE(a_change_is_applied_and_answered_once_durable) {
  counters c;
  c.run("a", 5);
  BOOST_TEST(c.value["a"] == 0);  // written, not durable
  BOOST_TEST(c.answers.empty());
  BOOST_TEST(c.writer.writing("a"));
  c.log.complete();
  BOOST_TEST(c.value["a"] == 5);
  BOOST_TEST(c.answers == (std::vector<std::string>{"a=5"}), boost::test_tools::per_element());
  BOOST_TEST(!c.writer.writing("a"));
}

BOOST_AUTO_TEST_CASE(nothing_to_write_is_applied_and_answered_at_once) {
  counters c;
  c.value["a"] = 3;
  c.run("a", 0);
  BOOST_TEST(c.log.pending.empty());
  BOOST_TEST(c.answers == (std::vector<std::string>{"a=3"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_append_changes_nothing_and_answers_the_error) {
  counters c;
  c.run("a", 5);
  c.log.complete(error_code::coordinator_not_available);
  BOOST_TEST(c.value["a"] == 0);
  BOOST_TEST(c.answers == (std::vector<std::string>{failed_with("a", error_code::coordinator_not_available)}),
             boost::test_tools::per_element());
  BOOST_TEST(c.log.written.empty());
}

BOOST_AUTO_TEST_CASE(operations_of_a_key_wait_for_its_write_and_see_what_it_left) {
  counters c;
  c.run("a", 1);
  c.run("a", 10);  // waits: computed from 0 it would lose the first
  c.run("b", 100);  // another key does not wait
  BOOST_TEST(c.log.pending.size() == 2u);
  c.log.complete();  // a+1 and b+100 durable; a+10 runs on a=1
  BOOST_TEST(c.value["a"] == 1);
  BOOST_TEST(c.log.pending.size() == 1u);
  c.log.complete();
  BOOST_TEST(c.value["a"] == 11);
  BOOST_TEST(c.value["b"] == 100);
  BOOST_TEST(c.answers == (std::vector<std::string>{"a=1", "b=100", "a=11"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(after_a_failure_its_follow_up_runs_before_what_waited) {
  counters c;
  std::vector<std::string> order;
  auto failing = c.add("a", 1);
  c.writer.run<int>(
      "a",
      [&] {
        auto r = failing();
        r.after_failure = [&] {
          order.push_back("follow-up");
          c.run("a", 100);  // runs at once: the key is free, ahead of the queue
        };
        return r;
      },
      [&](int) { order.push_back("answered"); }, [](error_code) { return 0; });
  c.writer.run<int>("a", c.add("a", 10), [&](int) { order.push_back("waited"); }, [](error_code) { return 0; });
  c.log.complete(error_code::not_coordinator);
  BOOST_TEST(order == (std::vector<std::string>{"answered", "follow-up"}), boost::test_tools::per_element());
  c.log.complete();
  BOOST_TEST(c.value["a"] == 100);
  c.log.complete();
  BOOST_TEST(c.value["a"] == 110);
  BOOST_TEST(order.back() == "waited");
}

BOOST_AUTO_TEST_CASE(closing_answers_writes_and_waiting_operations_once) {
  counters c;
  c.run("a", 1);
  c.run("a", 2);
  c.writer.close();
  const auto closed = failed_with("a", error_code::not_coordinator);
  BOOST_TEST(c.answers == (std::vector<std::string>{closed, closed}), boost::test_tools::per_element());
  c.log.complete_all();  // the late completion applies and answers nothing
  BOOST_TEST(c.value["a"] == 0);
  BOOST_TEST(c.answers.size() == 2u);
  c.run("a", 3);  // refused at once
  BOOST_TEST(c.answers.back() == closed);
  BOOST_TEST(c.log.pending.empty());
}

BOOST_AUTO_TEST_CASE(writes_without_a_key_hold_nothing) {
  counters c;
  coordinator_result<int> r = c.add("offsets", 1)();
  std::optional<int> answer;
  c.writer.write<int>(std::move(r), [&](int v) { answer = v; });
  BOOST_TEST(!c.writer.writing("offsets"));
  c.run("offsets", 5);  // not queued behind the keyless write
  BOOST_TEST(c.log.pending.size() == 2u);
  c.log.complete();
  BOOST_REQUIRE(answer);
  BOOST_TEST(*answer == 1);
}

BOOST_AUTO_TEST_SUITE_END()
