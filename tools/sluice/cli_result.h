#pragma once
// cli_result<T>: a value or a message for the user. The command's errors end
// up printed on stderr with a non-zero exit code, so the error type is the
// text itself (a Kafka error name plus the broker's message, or a usage
// problem), rather than a std::error_code as in the services.
#include <string>

#include "common/base/result.h"

namespace sluice::tools {

/// The message of a failed cli_result. A type of its own (rather than
/// std::string) so that cli_result<std::string> can tell a value from an
/// error; it is a std::string for everything else.
struct error_text : std::string {
  error_text() = default;
  explicit error_text(std::string text) : std::string(std::move(text)) {}
};

template <class T>
using cli_result = outcome::result<T, error_text, outcome::policy::terminate>;

inline auto cli_error(std::string message) { return outcome::failure(error_text(std::move(message))); }

}  // namespace sluice::tools
