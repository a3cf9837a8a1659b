#pragma once
// Time as the group logic sees it: a parameter, never read from a clock
// inside the logic, so unit tests drive it with a fake one.
#include <chrono>

namespace sluice::group_coordinator {

using time_point = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

}  // namespace sluice::group_coordinator
