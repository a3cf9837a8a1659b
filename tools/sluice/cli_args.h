#pragma once
// Parsing of the option values shared by several subcommands: `k=v` pairs
// (--config, --header, -X) and --acks.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

using key_value = std::pair<std::string, std::string>;

/// "k=v" → {k, v}. The value may be empty or contain '='; the key may not be
/// empty.
cli_result<key_value> parse_key_value(std::string_view text);

/// Every element of `items` through parse_key_value; the first error wins.
cli_result<std::vector<key_value>> parse_key_values(const std::vector<std::string>& items);

/// --acks: "all", "-1", "0" or "1", returned as librdkafka's value ("-1" for all).
cli_result<std::string> parse_acks(std::string_view text);

}  // namespace sluice::tools
