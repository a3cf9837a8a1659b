#include "services/group-coordinator/classic/consumer_protocol.h"

#include <cstdint>

namespace sluice::group_coordinator {

namespace {

bool read_be(std::string_view in, std::size_t& pos, std::size_t n, std::int64_t& out) {
  if (pos + n > in.size()) return false;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[pos + i]);
  pos += n;
  out = n == 2 ? static_cast<std::int16_t>(v) : static_cast<std::int32_t>(v);
  return true;
}

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_string(std::string& out, const std::string& s) {
  put(out, s.size(), 2);
  out += s;
}

}  // namespace

std::vector<std::string> subscription_topics(std::string_view metadata) {
  // version int16, topics: int32 count, then int16-length strings.
  std::size_t pos = 0;
  std::int64_t version = 0, count = 0;
  if (!read_be(metadata, pos, 2, version) || !read_be(metadata, pos, 4, count) || count < 0) return {};
  std::vector<std::string> topics;
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t len = 0;
    if (!read_be(metadata, pos, 2, len) || len < 0 || pos + static_cast<std::size_t>(len) > metadata.size()) return {};
    topics.emplace_back(metadata.substr(pos, static_cast<std::size_t>(len)));
    pos += static_cast<std::size_t>(len);
  }
  return topics;
}

std::string encode_subscription(const std::vector<std::string>& topics) {
  std::string out;
  put(out, 0, 2);  // version
  put(out, topics.size(), 4);
  for (const auto& t : topics) put_string(out, t);
  put(out, 0xffffffff, 4);  // user data: null
  return out;
}

std::string encode_assignment(const std::map<std::string, std::vector<std::int32_t>>& partitions) {
  std::string out;
  put(out, 0, 2);  // version
  put(out, partitions.size(), 4);
  for (const auto& [topic, ps] : partitions) {
    put_string(out, topic);
    put(out, ps.size(), 4);
    for (auto p : ps) put(out, static_cast<std::uint32_t>(p), 4);
  }
  put(out, 0xffffffff, 4);  // user data: null
  return out;
}

}  // namespace sluice::group_coordinator
