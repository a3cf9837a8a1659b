#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2 (bytes 21..end).
//
// The SSE4.2 `crc32` instruction computes exactly this polynomial, so on x86
// CPUs that have it (chosen at run time) a batch costs well under a cycle per
// byte; elsewhere a slicing-by-8 table does the same work portably.
#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::protocol {

/// CRC-32C of `data`. `seed` is the CRC of the bytes before `data`, so
/// crc32c(b, crc32c(a)) == crc32c(a + b); 0 starts a new checksum.
std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t seed = 0);

namespace detail {
/// The two implementations, exposed so tests can check both give one answer.
std::uint32_t crc32c_portable(std::span<const std::byte> data, std::uint32_t seed);
/// Only call when crc32c_hardware_available() is true.
std::uint32_t crc32c_hardware(std::span<const std::byte> data, std::uint32_t seed);
bool crc32c_hardware_available() noexcept;
}  // namespace detail

}  // namespace sluice::protocol
