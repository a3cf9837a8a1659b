#include "services/gateway/error_mapping.h"

namespace sluice::gateway {

using protocol::error_code;

error_code to_kafka(partition::v1::PartitionError e) noexcept {
  namespace pv1 = partition::v1;
  switch (e) {
    case pv1::PARTITION_OK: return error_code::none;
    // The metadata that sent us there is stale: make the client refresh.
    case pv1::UNKNOWN_PARTITION: return error_code::not_leader_or_follower;
    case pv1::NOT_LEADER: return error_code::not_leader_or_follower;
    case pv1::CORRUPT_MESSAGE: return error_code::corrupt_message;
    case pv1::MESSAGE_TOO_LARGE: return error_code::message_too_large;
    case pv1::INVALID_RECORD: return error_code::invalid_record;
    case pv1::OFFSET_OUT_OF_RANGE: return error_code::offset_out_of_range;
    case pv1::STORAGE_ERROR: return error_code::kafka_storage_error;
    case pv1::REQUEST_TIMED_OUT: return error_code::request_timed_out;
    case pv1::INVALID_TIMESTAMP: return error_code::invalid_timestamp;
    case pv1::FENCED_LEADER_EPOCH: return error_code::fenced_leader_epoch;
    case pv1::UNKNOWN_LEADER_EPOCH: return error_code::unknown_leader_epoch;
    case pv1::UNSUPPORTED_COMPRESSION: return error_code::unsupported_compression_type;
    case pv1::INVALID_REQUEST: return error_code::invalid_request;
    case pv1::NOT_ENOUGH_REPLICAS: return error_code::not_enough_replicas;
    case pv1::NOT_ENOUGH_REPLICAS_AFTER_APPEND: return error_code::not_enough_replicas_after_append;
    // Only group coordinators send shard epochs; a client never sees this.
    case pv1::GROUP_SHARD_EPOCH_MISMATCH: return error_code::not_coordinator;
    case pv1::OUT_OF_ORDER_SEQUENCE_NUMBER: return error_code::out_of_order_sequence_number;
    case pv1::INVALID_PRODUCER_EPOCH: return error_code::invalid_producer_epoch;
    case pv1::PRODUCER_FENCED: return error_code::producer_fenced;
    case pv1::UNKNOWN_PRODUCER_ID: return error_code::unknown_producer_id;
    case pv1::INVALID_TXN_STATE: return error_code::invalid_txn_state;
    case pv1::TRANSACTION_COORDINATOR_FENCED: return error_code::transaction_coordinator_fenced;
    case pv1::INVALID_PRODUCER_ID_MAPPING: return error_code::invalid_producer_id_mapping;
    case pv1::TRANSACTION_ABORTABLE: return error_code::transaction_abortable;
    case pv1::PartitionError_INT_MIN_SENTINEL_DO_NOT_USE_:
    case pv1::PartitionError_INT_MAX_SENTINEL_DO_NOT_USE_: break;
  }
  return error_code::unknown_server_error;
}

error_code to_kafka(coordinator::v1::CoordinatorError e) noexcept {
  namespace cv1 = coordinator::v1;
  switch (e) {
    case cv1::COORDINATOR_OK: return error_code::none;
    case cv1::TOPIC_ALREADY_EXISTS: return error_code::topic_already_exists;
    case cv1::UNKNOWN_TOPIC: return error_code::unknown_topic_or_partition;
    case cv1::INVALID_TOPIC: return error_code::invalid_topic_exception;
    case cv1::INVALID_PARTITIONS: return error_code::invalid_partitions;
    case cv1::INVALID_REPLICATION_FACTOR: return error_code::invalid_replication_factor;
    case cv1::INVALID_CONFIG: return error_code::invalid_config;
    case cv1::STORAGE_FAILURE: return error_code::kafka_storage_error;
    case cv1::INVALID_REQUEST: return error_code::invalid_request;
    // Registration errors never answer an admin call; if one did, the
    // coordinator is mid-restart and a retry will do.
    case cv1::LEASE_EXPIRED:
    case cv1::STALE_EPOCH: return error_code::request_timed_out;
    case cv1::FENCED_LEADER_EPOCH: return error_code::fenced_leader_epoch;
    case cv1::INVALID_UPDATE_VERSION: return error_code::invalid_update_version;
    case cv1::STALE_CONTROLLER_EPOCH: return error_code::stale_controller_epoch;
    case cv1::UNKNOWN_PARTITION: return error_code::unknown_topic_or_partition;
    case cv1::NOT_LEADER: return error_code::not_leader_or_follower;
    case cv1::INELIGIBLE_REPLICA: return error_code::ineligible_replica;
    case cv1::PREFERRED_LEADER_NOT_AVAILABLE: return error_code::preferred_leader_not_available;
    case cv1::ELECTION_NOT_NEEDED: return error_code::election_not_needed;
    case cv1::ELIGIBLE_LEADERS_NOT_AVAILABLE: return error_code::eligible_leaders_not_available;
    case cv1::NO_REASSIGNMENT_IN_PROGRESS: return error_code::no_reassignment_in_progress;
    case cv1::INVALID_REPLICA_ASSIGNMENT: return error_code::invalid_replica_assignment;
    case cv1::CoordinatorError_INT_MIN_SENTINEL_DO_NOT_USE_:
    case cv1::CoordinatorError_INT_MAX_SENTINEL_DO_NOT_USE_: break;
  }
  return error_code::unknown_server_error;
}

error_code to_kafka(messaging::rpc_status s) noexcept {
  switch (s) {
    case messaging::rpc_status::ok: return error_code::none;
    case messaging::rpc_status::timed_out: return error_code::request_timed_out;
    case messaging::rpc_status::unknown_method:
    case messaging::rpc_status::bad_request: return error_code::unknown_server_error;
    case messaging::rpc_status::unavailable:
    case messaging::rpc_status::shutting_down: return error_code::not_leader_or_follower;
  }
  return error_code::unknown_server_error;
}

}  // namespace sluice::gateway
