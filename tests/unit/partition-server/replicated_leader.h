#pragma once
// A partition_state leading partition t/0 with followers, driven directly
// with explicit times: the fixture of acks_all_test.cc and
// delete_records_test.cc.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "common/protocol/record_batch.h"
#include "services/partition-server/log_dir.h"
#include "services/partition-server/partition_state.h"
#include "tests/fixtures/temp_dir.h"

namespace sluice::partition_server::test {

/// One batch of `count` records with values v0, v1, ... and timestamps 1000, 1001, ...
inline std::vector<std::byte> records(int count) {
  std::vector<sluice::protocol::record_to_build> r(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    r[i].value = "v" + std::to_string(i);
    r[i].timestamp = 1000 + i;
  }
  return sluice::protocol::build_batch(r);
}

/// Partition 0 with replicas 1, 2, 3, led by `leader` at `epoch`.
inline metadata::v1::PartitionInfo info(std::int32_t leader, std::int32_t epoch, std::vector<std::int32_t> isr) {
  metadata::v1::PartitionInfo p;
  p.set_partition(0);
  for (auto r : {1, 2, 3}) p.add_replicas(r);
  for (auto r : isr) p.add_isr(r);
  p.set_leader(leader);
  p.set_leader_epoch(epoch);
  return p;
}

/// Node 1 leading partition t/0 with replicas 1, 2, 3 at leader epoch 4.
struct leader_fixture {
  sluice::test::temp_dir data;
  std::unique_ptr<partition_state> p;

  /// `min_insync` sets min.insync.replicas when not empty; `configs` are more topic configs.
  explicit leader_fixture(std::vector<std::int32_t> isr = {1, 2, 3}, std::string min_insync = "",
                          std::map<std::string, std::string> configs = {}) {
    auto dir = log_dir_path(data.path(), "t", 0);
    BOOST_REQUIRE(prepare_log_dir(dir, std::string(16, '\x05')));
    if (!min_insync.empty()) configs["min.insync.replicas"] = min_insync;
    auto opened = partition_state::open(dir, "t", 0, sluice::config::make_log_config(configs), 0);
    BOOST_REQUIRE(opened);
    p = std::move(opened.value());
    p->set_partition_info(info(1, 4, isr), node_id{1}, 0);
  }
  /// A follower's fetch at `offset` (its log end), as the replica fetch RPC
  /// makes it, reporting its log start offset `log_start` (-1: not sent).
  read_outcome follower_fetch(std::int32_t id, std::int64_t at, std::int64_t now, std::int32_t last_epoch = 4,
                              std::int64_t log_start = -1) {
    std::vector<std::byte> out;
    reader who{node_id{id}, leader_epoch{last_epoch}, now};
    who.log_start_offset = offset{log_start};
    return p->read(offset{at}, leader_epoch{4}, 1 << 20, true, [&](std::size_t n) {
      out.resize(n);
      return std::span<std::byte>(out);
    }, who);
  }
  read_outcome consumer_fetch(std::int64_t at) {
    std::vector<std::byte> out;
    return p->read(offset{at}, no_leader_epoch, 1 << 20, true, [&](std::size_t n) {
      out.resize(n);
      return std::span<std::byte>(out);
    });
  }
};

}  // namespace sluice::partition_server::test
