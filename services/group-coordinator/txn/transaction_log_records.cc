#include "services/group-coordinator/txn/transaction_log_records.h"

#include <map>
#include <vector>

#include "common/protocol/data/transaction_log_key.h"
#include "common/protocol/data/transaction_log_value.h"
#include "common/protocol/versioned_data.h"

namespace sluice::group_coordinator::txn {

namespace {

using protocol::decode_versioned;
using protocol::encode_versioned;
using protocol::unknown_version;

constexpr std::int16_t key_version = 0;
constexpr std::int16_t value_version = 1;

}  // namespace

std::string encode_txn_key(const std::string& transactional_id) {
  return encode_versioned(protocol::transaction_log_key{.transactional_id = transactional_id}, key_version);
}

std::string encode_txn_value(const transaction_metadata& m) {
  protocol::transaction_log_value v;
  v.producer_id = m.producer_id;
  v.previous_producer_id = m.previous_producer_id;
  v.next_producer_id = m.next_producer_id;
  v.producer_epoch = m.producer_epoch;
  v.transaction_timeout_ms = m.timeout_ms;
  v.transaction_status = static_cast<std::int8_t>(m.state);
  v.transaction_last_update_timestamp_ms = m.last_update_timestamp;
  v.transaction_start_timestamp_ms = m.start_timestamp;
  v.client_transaction_version = static_cast<std::int16_t>(m.client_version);
  if (m.state == txn_state::empty) {
    v.transaction_partitions = std::nullopt;  // Kafka writes null for an Empty id
  } else {
    // Grouped by topic, as Kafka writes them; the set keeps each topic's
    // partitions together and in order.
    std::vector<protocol::transaction_log_value::partitions_schema> topics;
    for (const auto& [topic, partition] : m.partitions) {
      if (topics.empty() || topics.back().topic != topic) topics.push_back({.topic = topic, .partition_ids = {}});
      topics.back().partition_ids.push_back(partition);
    }
    v.transaction_partitions = std::move(topics);
  }
  return encode_versioned(v, value_version);
}

std::optional<std::string> decode_txn_key(std::string_view bytes) {
  if (!protocol::is_version_of<protocol::transaction_log_key>(protocol::version_of(bytes))) return std::nullopt;
  return decode_versioned<protocol::transaction_log_key>(bytes, unknown_version::refuse).message.transactional_id;
}

transaction_metadata decode_txn_value(const std::string& transactional_id, std::string_view bytes) {
  auto v = decode_versioned<protocol::transaction_log_value>(bytes, unknown_version::refuse).message;
  auto state = state_of_id(v.transaction_status);
  if (!state) throw protocol::decode_error("unknown transaction status " + std::to_string(v.transaction_status));
  auto version = txn_version_of(v.client_transaction_version);
  if (!version)
    throw protocol::decode_error("unknown client transaction version " + std::to_string(v.client_transaction_version));
  transaction_metadata m;
  m.transactional_id = transactional_id;
  m.producer_id = v.producer_id;
  m.previous_producer_id = v.previous_producer_id;
  m.next_producer_id = v.next_producer_id;
  m.producer_epoch = v.producer_epoch;
  m.timeout_ms = v.transaction_timeout_ms;
  m.state = *state;
  m.start_timestamp = v.transaction_start_timestamp_ms;
  m.last_update_timestamp = v.transaction_last_update_timestamp_ms;
  m.client_version = *version;
  // An Empty id has no partitions, whatever the record lists (as Kafka reads it).
  if (m.state != txn_state::empty && v.transaction_partitions)
    for (const auto& t : *v.transaction_partitions)
      for (auto p : t.partition_ids) m.partitions.insert({t.topic, p});
  return m;
}

record_log::record txn_record(const transaction_metadata& m) {
  return {encode_txn_key(m.transactional_id), encode_txn_value(m)};
}

record_log::record txn_tombstone(const std::string& transactional_id) {
  return {encode_txn_key(transactional_id), std::nullopt};
}

}  // namespace sluice::group_coordinator::txn
