#pragma once
// The boundary between storage errors and the partition RPC's error codes
// (STYLE.md §7: one exhaustive switch, no default, so -Wswitch flags new ones).
#include "partition.pb.h"
#include "services/partition-server/storage/partition_log.h"

namespace sluice::partition_server {

constexpr sluice::partition::v1::PartitionError map_append_error(storage::append_errc e) {
  namespace pv1 = sluice::partition::v1;
  switch (e) {
    case storage::append_errc::ok: return pv1::PARTITION_OK;
    case storage::append_errc::corrupt_message: return pv1::CORRUPT_MESSAGE;
    case storage::append_errc::invalid_record: return pv1::INVALID_RECORD;
    case storage::append_errc::message_too_large: return pv1::MESSAGE_TOO_LARGE;
    case storage::append_errc::unsupported_compression: return pv1::UNSUPPORTED_COMPRESSION;
    case storage::append_errc::invalid_timestamp: return pv1::INVALID_TIMESTAMP;
    case storage::append_errc::storage_error: return pv1::STORAGE_ERROR;
  }
  return pv1::STORAGE_ERROR;
}

}  // namespace sluice::partition_server
