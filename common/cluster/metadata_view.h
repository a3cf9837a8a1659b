#pragma once
// An immutable copy of the cluster metadata as one service sees it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/config/broker_layers.h"
#include "metadata.pb.h"

namespace sluice::cluster {

namespace mv1 = sluice::metadata::v1;

/// Read-only snapshot of topics and live services at one metadata version.
/// Built once (from a ClusterSnapshot, or from the previous view plus a
/// MetadataDelta) and never changed afterwards, so any thread may read it
/// without locks while holding the shared_ptr. Pointers it returns live as
/// long as the view does.
class metadata_view {
 public:
  explicit metadata_view(mv1::ClusterSnapshot snapshot);
  // The indexes point into snapshot_: a copy would dangle.
  metadata_view(const metadata_view&) = delete;
  metadata_view& operator=(const metadata_view&) = delete;

  /// A new view with `delta` applied; the caller checks that
  /// delta.version() == version() + 1.
  std::shared_ptr<const metadata_view> apply(const mv1::MetadataDelta& delta) const;

  std::uint64_t version() const noexcept { return snapshot_.version(); }
  const std::string& cluster_id() const noexcept { return snapshot_.cluster_id(); }
  /// The whole state in the coordinator's wire form.
  const mv1::ClusterSnapshot& snapshot() const noexcept { return snapshot_; }

  /// nullptr when unknown.
  const mv1::TopicInfo* topic(std::string_view name) const;
  /// `id` is the 16 raw bytes of the topic id.
  const mv1::TopicInfo* topic_by_id(std::string_view id) const;
  /// nullptr when the topic or the partition is unknown.
  const mv1::PartitionInfo* partition(std::string_view topic, std::int32_t partition) const;
  /// All topics, sorted by name.
  const std::vector<const mv1::TopicInfo*>& topics() const noexcept { return topics_; }

  /// nullptr when no live service has that node id.
  const mv1::ServiceInfo* service(std::int32_t node_id) const;
  /// Live services of one kind, sorted by node id.
  std::vector<const mv1::ServiceInfo*> services(mv1::ServiceKind kind) const;
  /// Live gateways (the Kafka brokers clients see), sorted by node id.
  std::vector<const mv1::ServiceInfo*> gateways() const { return services(mv1::GATEWAY); }

  /// The finalized feature levels (KIP-584) and their epoch, as the
  /// coordinator published them; has_finalized_features() is false only
  /// before a snapshot carried them.
  bool has_finalized_features() const noexcept { return snapshot_.has_finalized_features(); }
  const mv1::FinalizedFeatures& finalized_features() const noexcept { return snapshot_.finalized_features(); }
  /// The finalized level of `feature`; 0 when it is not finalized.
  std::int16_t finalized_level(std::string_view feature) const;
  /// Dynamic broker configs and the services' static flags, as published.
  const mv1::BrokerConfigs& broker_configs() const noexcept { return snapshot_.broker_configs(); }
  /// Broker `node_id`'s config layers (its dynamic values, the cluster
  /// default's, its static flags with the coordinator's); node_id -1: the
  /// cluster default's and the coordinator's flags only.
  config::broker_layers broker_layers(std::int32_t node_id) const;

 private:
  void index();

  mv1::ClusterSnapshot snapshot_;
  std::vector<const mv1::TopicInfo*> topics_;
  std::unordered_map<std::string_view, const mv1::TopicInfo*> by_name_;
  std::unordered_map<std::string_view, const mv1::TopicInfo*> by_id_;
  std::vector<const mv1::ServiceInfo*> services_;  // sorted by node id
};

}  // namespace sluice::cluster
