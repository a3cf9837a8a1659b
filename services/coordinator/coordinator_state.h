#pragma once
// The coordinator's state machine: services and leases, topics and
// partitions, each change committed to LMDB and published as a delta.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "common/base/result.h"
#include "coordinator.pb.h"
#include "metadata.pb.h"
#include "services/coordinator/lease_manager.h"
#include "services/coordinator/store/metadata_store.h"

namespace sluice::coordinator {

namespace cv1 = sluice::coordinator::v1;

struct coordinator_options {
  std::chrono::milliseconds lease_ttl{6000};
  std::int32_t default_partitions = 1;          // num.partitions
  std::int32_t default_replication_factor = 1;  // default.replication.factor
  std::string publish_url;                      // told to every registering service
};

/// All coordinator logic, free of CAF and NNG so Boost.Test drives it with a
/// fake clock (`now` is a parameter everywhere time matters).
///
/// Owned by the coordinator actor; not thread-safe. Invariants:
/// - every mutation is one LMDB write txn that also writes version+1, and
///   only after that commit succeeds is memory updated and one MetadataDelta
///   with that version published; a failed commit changes nothing
///   (STORAGE_FAILURE);
/// - every live service has a lease and vice versa (services loaded at
///   start get a fresh TTL: leases are not persisted);
/// - leader epochs only grow; a partition's leader is -1 or a live
///   partition server in its ISR.
class coordinator_state {
 public:
  using time_point = lease_manager::time_point;
  using publish_fn = std::function<void(const mv1::MetadataDelta&)>;

  /// Opens or creates the store in `dir` and loads it; bumps the controller
  /// epoch; creates the cluster id on first start.
  static result<std::unique_ptr<coordinator_state>> open(const std::filesystem::path& dir,
                                                         coordinator_options options, time_point now);

  void set_publisher(publish_fn f) { publish_ = std::move(f); }
  void set_publish_url(std::string url) { options_.publish_url = std::move(url); }

  cv1::RegisterResponse register_service(const cv1::RegisterRequest& req, time_point now);
  cv1::HeartbeatResponse heartbeat(const cv1::HeartbeatRequest& req, time_point now);
  mv1::ClusterSnapshot snapshot() const;
  cv1::CreateTopicsResponse create_topics(const cv1::CreateTopicsRequest& req);
  cv1::DeleteTopicsResponse delete_topics(const cv1::DeleteTopicsRequest& req);
  cv1::CreatePartitionsResponse create_partitions(const cv1::CreatePartitionsRequest& req);
  cv1::AlterTopicConfigsResponse alter_topic_configs(const cv1::AlterTopicConfigsRequest& req);

  // Replication (replication_rules.cc).
  /// A leader's ISR change, fenced by registration, controller, leader and
  /// partition epochs; partition_epoch+1 on success.
  cv1::AlterPartitionResponse alter_partition(const cv1::AlterPartitionRequest& req);
  /// Moves the node's leaderships to other live ISR members and takes it out
  /// of every ISR that has another member; until it registers again it may
  /// not rejoin an ISR.
  cv1::ControlledShutdownResponse controlled_shutdown(const cv1::ControlledShutdownRequest& req);

  /// Removes every service whose lease ran out (one txn) and moves or
  /// drops their partition leaderships. Returns how many were removed.
  std::size_t expire_leases(time_point now);
  /// When the next lease runs out (for the sweep timer).
  std::optional<time_point> next_deadline() const { return leases_.next_deadline(); }

  std::uint64_t version() const noexcept { return st_.version; }
  const std::string& cluster_id() const noexcept { return st_.cluster_id; }
  std::uint64_t controller_epoch() const noexcept { return st_.controller_epoch; }
  const coordinator_options& options() const noexcept { return options_; }

 private:
  coordinator_state(std::unique_ptr<metadata_store> store, stored_state st, coordinator_options options);
  /// Writes `c` with version+1, updates memory and publishes. False on a storage failure.
  bool commit(change_set& c);
  std::vector<std::int32_t> live_partition_servers() const;
  std::string fresh_topic_id();

  std::unique_ptr<metadata_store> store_;
  stored_state st_;
  coordinator_options options_;
  lease_manager leases_;
  publish_fn publish_;
  std::mt19937_64 rng_;
  std::size_t rr_start_ = 0;  // rotates placement start so leaders spread across topics
  std::set<std::int32_t> shutting_down_;  // partition servers in controlled shutdown (not persisted)
};

}  // namespace sluice::coordinator
