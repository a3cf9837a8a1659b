#pragma once
// Helpers the generated message code calls: one per field shape, switching
// between classic and compact (flexible) encodings at run time. Not part of
// the public interface; include wire.h to read or write by hand.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::protocol::detail {

inline std::string read_string(reader& r, bool flexible) {
    return flexible ? r.read_compact_string() : r.read_string();
}

/// `nullable`: whether null is allowed in this version; otherwise a null on
/// the wire is a decode error, as in Kafka.
inline std::optional<std::string> read_nullable_string(reader& r, bool flexible, bool nullable) {
    if (!nullable) return read_string(r, flexible);
    return flexible ? r.read_compact_nullable_string() : r.read_nullable_string();
}

inline void write_string(writer& w, bool flexible, const std::string& s) {
    flexible ? w.write_compact_string(s) : w.write_string(s);
}

/// Null in a version where the field is not nullable is written as "": the
/// closest value the version can carry (encoding never throws on content).
inline void write_nullable_string(writer& w, bool flexible, bool nullable, const std::optional<std::string>& s) {
    if (!s && !nullable) return write_string(w, flexible, std::string());
    flexible ? w.write_compact_nullable_string(s) : w.write_nullable_string(s);
}

inline std::vector<std::byte> read_bytes(reader& r, bool flexible) {
    return flexible ? r.read_compact_bytes() : r.read_bytes();
}

inline std::optional<std::vector<std::byte>> read_nullable_bytes(reader& r, bool flexible, bool nullable) {
    if (!nullable) return read_bytes(r, flexible);
    return flexible ? r.read_compact_nullable_bytes() : r.read_nullable_bytes();
}

inline void write_bytes(writer& w, bool flexible, std::span<const std::byte> b) {
    flexible ? w.write_compact_bytes(b) : w.write_bytes(b);
}

inline void write_nullable_bytes(writer& w, bool flexible, bool nullable,
                                 const std::optional<std::vector<std::byte>>& b) {
    if (!b) {
        if (!nullable) return write_bytes(w, flexible, {});
        return flexible ? w.write_compact_nullable_bytes(std::nullopt) : w.write_nullable_bytes(std::nullopt);
    }
    write_bytes(w, flexible, *b);
}

inline records_view read_records(reader& r, bool flexible, bool nullable) {
    records_view v = flexible ? r.read_compact_nullable_bytes_view() : r.read_nullable_bytes_view();
    if (!v && !nullable) throw decode_error("null records in a version where they are not nullable");
    return v;
}

inline void write_records(writer& w, bool flexible, bool nullable, const records_view& v) {
    if (!v && !nullable) return write_bytes(w, flexible, {});
    flexible ? w.write_compact_nullable_bytes(v) : w.write_nullable_bytes(v);
}

inline std::int32_t read_array_length(reader& r, bool flexible, bool nullable) {
    const std::int32_t n = flexible ? r.read_compact_array_length() : r.read_array_length();
    if (n < 0 && !nullable) throw decode_error("null in a non-nullable array");
    return n;
}

inline void write_array_length(writer& w, bool flexible, std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max() - 1)) {
        throw std::length_error("array too long for the wire");
    }
    const auto count = static_cast<std::int32_t>(n);
    flexible ? w.write_compact_array_length(count) : w.write_array_length(count);
}

// Elements are appended one by one as they decode (no reserve from the
// claimed count), so memory grows only with input actually consumed.
template <class T, class ReadElem>
void read_array(reader& r, bool flexible, bool nullable, std::vector<T>& out, ReadElem&& read_elem) {
    const std::int32_t n = read_array_length(r, flexible, nullable);
    out.clear();
    for (std::int32_t i = 0; i < n; ++i) read_elem(r, out.emplace_back());
}

template <class T, class ReadElem>
void read_array(reader& r, bool flexible, bool nullable, std::optional<std::vector<T>>& out, ReadElem&& read_elem) {
    const std::int32_t n = read_array_length(r, flexible, nullable);
    if (n < 0) {
        out.reset();
        return;
    }
    out.emplace();
    for (std::int32_t i = 0; i < n; ++i) read_elem(r, out->emplace_back());
}

template <class T, class WriteElem>
void write_array(writer& w, bool flexible, bool /*nullable*/, const std::vector<T>& v, WriteElem&& write_elem) {
    write_array_length(w, flexible, v.size());
    for (const T& e : v) write_elem(w, e);
}

/// A null array in a version where it is not nullable is written as empty.
template <class T, class WriteElem>
void write_array(writer& w, bool flexible, bool nullable, const std::optional<std::vector<T>>& v,
                 WriteElem&& write_elem) {
    if (!v) {
        if (!nullable) return write_array_length(w, flexible, 0);
        return flexible ? w.write_compact_array_length(-1) : w.write_array_length(-1);
    }
    write_array(w, flexible, nullable, *v, write_elem);
}

}  // namespace sluice::protocol::detail
