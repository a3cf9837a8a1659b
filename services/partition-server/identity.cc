#include "services/partition-server/identity.h"

#include <charconv>
#include <string>

#include "services/partition-server/file_util.h"

namespace sluice::partition_server {

namespace fs = std::filesystem;

result<std::optional<std::int32_t>> read_identity(const fs::path& data_dir) {
  const fs::path file = data_dir / "identity";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (ec) return ec;
    return std::optional<std::int32_t>{};
  }
  auto text = read_small_file(file);
  if (!text) return text.error();
  std::string s = std::move(text.value());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::int32_t id = -1;
  auto [end, parse_ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (s.empty() || parse_ec != std::errc() || end != s.data() + s.size() || id < 0)
    return std::make_error_code(std::errc::illegal_byte_sequence);
  return std::optional<std::int32_t>{id};
}

result<void> write_identity(const fs::path& data_dir, std::int32_t node_id) {
  return write_file_atomically(data_dir, "identity", std::to_string(node_id) + "\n");
}

}  // namespace sluice::partition_server
