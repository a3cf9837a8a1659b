#pragma once
// Producer state snapshots: `<offset, 20 digits>.snapshot` in the partition's
// directory holds the producer state of every batch below that offset, in
// Kafka's ProducerSnapshot format (version 1), big-endian:
//
//   i16 version (1)
//   u32 CRC-32C of every byte after this field
//   i32 entry count, then per entry (46 bytes):
//     i64 producer id      i16 epoch          i32 last sequence (-1: none)
//     i64 last offset (-1: none)              i32 offset delta (last - first offset of that batch)
//     i64 timestamp        i32 coordinator epoch
//     i64 first offset of the open transaction (-1: none)
//
// Kafka writes one entry per producer (its last batch). We write one entry
// per retained batch, oldest first, so that all five survive a restart for
// duplicate detection; a Kafka reader keeps the last entry of a producer id,
// which is the one Kafka itself would have written. A producer without
// batches (only markers in its epoch) has one entry with last offset -1. The
// newest entry's timestamp is the producer's last timestamp.
//
// Written at each segment roll (named by the new segment's base offset) and
// at clean close (named by the log end). Read at open and after truncation:
// the newest snapshot not past the log end is loaded and the batches after it
// replayed; a snapshot that does not decode is ignored (and deleted).
#include <cstddef>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.h"
#include "common/base/types.h"
#include "services/partition-server/storage/producer_state.h"

namespace sluice::storage {

inline constexpr std::string_view snapshot_suffix = ".snapshot";

/// The file's bytes for these producers.
std::vector<std::byte> encode_producer_snapshot(const std::map<std::int64_t, producer_entry>& producers);

/// A snapshot's producers, or why the bytes are no snapshot (then `producers` is empty).
struct decoded_snapshot {
  std::vector<producer_entry> producers;
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};
decoded_snapshot decode_producer_snapshot(std::span<const std::byte> bytes);

/// Writes `<dir>/<at>.snapshot` through a temporary file and a rename, so a
/// reader never sees half of it; `sync` adds fdatasync and a directory fsync
/// (a torn file after a power loss would only be ignored at the next open).
result<void> write_producer_snapshot(const std::filesystem::path& dir, offset at,
                                     const std::map<std::int64_t, producer_entry>& producers, bool sync);
decoded_snapshot read_producer_snapshot(const std::filesystem::path& dir, offset at);

/// The offsets of the snapshot files in `dir`, ascending.
std::vector<offset> list_producer_snapshots(const std::filesystem::path& dir);
void delete_producer_snapshot(const std::filesystem::path& dir, offset at);

}  // namespace sluice::storage
