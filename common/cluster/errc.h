#pragma once
// Errors of the cluster client library (talking to the coordinator).
#include <system_error>

namespace sluice::cluster {

enum class errc {
  ok = 0,
  unavailable = 1,   // the coordinator could not be reached
  timed_out = 2,     // no reply within the deadline
  bad_reply = 3,     // the reply did not parse or had an unexpected status
  not_ready = 4,     // not registered yet
  stale_registration = 5,  // the coordinator no longer knows this registration (lease expired or
                           // fenced); cluster_client registers again by itself
  refused = 6,       // the coordinator answered with another error (e.g. storage failure)
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace sluice::cluster

template <>
struct std::is_error_code_enum<sluice::cluster::errc> : std::true_type {};
