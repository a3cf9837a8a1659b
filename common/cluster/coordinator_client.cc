#include "common/cluster/coordinator_client.h"

#include "common/cluster/rpc_util.h"
#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"

namespace sluice::cluster {
namespace {

namespace method = messaging::method;

template <class Response, class Request>
void call_async(messaging::rpc_client& rpc, std::uint16_t m, const Request& req, std::chrono::milliseconds timeout,
                coordinator_client::callback<Response> done) {
  rpc.call(messaging::message::make(m, req), timeout,
           [done = std::move(done)](messaging::rpc_status st, messaging::message reply) {
             done(detail::to_result<Response>(st, reply));
           });
}

template <class Response, class Request>
result<Response> call_sync(messaging::rpc_client& rpc, std::uint16_t m, const Request& req,
                           std::chrono::milliseconds timeout) {
  auto [st, reply] = rpc.call_sync(messaging::message::make(m, req), timeout);
  return detail::to_result<Response>(st, reply);
}

}  // namespace

coordinator_client::coordinator_client(std::string url, std::chrono::milliseconds timeout)
    : rpc_(std::make_unique<messaging::rpc_client>(std::move(url))), timeout_(timeout) {}

coordinator_client::~coordinator_client() = default;

void coordinator_client::create_topics(const cv1::CreateTopicsRequest& req, callback<cv1::CreateTopicsResponse> done) {
  call_async<cv1::CreateTopicsResponse>(*rpc_, method::create_topics, req, timeout_, std::move(done));
}
void coordinator_client::delete_topics(const cv1::DeleteTopicsRequest& req, callback<cv1::DeleteTopicsResponse> done) {
  call_async<cv1::DeleteTopicsResponse>(*rpc_, method::delete_topics, req, timeout_, std::move(done));
}
void coordinator_client::create_partitions(const cv1::CreatePartitionsRequest& req,
                                           callback<cv1::CreatePartitionsResponse> done) {
  call_async<cv1::CreatePartitionsResponse>(*rpc_, method::create_partitions, req, timeout_, std::move(done));
}
void coordinator_client::alter_topic_configs(const cv1::AlterTopicConfigsRequest& req,
                                             callback<cv1::AlterTopicConfigsResponse> done) {
  call_async<cv1::AlterTopicConfigsResponse>(*rpc_, method::alter_topic_configs, req, timeout_, std::move(done));
}

void coordinator_client::alter_broker_configs(const cv1::AlterBrokerConfigsRequest& req,
                                              callback<cv1::AlterBrokerConfigsResponse> done) {
  call_async<cv1::AlterBrokerConfigsResponse>(*rpc_, method::alter_broker_configs, req, timeout_, std::move(done));
}

void coordinator_client::alter_partition(const cv1::AlterPartitionRequest& req,
                                         callback<cv1::AlterPartitionResponse> done) {
  call_async<cv1::AlterPartitionResponse>(*rpc_, method::alter_partition, req, timeout_, std::move(done));
}
void coordinator_client::elect_leaders(const cv1::ElectLeadersRequest& req, callback<cv1::ElectLeadersResponse> done) {
  call_async<cv1::ElectLeadersResponse>(*rpc_, method::elect_leaders, req, timeout_, std::move(done));
}
void coordinator_client::alter_partition_reassignments(const cv1::AlterPartitionReassignmentsRequest& req,
                                                       callback<cv1::AlterPartitionReassignmentsResponse> done) {
  call_async<cv1::AlterPartitionReassignmentsResponse>(*rpc_, method::alter_partition_reassignments, req, timeout_,
                                                       std::move(done));
}
void coordinator_client::list_partition_reassignments(const cv1::ListPartitionReassignmentsRequest& req,
                                                      callback<cv1::ListPartitionReassignmentsResponse> done) {
  call_async<cv1::ListPartitionReassignmentsResponse>(*rpc_, method::list_partition_reassignments, req, timeout_,
                                                      std::move(done));
}
void coordinator_client::allocate_producer_ids(const cv1::AllocateProducerIdsRequest& req,
                                               callback<cv1::AllocateProducerIdsResponse> done) {
  call_async<cv1::AllocateProducerIdsResponse>(*rpc_, method::allocate_producer_ids, req, timeout_, std::move(done));
}
void coordinator_client::update_features(const cv1::UpdateFeaturesRequest& req,
                                         callback<cv1::UpdateFeaturesResponse> done) {
  call_async<cv1::UpdateFeaturesResponse>(*rpc_, method::update_features, req, timeout_, std::move(done));
}

result<cv1::CreateTopicsResponse> coordinator_client::create_topics_sync(const cv1::CreateTopicsRequest& req) {
  return call_sync<cv1::CreateTopicsResponse>(*rpc_, method::create_topics, req, timeout_);
}
result<cv1::DeleteTopicsResponse> coordinator_client::delete_topics_sync(const cv1::DeleteTopicsRequest& req) {
  return call_sync<cv1::DeleteTopicsResponse>(*rpc_, method::delete_topics, req, timeout_);
}
result<cv1::CreatePartitionsResponse> coordinator_client::create_partitions_sync(
    const cv1::CreatePartitionsRequest& req) {
  return call_sync<cv1::CreatePartitionsResponse>(*rpc_, method::create_partitions, req, timeout_);
}
result<cv1::AlterTopicConfigsResponse> coordinator_client::alter_topic_configs_sync(
    const cv1::AlterTopicConfigsRequest& req) {
  return call_sync<cv1::AlterTopicConfigsResponse>(*rpc_, method::alter_topic_configs, req, timeout_);
}

result<cv1::ControlledShutdownResponse> coordinator_client::controlled_shutdown_sync(
    const cv1::ControlledShutdownRequest& req) {
  return call_sync<cv1::ControlledShutdownResponse>(*rpc_, method::controlled_shutdown, req, timeout_);
}
result<cv1::ElectLeadersResponse> coordinator_client::elect_leaders_sync(const cv1::ElectLeadersRequest& req) {
  return call_sync<cv1::ElectLeadersResponse>(*rpc_, method::elect_leaders, req, timeout_);
}
result<cv1::AlterPartitionReassignmentsResponse> coordinator_client::alter_partition_reassignments_sync(
    const cv1::AlterPartitionReassignmentsRequest& req) {
  return call_sync<cv1::AlterPartitionReassignmentsResponse>(*rpc_, method::alter_partition_reassignments, req,
                                                             timeout_);
}
result<cv1::ListPartitionReassignmentsResponse> coordinator_client::list_partition_reassignments_sync(
    const cv1::ListPartitionReassignmentsRequest& req) {
  return call_sync<cv1::ListPartitionReassignmentsResponse>(*rpc_, method::list_partition_reassignments, req,
                                                            timeout_);
}
result<cv1::AllocateProducerIdsResponse> coordinator_client::allocate_producer_ids_sync(
    const cv1::AllocateProducerIdsRequest& req) {
  return call_sync<cv1::AllocateProducerIdsResponse>(*rpc_, method::allocate_producer_ids, req, timeout_);
}
result<cv1::UpdateFeaturesResponse> coordinator_client::update_features_sync(const cv1::UpdateFeaturesRequest& req) {
  return call_sync<cv1::UpdateFeaturesResponse>(*rpc_, method::update_features, req, timeout_);
}
result<mv1::ClusterSnapshot> coordinator_client::snapshot_sync() {
  return call_sync<mv1::ClusterSnapshot>(*rpc_, method::get_snapshot, cv1::GetSnapshotRequest{}, timeout_);
}

}  // namespace sluice::cluster
