#pragma once
// Time as the group logic sees it: a parameter, never read from a clock
// inside the state machines, so unit tests drive them with a fake one. The
// wall clock is only for what Kafka stamps with it (commit and state
// timestamps in __consumer_offsets).
#include <chrono>
#include <cstdint>

namespace sluice::group_coordinator {

using time_point = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

/// Milliseconds since the Unix epoch.
inline std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sluice::group_coordinator
