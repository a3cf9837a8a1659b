#include "tools/sluice/cli_args.h"

namespace sluice::tools {

cli_result<key_value> parse_key_value(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) return cli_error("expected key=value, got '" + std::string(text) + "'");
  if (eq == 0) return cli_error("empty key in '" + std::string(text) + "'");
  return key_value{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

cli_result<std::vector<key_value>> parse_key_values(const std::vector<std::string>& items) {
  std::vector<key_value> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    auto kv = parse_key_value(item);
    if (!kv) return cli_error(kv.error());
    out.push_back(std::move(kv).value());
  }
  return out;
}

cli_result<std::string> parse_acks(std::string_view text) {
  if (text == "all" || text == "-1") return success(std::string("-1"));
  if (text == "0" || text == "1") return success(std::string(text));
  return cli_error("--acks must be all, -1, 0 or 1, got '" + std::string(text) + "'");
}

}  // namespace sluice::tools
