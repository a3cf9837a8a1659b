#pragma once
// What the shard tests share: a classic member joining, a stable classic
// group of one member, an offset value, and a shard over a fake log.
#include <string>
#include <utility>

#include "services/group-coordinator/group_shard.h"
#include "tests/unit/group-coordinator/fake_record_log.h"

namespace sluice::group_coordinator::test {

inline int code_of(error_code e) { return static_cast<int>(e); }

/// A catalog for classic requests that never reach a KIP-848 group.
inline const topic_catalog& no_topics() {
  static const topic_catalog none;
  return none;
}

/// A member joining a classic group without MEMBER_ID_REQUIRED (JoinGroup v3).
inline join_request dynamic_join(std::string subscription = "subscription") {
  join_request j;
  j.client_id = "c";
  j.client_host = "/10.0.0.1";
  j.session_timeout_ms = 10000;
  j.rebalance_timeout_ms = 10000;
  j.protocol_type = "consumer";
  j.protocols = {{"range", std::move(subscription)}};
  return j;
}

/// A member alone in classic group "g", stable in generation 1 with `assignment`.
inline std::string stable_classic_member(group_shard& shard, fake_record_log& log, const std::string& assignment) {
  std::string member;
  shard.join_group("g", dynamic_join(), no_topics(), {}, [&](join_result r) { member = r.member_id; });
  sync_request s;
  s.member_id = member;
  s.generation = 1;
  s.assignments = {{member, assignment}};
  shard.sync_group("g", s, no_topics(), {}, [](sync_result) {});
  log.complete();
  return member;
}

inline offset_value at(std::int64_t offset) {
  offset_value v;
  v.offset = offset;
  v.metadata = "meta";
  v.commit_timestamp = 1700000000000;
  return v;
}

/// A catalog with topic "orders" (4 partitions).
inline topic_catalog orders_catalog() {
  topic_catalog topics;
  sluice::protocol::uuid id{};
  id.bytes[15] = std::byte{1};
  topics.add("orders", id, 4);
  return topics;
}

/// A KIP-848 member `member_id` joining, subscribed to "orders".
inline consumer_heartbeat joining_member(std::string member_id) {
  consumer_heartbeat hb;
  hb.member_id = std::move(member_id);
  hb.client_generates_member_id = true;
  hb.subscribed_topic_names = std::vector<std::string>{"orders"};
  return hb;
}

/// A shard of partition 0 over a fake log; tests may change the options
/// before the first group is made.
struct shard_fixture {
  group_options options;
  fake_record_log log;
  group_shard shard{0, 1, options, log};
};

}  // namespace sluice::group_coordinator::test
