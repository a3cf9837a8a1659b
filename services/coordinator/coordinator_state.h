#pragma once
// The coordinator's state machine: services and leases, topics and
// partitions, each change committed to LMDB and published as a delta.
// One class, its work split by job over several files:
//   coordinator_state.cc    open, commit + publish, snapshot, shared queries
//   registration.cc         register_service, heartbeat
//   lease_expiry.cc         expire_leases
//   topic_admin.cc          create/delete topics, create partitions, configs
//   isr_changes.cc          alter_partition (a leader's ISR change)
//   controlled_shutdown.cc  controlled_shutdown
//   leader_elections.cc     elect_leaders, rebalance_preferred_leaders
//   reassignments.cc        alter/list partition reassignments
//   producer_ids.cc         allocate_producer_ids (blocks of producer ids)
//   features.cc             update_features (finalized feature levels)
//   broker_configs.cc       alter_broker_configs (dynamic broker configs)
// Every partition change goes through partition_change_builder.
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
#include "common/base/types.h"
#include "coordinator.pb.h"
#include "metadata.pb.h"
#include "services/coordinator/feature_rules.h"
#include "services/coordinator/lease_manager.h"
#include "services/coordinator/partition_change_builder.h"
#include "services/coordinator/store/metadata_store.h"

namespace sluice::coordinator {

namespace cv1 = sluice::coordinator::v1;

class topic_edits;

/// Producer ids per AllocateProducerIds answer (Kafka's
/// ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE).
inline constexpr std::int32_t producer_id_block_size = 1000;

struct coordinator_options {
  std::chrono::milliseconds lease_ttl{6000};
  std::int32_t default_partitions = 1;          // num.partitions
  std::int32_t default_replication_factor = 1;  // default.replication.factor
  bool unclean_leader_election = false;         // unclean.leader.election.enable (topics may override)
  std::chrono::milliseconds auto_leader_rebalance{300000};  // leader.imbalance.check.interval; 0: off
  std::string publish_url;                      // told to every registering service
  // Finalized feature levels of a new cluster (Kafka's `kafka-storage format
  // --feature`): set once, when the store holds none; UpdateFeatures after.
  feature_levels initial_features{{"transaction.version", 2}};
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
/// - leader epochs only grow; a partition's leader is -1 or a member of its
///   ISR, chosen among live partition servers; every partition change is
///   made by partition_change_builder, which keeps these rules.
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

  /// A leader's ISR change, fenced by registration, controller, leader and
  /// partition epochs; partition_epoch+1 when the ISR changes.
  cv1::AlterPartitionResponse alter_partition(const cv1::AlterPartitionRequest& req);
  /// Moves the node's leaderships to other live ISR members and takes it out
  /// of every ISR that has another member; until it registers again it may
  /// not rejoin an ISR.
  cv1::ControlledShutdownResponse controlled_shutdown(const cv1::ControlledShutdownRequest& req);
  /// PREFERRED: replicas[0] leads when it is live and in the ISR. UNCLEAN: a
  /// partition without a leader gets one, from outside the ISR if need be.
  cv1::ElectLeadersResponse elect_leaders(const cv1::ElectLeadersRequest& req);
  /// Automatic preferred-leader rebalancing (Kafka's auto.leader.rebalance):
  /// a preferred election for every partition where it would change the leader.
  std::size_t rebalance_preferred_leaders();
  /// KIP-455 reassignments: start, replace or cancel; they complete when every
  /// adding replica is in the ISR (checked in alter_partition). A step that
  /// leaves no in-sync replica is refused unless the topic allows unclean
  /// election.
  cv1::AlterPartitionReassignmentsResponse alter_partition_reassignments(
      const cv1::AlterPartitionReassignmentsRequest& req);
  cv1::ListPartitionReassignmentsResponse list_partition_reassignments(
      const cv1::ListPartitionReassignmentsRequest& req) const;
  /// Kafka's AllocateProducerIds: the next producer_id_block_size ids for a
  /// live service in its current registration (else LEASE_EXPIRED or
  /// STALE_EPOCH, as heartbeats are answered). The next free id is committed
  /// before the answer, so no id is handed out twice, across restarts too.
  /// Refused (INVALID_REQUEST) once a block would pass int64 max.
  cv1::AllocateProducerIdsResponse allocate_producer_ids(const cv1::AllocateProducerIdsRequest& req,
                                                         time_point now);
  /// Kafka's UpdateFeatures: new finalized levels, each checked by
  /// feature_update_refusal against the current ones; the first refusal
  /// refuses the whole request (INVALID_UPDATE_VERSION). Unless
  /// validate_only or nothing changes, one commit publishes the levels with
  /// the new metadata version as their epoch.
  cv1::UpdateFeaturesResponse update_features(const cv1::UpdateFeaturesRequest& req);

