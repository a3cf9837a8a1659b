#pragma once
// Wall-clock milliseconds: record timestamps, deadlines and lag checks.
#include <chrono>
#include <cstdint>

namespace sluice::partition_server {

inline std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sluice::partition_server
