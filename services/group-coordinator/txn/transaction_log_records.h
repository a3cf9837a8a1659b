#pragma once
// The records of __transaction_state in Kafka's own format (TransactionLog),
// so Kafka's tools read the topic:
//
//   key   int16 0, TransactionLogKey v0     transactional id
//   value int16 1, TransactionLogValue v1   producer id, epoch, timeout, status
//                                           byte, partitions by topic (null
//                                           when Empty), last update and start
//                                           times; tagged: previous and next
//                                           producer ids, client txn version
//   value null                              tombstone: the id expired
//
// We write value v1 (Kafka's from transaction version 1 on), with the
// transaction's client version (0, or 2 for a transaction version 2 one)
// and its previous and next producer ids: a TV2 end that rotates the id
// writes the new one in Prepare* (NextProducerId) and the old one in
// Complete* (PreviousProducerId), so a new owner replaying them completes
// the rotation and still recognises a retry of that EndTxn. v0 and v1 both
// read (v0: no tagged fields, client version 0). As in Kafka, the last
// epoch is memory only and reads as none.
#include <optional>
#include <string>
#include <string_view>

#include "services/group-coordinator/record_log.h"
#include "services/group-coordinator/txn/transaction_metadata.h"

namespace sluice::group_coordinator::txn {

std::string encode_txn_key(const std::string& transactional_id);
std::string encode_txn_value(const transaction_metadata& m);

/// The transactional id of a key; nullopt for a key version Kafka does not
/// define (skipped, as Kafka's loader skips unknown keys). Throws
/// protocol::decode_error on bytes that do not parse.
std::optional<std::string> decode_txn_key(std::string_view bytes);
/// The id's state from its value. Throws protocol::decode_error on bytes
/// that do not parse, a version we do not know, or a status byte or client
/// transaction version Kafka does not use.
transaction_metadata decode_txn_value(const std::string& transactional_id, std::string_view bytes);

/// The record that makes `m` durable, and the tombstone of an expired id.
record_log::record txn_record(const transaction_metadata& m);
record_log::record txn_tombstone(const std::string& transactional_id);

}  // namespace sluice::group_coordinator::txn
