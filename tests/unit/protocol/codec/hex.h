#pragma once
// Byte vectors as hex strings, so failed comparisons print readable bytes.
#include <cstddef>
#include <span>
#include <string>

namespace sluice::protocol::testgen {

inline std::string hex(std::span<const std::byte> b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::byte x : b) {
        s += digits[std::to_integer<int>(x) >> 4];
        s += digits[std::to_integer<int>(x) & 15];
    }
    return s;
}

}  // namespace sluice::protocol::testgen
