#pragma once
// Values for the generated round-trip tests (roundtrip_cases.cc, written by
// common/protocol/codegen/generate.py --test-out) and the case lists they fill.
//
// A filled value depends only on the field's number in the schema and a salt
// (which element of which array), never on fill order, so filling "every
// field" and "only this version's fields" give equal values where both set one.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/protocol/api_keys.h"
#include "common/protocol/wire.h"

namespace sluice::protocol::testgen {

/// A number of type T different from `default_value`.
template <class T>
T number(int field, std::int64_t salt, std::int64_t default_value) {
    auto v = static_cast<T>(field * 7 + salt * 131 + 1);
    if (static_cast<std::int64_t>(v) == default_value) v = static_cast<T>(v + 1);
    return v;
}

inline double real(int field, std::int64_t salt) { return field + salt / 8.0 + 0.5; }

inline std::string text(int field, std::int64_t salt) {
    return "f" + std::to_string(field) + "_" + std::to_string(salt);
}

inline uuid make_uuid(int field, std::int64_t salt) {
    uuid u;
    for (std::size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<std::byte>(field + salt + i + 1);
    return u;
}

inline std::vector<std::byte> blob(int field, std::int64_t salt) {
    return {std::byte{0xb0}, static_cast<std::byte>(field), static_cast<std::byte>(salt)};
}

/// A slice of a static buffer, so the view outlives every message using it.
inline records_view records(int field, std::int64_t salt) {
    static const std::array<std::byte, 256> pool = [] {
        std::array<std::byte, 256> a{};
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::byte>(i * 37 + 11);
        return a;
    }();
    const auto start = static_cast<std::size_t>((field * 13 + salt) % 128);
    return std::span<const std::byte>(pool).subspan(start, 9 + static_cast<std::size_t>(field % 17));
}

inline bool same_records(const records_view& a, const records_view& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return std::equal(a->begin(), a->end(), b->begin(), b->end());
}

template <class T, class Same>
bool same_each(const std::vector<T>& a, const std::vector<T>& b, Same&& same) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

template <class T, class Same>
bool same_each(const std::optional<std::vector<T>>& a, const std::optional<std::vector<T>>& b, Same&& same) {
    if (a.has_value() != b.has_value()) return false;
    return !a || same_each(*a, *b, same);
}

/// One message type at one version, with type-erased operations on it.
struct codec_case {
    std::string name;  // "produce_request v3", "offset_commit_value v1"
    std::int16_t version;
    /// Fills the fields present in `version` (every field when `all`) and encodes.
    std::vector<std::byte> (*encode_filled)(std::int16_t version, bool all);
    /// Decodes `bytes`; sets `consumed` to the bytes read and returns the re-encoding.
    std::vector<std::byte> (*decode_reencode)(std::span<const std::byte> bytes, std::int16_t version,
                                              std::size_t& consumed);
    /// Decodes `bytes` and compares every field present in `version` with a fresh fill.
    bool (*decodes_to_filled)(std::span<const std::byte> bytes, std::int16_t version);
};

/// A case of an API's request or response: the key and direction it is sent with.
struct message_case : codec_case {
    api_key key;
    bool is_request;
};

/// Every (message, version) pair of every generated API.
std::vector<message_case> all_message_cases();

/// Every (data message, version) pair of every generated data message
/// (schema/data_messages/: record keys and values, the consumer protocol's
/// metadata).
std::vector<codec_case> all_data_cases();

}  // namespace sluice::protocol::testgen