  /// Removes every service whose lease ran out (one txn) and moves or
  /// drops their partition leaderships. Returns how many were removed.
  std::size_t expire_leases(time_point now);
  /// When the next lease runs out (for the sweep timer).
  std::optional<time_point> next_deadline() const { return leases_.next_deadline(); }

  std::uint64_t version() const noexcept { return st_.version; }
  const std::string& cluster_id() const noexcept { return st_.cluster_id; }
  std::uint64_t controller_epoch() const noexcept { return st_.controller_epoch; }
  const coordinator_options& options() const noexcept { return options_; }
  /// The first id of the next producer-id block.
  std::int64_t next_producer_id() const noexcept { return st_.next_producer_id; }
  /// The finalized feature levels and their epoch (always set once open).
  const mv1::FinalizedFeatures& finalized_features() const noexcept { return *st_.finalized_features; }

  /// Kafka's dynamic broker configs (IncrementalAlterConfigs / AlterConfigs
  /// on BROKER resources): the cluster default or one broker id, each value
  /// checked by config::validate_broker (INVALID_CONFIG with its message),
  /// stored and published whole in BrokerConfigs. validate_only honoured; a
  /// change that changes nothing commits nothing.
  cv1::AlterBrokerConfigsResponse alter_broker_configs(const cv1::AlterBrokerConfigsRequest& req);
  /// Dynamic broker configs, partition servers' static flags and this
  /// coordinator's own (as published).
  const mv1::BrokerConfigs& broker_configs() const noexcept { return st_.broker_configs; }

 private:
  coordinator_state(std::unique_ptr<metadata_store> store, stored_state st, coordinator_options options);
  /// Writes `c` with version+1, updates memory and publishes. False on a storage failure.
  bool commit(change_set& c);
  /// Commits the topics a request edited (see state_helpers.h).
  bool commit(topic_edits& edits);
  /// Live partition servers, sorted by node id (raw ids: they go into the
  /// replica lists of new partitions).
  std::vector<std::int32_t> live_partition_servers() const;
  /// Live group coordinators, without those in `leaving`, sorted by node id
  /// (raw ids, for assign_group_shards over the protobuf GroupShards).
  std::vector<std::int32_t> live_group_coordinators(const std::set<node_id>& leaving) const;
  /// A live partition server that may lead or join an ISR (not shutting down).
  bool eligible(node_id id) const;
  /// A change of `p` whose new leaders, if any, are eligible.
  partition_change_builder change_of(const partition_record& p) const;
  /// `id` is a live partition server in its registration `epoch` (else its
  /// request is answered STALE_EPOCH).
  bool current_partition_server(node_id id, std::uint64_t epoch) const;
  /// The election for a partition of `t` that lost its leader: unclean when
  /// the topic (else --unclean-leader-election) allows it.
  election election_on_leader_loss(const mv1::TopicInfo& t) const;
  /// Checks an explicit placement (CreateTopics / CreatePartitions): "" when valid.
  std::string check_assignment(const google::protobuf::RepeatedPtrField<cv1::ReplicaAssignment>& a,
                               std::int32_t first_partition) const;
  std::string fresh_topic_id();
  /// Puts this coordinator's flags that differ from Kafka's defaults into
  /// broker_configs.coordinator_static (at open; never stored).
  void set_coordinator_static_configs();
  /// Adds to `c` a partition server's static flags from its registration,
  /// when they differ from the stored ones.
  void record_static_configs(node_id id, const cv1::RegisterRequest& req, change_set& c) const;

  std::unique_ptr<metadata_store> store_;
  stored_state st_;
  coordinator_options options_;
  lease_manager leases_;
  publish_fn publish_;
  std::mt19937_64 rng_;
  std::size_t rr_start_ = 0;  // rotates placement start so leaders spread across topics
  std::set<node_id> shutting_down_;  // partition servers in controlled shutdown (not persisted)
};

}  // namespace sluice::coordinator
