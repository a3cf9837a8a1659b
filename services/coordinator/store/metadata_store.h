#pragma once
// Persistence of the coordinator's metadata in one LMDB environment.
//
// Tables (named LMDB databases):
//   services   key: node id, 4 bytes big-endian   value: metadata.v1.ServiceInfo
//   topics     key: topic name                    value: metadata.v1.TopicInfo
//   counters   key: counter name                  value: 8 bytes big-endian (or a string)
//                "version"            metadata version of the last commit
//                "next_node_id"       next node id to hand out
//                "next_reg_epoch"     next registration epoch (global, so a node's epoch only grows)
//                "controller_epoch"   bumped at every coordinator start
//                "cluster_id"         22-char base64url string, set once
//                "next_producer_id"   first producer id of the next block (AllocateProducerIds);
//                                     absent: 0
//                "finalized_features" metadata.v1.FinalizedFeatures (UpdateFeatures); absent in a
//                                     store written before features were cluster state: the
//                                     coordinator then sets its initial levels
//                "group_shards"       metadata.v1.GroupShards
//                "broker_configs"     metadata.v1.BrokerConfigs without coordinator_static
//                                     (dynamic broker configs, partition servers' static flags);
//                                     absent: none
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/base/types.h"
#include "metadata.pb.h"

namespace sluice::coordinator {

class lmdb_env;
namespace mv1 = sluice::metadata::v1;

/// Everything the store holds, as loaded at start.
struct stored_state {
  std::uint64_t version = 0;
  std::string cluster_id;
  node_id next_node_id{1};
  std::uint64_t next_registration_epoch = 1;
  std::uint64_t controller_epoch = 0;
  std::int64_t next_producer_id = 0;
  std::map<std::string, mv1::TopicInfo> topics;
  std::map<node_id, mv1::ServiceInfo> services;
  mv1::GroupShards group_shards;
  std::optional<mv1::FinalizedFeatures> finalized_features;  // nullopt: never set
  mv1::BrokerConfigs broker_configs;
};

/// The rows one metadata change writes; committed as one LMDB write txn.
struct change_set {
  std::vector<mv1::TopicInfo> upsert_topics;
  std::vector<std::string> delete_topics;
  std::vector<mv1::ServiceInfo> upsert_services;
  std::vector<node_id> remove_services;
  std::optional<std::uint64_t> version;
  std::optional<node_id> next_node_id;
  std::optional<std::uint64_t> next_registration_epoch;
  std::optional<std::uint64_t> controller_epoch;
  std::optional<std::string> cluster_id;
  std::optional<mv1::GroupShards> group_shards;
  std::optional<std::int64_t> next_producer_id;
  std::optional<mv1::FinalizedFeatures> finalized_features;
  std::optional<mv1::BrokerConfigs> broker_configs;  // replaces the stored one whole
};

/// The coordinator's LMDB store. Owned by the coordinator actor (single
/// writer); not thread-safe. A failed commit leaves the stored state as it
/// was (the txn aborts).
class metadata_store {
 public:
  static result<std::unique_ptr<metadata_store>> open(const std::filesystem::path& dir);
  ~metadata_store();

  result<stored_state> load() const;
  result<void> commit(const change_set& changes);

 private:
  explicit metadata_store(std::unique_ptr<lmdb_env> env);
  std::unique_ptr<lmdb_env> env_;
  unsigned services_ = 0, topics_ = 0, counters_ = 0;  // MDB_dbi
};

}  // namespace sluice::coordinator
