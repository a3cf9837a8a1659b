#include "services/partition-server/log_dir.h"

#include <charconv>

#include "services/partition-server/file_util.h"

namespace sluice::partition_server {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view metadata_file = "partition.metadata";
constexpr std::string_view id_key = "topic_id: ";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> parse_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

fs::path log_dir_path(const fs::path& data_dir, std::string_view topic, std::int32_t partition) {
  return data_dir / (std::string(topic) + "-" + std::to_string(partition));
}

std::string topic_id_hex(std::string_view raw_id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw_id.size() * 2);
  for (unsigned char c : raw_id) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::optional<std::string> read_partition_metadata(const fs::path& dir) {
  auto text = read_small_file(dir / metadata_file);
  if (!text) return std::nullopt;
  std::string_view s = text.value();
  auto at = s.find(id_key);
  if (at == std::string_view::npos) return std::nullopt;
  s.remove_prefix(at + id_key.size());
  auto end = s.find_first_of("\r\n ");
  return parse_hex(s.substr(0, end));
}

result<bool> prepare_log_dir(const fs::path& dir, std::string_view raw_topic_id) {
  std::error_code ec;
  bool wiped = false;
  if (fs::exists(dir, ec)) {
    auto stored = read_partition_metadata(dir);
    if (stored && *stored == raw_topic_id) return false;
    fs::remove_all(dir, ec);
    if (ec) return ec;
    wiped = true;
  }
  auto written = write_file_atomically(dir, metadata_file,
                                       "version: 0\n" + std::string(id_key) + topic_id_hex(raw_topic_id) + "\n");
  if (!written) return written.error();
  return wiped;
}

std::vector<found_log_dir> scan_log_dirs(const fs::path& data_dir) {
  std::vector<found_log_dir> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(data_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    const std::string name = it->path().filename().string();
    auto dash = name.rfind('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) continue;
    std::int32_t partition = -1;
    auto [end, perr] = std::from_chars(name.data() + dash + 1, name.data() + name.size(), partition);
    if (perr != std::errc() || end != name.data() + name.size() || partition < 0) continue;
    auto id = read_partition_metadata(it->path());
    if (!id) continue;
    out.push_back({it->path(), name.substr(0, dash), partition, std::move(*id)});
  }
  return out;
}

}  // namespace sluice::partition_server
