#pragma once
// Between the wire writer/reader and the std::string keys and values that
// records carry: shared by the __consumer_offsets record formats.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/protocol/wire.h"

namespace sluice::group_coordinator::record_bytes {

inline std::string to_string(protocol::writer& w) {
  auto d = w.data();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

inline protocol::reader reader_of(std::string_view bytes) {
  return protocol::reader(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
}

}  // namespace sluice::group_coordinator::record_bytes
