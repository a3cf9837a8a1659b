#pragma once
// Writing record batches: the leader's in-place stamping of a producer's
// batch (offsets, epoch, timestamps) and encoding new batches from records.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/protocol/record_batch_view.h"

namespace sluice::protocol {

// --- stamping (partition leader) -------------------------------------------

/// Outside the CRC: no recompute needed.
void stamp_base_offset(std::span<std::byte> batch, std::int64_t base_offset) noexcept;
void stamp_partition_leader_epoch(std::span<std::byte> batch, std::int32_t epoch) noexcept;
/// Sets max_timestamp and the timestamp-type bit, then recomputes the CRC.
void stamp_max_timestamp(std::span<std::byte> batch, std::int64_t max_timestamp, timestamp_type type) noexcept;

// --- building -----------------------------------------------------------------

struct record_to_build {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  std::int64_t timestamp = 0;
};

struct batch_build_options {
  compression_codec codec = compression_codec::none;
  bool snappy_xerial = false;  // frame snappy the way the Java client does
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
  timestamp_type ts_type = timestamp_type::create_time;
  bool transactional = false;
  bool control = false;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
};

/// Encodes one batch (records get offset deltas 0..n-1). For producers
/// inside the project and for tests.
std::vector<std::byte> build_batch(std::span<const record_to_build> records, const batch_build_options& options = {});

/// Appends one record in wire form (length prefix included) to `out`.
void encode_record(std::vector<std::byte>& out, const record_to_build& record, std::int64_t timestamp_delta,
                   std::int32_t offset_delta);

}  // namespace sluice::protocol
