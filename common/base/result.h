#pragma once
// result<T>: a value or a std::error_code, for errors that are part of normal
// operation (STYLE.md §7). Each module defines `enum class errc` with its own
// std::error_category and returns result<T>; throwing is kept for start-up
// and configuration failures.
#include <system_error>

#include <boost/outcome/result.hpp>
#include <boost/outcome/success_failure.hpp>

namespace sluice {

namespace outcome = boost::outcome_v2;

template <class T>
using result = outcome::result<T, std::error_code, outcome::policy::terminate>;

using outcome::success;

}  // namespace sluice
