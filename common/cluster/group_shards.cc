#include "common/cluster/group_shards.h"

#include <limits>

#include "common/cluster/metadata_view.h"

namespace sluice::cluster {

namespace {

/// Decodes one UTF-8 code point at `i` (advancing it); U+FFFD for a bad sequence.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  std::uint32_t cp = len == 1 ? b0 : b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

}  // namespace

std::int32_t java_string_hash(std::string_view s) {
  std::uint32_t h = 0;  // Java int arithmetic wraps: do it unsigned
  auto add = [&h](std::uint32_t unit) { h = h * 31u + unit; };
  for (std::size_t i = 0; i < s.size();) {
    const std::uint32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      add(0xD800 + ((cp - 0x10000) >> 10));
      add(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      add(cp);
    }
  }
  return static_cast<std::int32_t>(h);
}

std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions) {
  const std::int32_t h = java_string_hash(group_id);
  // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0.
  const std::int32_t abs = h == std::numeric_limits<std::int32_t>::min() ? 0 : (h < 0 ? -h : h);
  return abs % partitions;
}

std::int32_t transaction_partition_for(std::string_view transactional_id, std::int32_t partitions) {
  return offsets_partition_for(transactional_id, partitions);
}

bool is_group_sharded_topic(std::string_view topic) {
  return topic == offsets_topic || topic == transaction_state_topic;
}

std::int32_t offsets_partition_owner(const metadata_view& view, std::int32_t partition) {
  const auto* s = offsets_shard(view, partition);
  if (s == nullptr || s->owner() < 0 || view.service(s->owner()) == nullptr) return -1;
  return s->owner();
}

const mv1::GroupShard* offsets_shard(const metadata_view& view, std::int32_t partition) {
  const auto& shards = view.snapshot().group_shards().shards();
  if (partition < 0 || partition >= shards.size()) return nullptr;
  const auto& s = shards.Get(partition);
  return s.partition() == partition ? &s : nullptr;
}

}  // namespace sluice::cluster
