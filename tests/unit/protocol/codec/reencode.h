#pragma once
// Decode, then encode again: the canonical-encoding property that the
// generated round-trip tests and the request decoder fuzzer both check.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::protocol::testgen {

/// Decodes `bytes` as an M at `version` (throwing decode_error if they do not
/// parse), sets `consumed` to the bytes read and returns M's encoding.
template <class M>
std::vector<std::byte> reencode(std::span<const std::byte> bytes, std::int16_t version, std::size_t& consumed) {
    reader r(bytes);
    M m;
    m.decode(r, version);
    consumed = r.position();
    writer w;
    m.encode(w, version);
    return w.take();
}

}  // namespace sluice::protocol::testgen
