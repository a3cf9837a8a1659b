#pragma once
// The text formats of the console producer and consumer, kept apart from
// librdkafka so they can be unit-tested.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

/// One line of `sluice produce` input.
struct record_text {
  std::optional<std::string> key;
  std::string value;
};

/// Splits a line into key and value at the first `separator`. With an empty
/// separator the whole line is the value and there is no key. A line without
/// the separator is an error, as in Kafka's console producer: guessing would
/// silently send records with no key.
cli_result<record_text> split_record_line(std::string_view line, std::string_view separator);

using record_header = std::pair<std::string, std::optional<std::string>>;

/// What `sluice consume` prints for one record; which parts appear is chosen
/// by the flags. The order follows Kafka's console consumer: partition,
/// offset, headers, key, value.
struct print_options {
  bool partition = false;
  bool offset = false;
  bool headers = false;
  bool key = false;
  std::string separator = "\t";
};

struct consumed_record {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::vector<record_header> headers;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

/// Headers as `k1:v1,k2:v2` (a null value prints as `null`), or
/// `NO_HEADERS` when there are none, like Kafka's console consumer.
std::string format_headers(const std::vector<record_header>& headers);

/// One output line, without the trailing newline. Null keys and values print
/// as `null`.
std::string format_record(const consumed_record& record, const print_options& options);

}  // namespace sluice::tools
