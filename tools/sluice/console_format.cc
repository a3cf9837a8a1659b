#include "tools/sluice/console_format.h"

namespace sluice::tools {

cli_result<record_text> split_record_line(std::string_view line, std::string_view separator) {
  if (separator.empty()) return record_text{std::nullopt, std::string(line)};
  auto at = line.find(separator);
  if (at == std::string_view::npos) return cli_error("no key separator '" + std::string(separator) + "' in the line");
  return record_text{std::string(line.substr(0, at)), std::string(line.substr(at + separator.size()))};
}

std::string format_headers(const std::vector<record_header>& headers) {
  if (headers.empty()) return "NO_HEADERS";
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out.push_back(',');
    out += name;
    out.push_back(':');
    out += value ? *value : std::string("null");
  }
  return out;
}

std::string format_record(const consumed_record& record, const print_options& options) {
  std::string out;
  auto field = [&](const std::string& text) {
    out += text;
    out += options.separator;
  };
  if (options.partition) field("Partition:" + std::to_string(record.partition));
  if (options.offset) field("Offset:" + std::to_string(record.offset));
  if (options.headers) field(format_headers(record.headers));
  if (options.key) field(record.key ? *record.key : std::string("null"));
  out += record.value ? *record.value : std::string("null");
  return out;
}

}  // namespace sluice::tools
