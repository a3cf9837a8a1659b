#include "services/coordinator/topic_rules.h"

#include <algorithm>

namespace sluice::coordinator {

std::string check_topic_name(std::string_view name) {
  if (name.empty()) return "Topic name is illegal, it can't be empty";
  if (name == "." || name == "..") return "Topic name cannot be \".\" or \"..\"";
  if (name.size() > 249)
    return "Topic name is illegal, it can't be longer than 249 characters, topic name: " + std::string(name);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok)
      return "Topic name \"" + std::string(name) +
             "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
  }
  return {};
}

bool topic_names_collide(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] == '.' ? '_' : a[i];
    char y = b[i] == '.' ? '_' : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string base64url(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

namespace {
std::string random_bytes16(std::mt19937_64& rng) {
  std::string id(16, '\0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = rng();
    for (int i = 0; i < 8; ++i) id[half * 8 + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  return id;
}
}  // namespace

std::string new_topic_id(std::mt19937_64& rng) {
  while (true) {
    std::string id = random_bytes16(rng);
    bool zero = std::all_of(id.begin(), id.end(), [](char c) { return c == 0; });
    bool reserved = std::all_of(id.begin(), id.end() - 1, [](char c) { return c == 0; }) && id.back() == 1;
    if (zero || reserved || base64url(id).front() == '-') continue;
    return id;
  }
}

std::string new_cluster_id(std::mt19937_64& rng) { return base64url(random_bytes16(rng)); }

std::vector<std::vector<std::int32_t>> assign_replicas(const std::vector<std::int32_t>& servers,
                                                       std::int32_t first_partition, std::int32_t count,
                                                       std::int32_t rf, std::size_t start) {
  std::vector<std::vector<std::int32_t>> out;
  const std::size_t n = servers.size();
  if (n == 0 || rf < 1) return out;
  for (std::int32_t i = 0; i < count; ++i) {
    std::vector<std::int32_t> replicas;
    std::size_t p = static_cast<std::size_t>(first_partition + i);
    for (std::int32_t j = 0; j < rf; ++j) replicas.push_back(servers[(start + p + static_cast<std::size_t>(j)) % n]);
    out.push_back(std::move(replicas));
  }
  return out;
}

}  // namespace sluice::coordinator
