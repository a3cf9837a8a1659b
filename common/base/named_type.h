#pragma once
// named_type<T, Tag>: a value of T that only mixes with values of the same
// tag, so an offset is never passed where a leader epoch is expected (the
// compiler says so). Redpanda's model/fundamental.h is the model.
//
//   using offset = named_type<std::int64_t, struct offset_tag>;
//   offset o{41};
//   ++o;                      // 42
//   o + 8                     // offset 50: a count of records moves an offset
//   offset{50} - o            // 8 (std::int64_t): the distance between two
//   o()                       // the raw value, for the wire and for storage
//
// Constructing from the raw type is explicit; comparisons, hashing, fmt
// formatting and streaming behave as for T.
#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <type_traits>

#include <fmt/format.h>

namespace sluice {

template <class T, class Tag>
class named_type {
  static_assert(std::is_arithmetic_v<T>, "named_type wraps numbers");

 public:
  using type = T;

  constexpr named_type() noexcept = default;
  constexpr explicit named_type(T value) noexcept : value_(value) {}

  /// The raw value.
  constexpr T operator()() const noexcept { return value_; }

  constexpr auto operator<=>(const named_type&) const noexcept = default;

  constexpr named_type& operator++() noexcept {
    ++value_;
    return *this;
  }
  constexpr named_type operator++(int) noexcept { return named_type(value_++); }
  constexpr named_type& operator+=(T n) noexcept {
    value_ += n;
    return *this;
  }
  constexpr named_type& operator-=(T n) noexcept {
    value_ -= n;
    return *this;
  }
  friend constexpr named_type operator+(named_type a, T n) noexcept { return a += n; }
  friend constexpr named_type operator-(named_type a, T n) noexcept { return a -= n; }
  /// How far apart two values are (a count, not a value of this type).
  friend constexpr T operator-(named_type a, named_type b) noexcept { return a.value_ - b.value_; }
  /// Prints the raw value (logs built with streams, failed test checks).
  friend std::ostream& operator<<(std::ostream& os, named_type v) { return os << v.value_; }

 private:
  T value_{};
};

}  // namespace sluice

template <class T, class Tag>
struct std::hash<sluice::named_type<T, Tag>> {
  std::size_t operator()(const sluice::named_type<T, Tag>& v) const noexcept { return std::hash<T>{}(v()); }
};

template <class T, class Tag>
struct fmt::formatter<sluice::named_type<T, Tag>> : fmt::formatter<T> {
  template <class FormatContext>
  auto format(const sluice::named_type<T, Tag>& v, FormatContext& ctx) const {
    return fmt::formatter<T>::format(v(), ctx);
  }
};
