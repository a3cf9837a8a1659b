#pragma once
// result<T>: a value or a std::error_code, for errors that are part of normal
// operation. The code is either the operating system's (storage: a failed
// open, pwrite or fsync keeps its errno) or a module's own `enum class errc`
// with its std::error_category (cluster::errc, config::errc). Errors that
// cross a service boundary travel as their RPC's protobuf enum instead.
// Throwing is kept for start-up and configuration failures.
#include <system_error>

#include <boost/outcome/result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace sluice {

namespace outcome = boost::outcome_v2;

template <class T>
using result = outcome::result<T, std::error_code, outcome::policy::terminate>;

using outcome::success;

}  // namespace sluice
