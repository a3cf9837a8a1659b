#include "services/partition-server/storage/file_names.h"

#include <charconv>
#include <string>

#include "services/partition-server/storage/log_format.h"

namespace sluice::storage {

std::filesystem::path segment_file(const std::filesystem::path& dir, offset base_offset, std::string_view suffix) {
  std::string digits = std::to_string(base_offset());
  std::string name(static_cast<std::size_t>(log_format::file_name_digits) - std::min<std::size_t>(digits.size(), 20), '0');
  name += digits;
  name += suffix;
  return dir / name;
}

std::optional<offset> parse_segment_file(std::string_view name, std::string_view suffix) {
  if (name.size() != log_format::file_name_digits + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  const std::string_view digits = name.substr(0, log_format::file_name_digits);
  std::int64_t value = 0;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return offset{value};
}

}  // namespace sluice::storage
