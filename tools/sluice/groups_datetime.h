#pragma once
// The --to-datetime argument of `sluice groups reset-offsets`.
#include <cstdint>
#include <string_view>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

/// Milliseconds since the epoch of an ISO 8601 date-time as Kafka's tool
/// takes it: YYYY-MM-DDTHH:MM:SS, optionally .fraction (milliseconds are
/// kept, finer digits dropped), optionally a zone: Z, +HH, +HHMM or +HH:MM
/// (or -). Without a zone the time is local, as in kafka-consumer-groups.sh.
cli_result<std::int64_t> parse_datetime_ms(std::string_view text);

}  // namespace sluice::tools
