#pragma once
// RPCs to the coordinator: topic admin, ISR changes, elections,
// reassignments, controlled shutdown, producer-id blocks, finalized features.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/base/result.h"
#include "common/cluster/errc.h"
#include "coordinator.pb.h"

namespace sluice::messaging { class rpc_client; }

namespace sluice::cluster {

namespace cv1 = sluice::coordinator::v1;
namespace mv1 = sluice::metadata::v1;

/// Thin typed wrapper over an rpc_client to the coordinator. Per-topic
/// failures come back inside the response (TopicResult.error); the result
/// carries an error only when the call itself failed (errc::unavailable,
/// timed_out, bad_reply).
///
/// Thread-safe. Callbacks run on an NNG thread: they must not block (post the
/// result to your io_context or actor).
class coordinator_client {
 public:
  template <class T>
  using callback = std::function<void(result<T>)>;

  explicit coordinator_client(std::string coordinator_url,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~coordinator_client();
  coordinator_client(const coordinator_client&) = delete;
  coordinator_client& operator=(const coordinator_client&) = delete;

  void create_topics(const cv1::CreateTopicsRequest& req, callback<cv1::CreateTopicsResponse> done);
  void delete_topics(const cv1::DeleteTopicsRequest& req, callback<cv1::DeleteTopicsResponse> done);
  void create_partitions(const cv1::CreatePartitionsRequest& req, callback<cv1::CreatePartitionsResponse> done);
  void alter_topic_configs(const cv1::AlterTopicConfigsRequest& req, callback<cv1::AlterTopicConfigsResponse> done);
  void alter_partition(const cv1::AlterPartitionRequest& req, callback<cv1::AlterPartitionResponse> done);
  void elect_leaders(const cv1::ElectLeadersRequest& req, callback<cv1::ElectLeadersResponse> done);
  void alter_partition_reassignments(const cv1::AlterPartitionReassignmentsRequest& req,
                                     callback<cv1::AlterPartitionReassignmentsResponse> done);
  void list_partition_reassignments(const cv1::ListPartitionReassignmentsRequest& req,
                                    callback<cv1::ListPartitionReassignmentsResponse> done);
  /// The next block of producer ids for this service (node id and
  /// registration epoch in `req`); a refusal (LEASE_EXPIRED, STALE_EPOCH,
  /// STORAGE_FAILURE, INVALID_REQUEST when ids are exhausted) is in the
  /// response's error. Services use cluster::producer_id_pool around it.
  void allocate_producer_ids(const cv1::AllocateProducerIdsRequest& req,
                             callback<cv1::AllocateProducerIdsResponse> done);
  /// New finalized feature levels (Kafka's UpdateFeatures); a refusal is in
  /// the response's error (INVALID_UPDATE_VERSION with Kafka's message).
  void update_features(const cv1::UpdateFeaturesRequest& req, callback<cv1::UpdateFeaturesResponse> done);
  /// Dynamic broker configs (method 14); a refusal is in the response's error.
  void alter_broker_configs(const cv1::AlterBrokerConfigsRequest& req, callback<cv1::AlterBrokerConfigsResponse> done);

  /// Blocking forms, for tools and tests; never from an NNG callback.
  result<cv1::CreateTopicsResponse> create_topics_sync(const cv1::CreateTopicsRequest& req);
  result<cv1::DeleteTopicsResponse> delete_topics_sync(const cv1::DeleteTopicsRequest& req);
  result<cv1::CreatePartitionsResponse> create_partitions_sync(const cv1::CreatePartitionsRequest& req);
  result<cv1::AlterTopicConfigsResponse> alter_topic_configs_sync(const cv1::AlterTopicConfigsRequest& req);
  result<cv1::ControlledShutdownResponse> controlled_shutdown_sync(const cv1::ControlledShutdownRequest& req);
  result<cv1::ElectLeadersResponse> elect_leaders_sync(const cv1::ElectLeadersRequest& req);
  result<cv1::AlterPartitionReassignmentsResponse> alter_partition_reassignments_sync(
      const cv1::AlterPartitionReassignmentsRequest& req);
  result<cv1::ListPartitionReassignmentsResponse> list_partition_reassignments_sync(
      const cv1::ListPartitionReassignmentsRequest& req);
  result<cv1::AllocateProducerIdsResponse> allocate_producer_ids_sync(const cv1::AllocateProducerIdsRequest& req);
  result<cv1::UpdateFeaturesResponse> update_features_sync(const cv1::UpdateFeaturesRequest& req);
  /// The whole cluster state (tools: `sluice topics describe`).
  result<mv1::ClusterSnapshot> snapshot_sync();

 private:
  std::unique_ptr<messaging::rpc_client> rpc_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sluice::cluster
