#pragma once
// Big-endian (network order) loads and stores of integers, the byte order of
// Kafka's wire format, its record batches, the segment indexes and our own
// frames and LMDB keys. One implementation for all of them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace sluice {

/// Reads a T stored big-endian at `p` (sizeof(T) bytes).
template <class T>
constexpr T load_be(const std::byte* p) noexcept {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<U>((v << 8) | static_cast<U>(p[i]));
  return static_cast<T>(v);
}

/// Writes `value` big-endian at `p` (sizeof(T) bytes).
template <class T>
constexpr void store_be(std::byte* p, T value) noexcept {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  auto v = static_cast<U>(value);
  for (std::size_t i = sizeof(T); i-- > 0;) {
    p[i] = static_cast<std::byte>(v & 0xFF);
    v = static_cast<U>(v >> 8);
  }
}

/// The same over chars, for bytes held in a std::string (LMDB keys and
/// values, record keys).
template <class T>
T load_be(const char* p) noexcept {
  return load_be<T>(reinterpret_cast<const std::byte*>(p));
}

template <class T>
void store_be(char* p, T value) noexcept {
  store_be<T>(reinterpret_cast<std::byte*>(p), value);
}

/// `value` as a string of sizeof(T) big-endian bytes.
template <class T>
std::string be_string(T value) {
  std::string out(sizeof(T), '\0');
  store_be<T>(out.data(), value);
  return out;
}

}  // namespace sluice
