#include "tools/sluice/groups_info.h"

#include <algorithm>
#include <map>
#include <memory>

#include "tools/sluice/kafka_client.h"

namespace sluice::tools {

namespace {

struct group_list_deleter {
  void operator()(const rd_kafka_group_list* l) const { rd_kafka_group_list_destroy(l); }
};
using group_list_ptr = std::unique_ptr<const rd_kafka_group_list, group_list_deleter>;

/// Big-endian reads of the Kafka encoding, bounds-checked: the bytes come
/// from whichever client joined the group.
class wire_reader {
 public:
  wire_reader(const void* data, std::size_t size) : p_(static_cast<const unsigned char*>(data)), left_(size) {}

  bool read(std::int64_t& out, int bytes) {
    if (left_ < static_cast<std::size_t>(bytes)) return false;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p_[i];
    // Sign-extend: int16/int32 fields are signed on the wire.
    const int shift = 64 - 8 * bytes;
    out = static_cast<std::int64_t>(v << shift) >> shift;
    skip(bytes);
    return true;
  }

  bool read_string(std::string& out) {
    std::int64_t len = 0;
    if (!read(len, 2) || len < 0 || static_cast<std::size_t>(len) > left_) return false;
    out.assign(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(len));
    skip(static_cast<std::size_t>(len));
    return true;
  }

  /// An array length, checked against what is left so a corrupt count
  /// cannot make the caller loop for long.
  bool read_count(std::int64_t& out, std::size_t min_element_size) {
    if (!read(out, 4)) return false;
    return out >= 0 && static_cast<std::size_t>(out) <= left_ / min_element_size;
  }

 private:
  void skip(std::size_t n) {
    p_ += n;
    left_ -= n;
  }
  const unsigned char* p_;
  std::size_t left_;
};

/// Kafka's admin client only reads assignments of consumer groups; other
/// protocol types (connect, ...) have their own formats.
constexpr const char* consumer_protocol_type = "consumer";

group_member to_member(const rd_kafka_group_member_info& m, bool consumer_protocol) {
  group_member out;
  out.member_id = m.member_id ? m.member_id : "";
  out.client_id = m.client_id ? m.client_id : "";
  out.host = m.client_host ? m.client_host : "";
  if (consumer_protocol && m.member_assignment && m.member_assignment_size > 0) {
    auto decoded = decode_consumer_assignment(m.member_assignment, static_cast<std::size_t>(m.member_assignment_size));
    // An undecodable assignment is shown as none rather than failing the
    // whole description: the offsets are still worth seeing.
    if (decoded) out.assignment = std::move(decoded).value();
  }
  return out;
}

group_info to_group(const rd_kafka_group_info& g) {
  group_info out;
  out.group = g.group ? g.group : "";
  out.state = g.state ? g.state : "";
  out.protocol_type = g.protocol_type ? g.protocol_type : "";
  out.protocol = g.protocol ? g.protocol : "";
  const bool consumer = out.protocol_type == consumer_protocol_type;
  for (int i = 0; i < g.member_cnt; ++i) out.members.push_back(to_member(g.members[i], consumer));
  std::sort(out.members.begin(), out.members.end(),
            [](const group_member& a, const group_member& b) { return a.member_id < b.member_id; });
  return out;
}

/// ListGroups to every gateway, then DescribeGroups of what each listed.
/// Every gateway lists every group, so with several gateways a group comes
/// back several times: keep one answer per group, preferring one without
/// an error.
cli_result<std::map<std::string, group_info>> fetch_groups(rd_kafka_t* rk, const char* group, int timeout_ms) {
  const rd_kafka_group_list* raw = nullptr;
  if (auto err = rd_kafka_list_groups(rk, group, &raw, timeout_ms))
    return cli_error("listing consumer groups: " + kafka_error_text(err));
  group_list_ptr list(raw);
  std::map<std::string, group_info> out;
  std::map<std::string, rd_kafka_resp_err_t> errors;
  for (int i = 0; i < list->group_cnt; ++i) {
    const auto& g = list->groups[i];
    const std::string id = g.group ? g.group : "";
    if (g.err) {
      errors.emplace(id, g.err);
      continue;
    }
    out.emplace(id, to_group(g));
  }
  for (const auto& [id, err] : errors)
    if (!out.count(id)) return cli_error("group '" + id + "': " + kafka_error_text(err));
  return out;
}

}  // namespace

cli_result<std::vector<topic_assignment>> decode_consumer_assignment(const void* data, std::size_t size) {
  wire_reader in(data, size);
  std::int64_t version = 0, topics = 0;
  const auto bad = [] { return cli_error("malformed consumer protocol assignment"); };
  if (!in.read(version, 2) || !in.read_count(topics, 6)) return bad();
  std::vector<topic_assignment> out;
  for (std::int64_t t = 0; t < topics; ++t) {
    topic_assignment a;
    std::int64_t partitions = 0;
    if (!in.read_string(a.topic) || !in.read_count(partitions, 4)) return bad();
    for (std::int64_t p = 0; p < partitions; ++p) {
      std::int64_t id = 0;
      if (!in.read(id, 4)) return bad();
      a.partitions.push_back(static_cast<std::int32_t>(id));
    }
    std::sort(a.partitions.begin(), a.partitions.end());
    out.push_back(std::move(a));
  }
  // The user data that follows is the assignor's business.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.topic < b.topic; });
  return out;
}

cli_result<std::vector<group_info>> list_groups(rd_kafka_t* rk, int timeout_ms) {
  auto groups = fetch_groups(rk, nullptr, timeout_ms);
  if (!groups) return cli_error(groups.error());
  std::vector<group_info> out;
  for (auto& [id, g] : groups.value()) out.push_back(std::move(g));
  return out;
}

cli_result<std::optional<group_info>> describe_group(rd_kafka_t* rk, const std::string& group, int timeout_ms) {
  auto groups = fetch_groups(rk, group.c_str(), timeout_ms);
  if (!groups) return cli_error(groups.error());
  auto it = groups.value().find(group);
  // Kafka answers "Dead" for a group it does not know.
  if (it == groups.value().end() || it->second.state == "Dead") return std::optional<group_info>();
  return std::optional<group_info>(std::move(it->second));
}

bool group_inactive(const std::string& state) { return state == "Empty" || state == "Dead"; }

}  // namespace sluice::tools
