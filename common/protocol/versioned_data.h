#pragma once
// Kafka's data messages (schema/data_messages/: the record keys and values
// of its internal topics, the consumer protocol's subscription and
// assignment) are stored as an int16 version followed by the message encoded
// at that version:
//
//   key of __consumer_offsets   int16 1, OffsetCommitKey v1 (group, topic, partition)
//   value                       int16 3, OffsetCommitValue v3 (offset, leader epoch, ...)
//
// These helpers write and read that layout to and from the std::string a
// record's key or value (or a member's opaque metadata) is held in. The
// version also names the record type for keys (Kafka's key versions 0-1 are
// offsets, 2 classic groups, 3-8 the KIP-848 records), so key readers look
// at version_of() first and pick the message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::protocol {

/// A reader over bytes held in a string; the string must outlive it.
inline reader reader_of(std::string_view bytes) {
    return reader(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
}

/// Bytes as the std::string records carry them, and back (for `bytes` fields).
inline std::string string_of(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
inline std::vector<std::byte> bytes_of(std::string_view s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return std::vector<std::byte>(p, p + s.size());
}

/// The int16 version in front of a data message; decode_error if there is none.
inline std::int16_t version_of(std::string_view bytes) { return reader_of(bytes).read_int16(); }

/// Whether `version` is one of M's (for a key: whether the key is an M).
template <class M>
constexpr bool is_version_of(std::int16_t version) {
    return version >= M::min_version && version <= M::max_version;
}

/// `m` encoded at `version`, behind that version.
template <class M>
std::string encode_versioned(const M& m, std::int16_t version) {
    writer w;
    w.write_int16(version);
    m.encode(w, version);
    return string_of(w.data());
}

/// What a reader does with a version outside the message's schema.
enum class unknown_version {
    /// decode_error: Kafka's coordinators refuse records they do not know.
    refuse,
    /// Read it as the nearest version known: Kafka's rule for the consumer
    /// protocol (newer versions only add fields at the end).
    read_as_nearest,
};

/// A data message read back with the version it was written at.
template <class M>
struct versioned {
    std::int16_t version = 0;  ///< as written, even where read as the nearest known
    M message;
};

/// Reads what encode_versioned wrote. Throws decode_error on bytes that do
/// not parse; bytes after the message are ignored (as Kafka's readers do).
template <class M>
versioned<M> decode_versioned(std::string_view bytes, unknown_version unknown) {
    reader r = reader_of(bytes);
    versioned<M> out;
    out.version = r.read_int16();
    std::int16_t read_as = out.version;
    if (!is_version_of<M>(read_as)) {
        switch (unknown) {
        case unknown_version::refuse:
            throw decode_error(std::string(M::message_name) + " version " + std::to_string(out.version) +
                               " is not supported");
        case unknown_version::read_as_nearest:
            read_as = std::clamp(read_as, M::min_version, M::max_version);
            break;
        }
    }
    out.message.decode(r, read_as);
    return out;
}

}  // namespace sluice::protocol
