#pragma once
// Helpers of the hand-checked byte tests (known_bytes_test.cc for the APIs,
// data_known_bytes_test.cc for the data messages): bytes written out by hand,
// a message's encoding, and a decode that must consume every byte.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "common/protocol/wire.h"

namespace sluice::protocol::testgen {

// Builds bytes from a mix of numbers and strings, e.g. b({0x00, 0x03}, "foo").
struct bytes_builder {
    std::vector<std::byte> out;
    bytes_builder& operator()(std::initializer_list<int> xs) {
        for (int x : xs) out.push_back(static_cast<std::byte>(x));
        return *this;
    }
    bytes_builder& operator()(std::string_view s) {
        for (char c : s) out.push_back(static_cast<std::byte>(c));
        return *this;
    }
};

template <class M>
std::vector<std::byte> encode(const M& m, std::int16_t version) {
    writer w;
    m.encode(w, version);
    return w.take();
}

template <class M>
M decode_all(std::span<const std::byte> bytes, std::int16_t version) {
    reader r(bytes);
    M m;
    m.decode(r, version);
    BOOST_TEST(r.remaining() == 0u);
    return m;
}

}  // namespace sluice::protocol::testgen
