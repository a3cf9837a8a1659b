#include "services/partition-server/storage/producer_snapshot.h"

#include <algorithm>
#include <climits>

#include "common/base/endian.h"
#include "common/protocol/crc32c.h"
#include "services/partition-server/storage/file_names.h"
#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

namespace {

constexpr std::int16_t snapshot_version = 1;
constexpr std::size_t crc_at = 2;
constexpr std::size_t count_at = 6;  // also where the CRC'd bytes start
constexpr std::size_t entries_at = 10;
constexpr std::size_t entry_size = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

// One file entry (Kafka's ProducerSnapshot.ProducerEntry).
struct file_entry {
  std::int64_t producer_id = -1;
  std::int16_t epoch = -1;
  std::int32_t last_seq = -1;
  std::int64_t last_offset = -1;
  std::int32_t offset_delta = 0;
  std::int64_t timestamp = -1;
  std::int32_t coordinator_epoch = -1;
  std::int64_t txn_first_offset = -1;
};

void put(std::vector<std::byte>& out, const file_entry& e) {
  const std::size_t at = out.size();
  out.resize(at + entry_size);
  std::byte* p = out.data() + at;
  store_be(p, e.producer_id);
  store_be(p + 8, e.epoch);
  store_be(p + 10, e.last_seq);
  store_be(p + 14, e.last_offset);
  store_be(p + 22, e.offset_delta);
  store_be(p + 26, e.timestamp);
  store_be(p + 34, e.coordinator_epoch);
  store_be(p + 38, e.txn_first_offset);
}

file_entry get(const std::byte* p) {
  return {load_be<std::int64_t>(p),      load_be<std::int16_t>(p + 8),  load_be<std::int32_t>(p + 10),
          load_be<std::int64_t>(p + 14), load_be<std::int32_t>(p + 22), load_be<std::int64_t>(p + 26),
          load_be<std::int32_t>(p + 34), load_be<std::int64_t>(p + 38)};
}

// Kafka derives a batch's first sequence from its last and the offset delta,
// wrapping below 0 to Integer.MAX_VALUE.
std::int32_t first_sequence(std::int32_t last_seq, std::int32_t offset_delta) {
  if (last_seq < offset_delta) return INT32_MAX - (offset_delta - last_seq) + 1;
  return last_seq - offset_delta;
}

decoded_snapshot corrupt(std::string why) {
  decoded_snapshot out;
  out.error = std::move(why);
  return out;
}

}  // namespace

std::vector<std::byte> encode_producer_snapshot(const std::map<std::int64_t, producer_entry>& producers) {
  std::vector<std::byte> out(entries_at);
  std::int32_t count = 0;
  for (const auto& [id, e] : producers) {
    file_entry f;
    f.producer_id = id;
    f.epoch = e.epoch;
    f.coordinator_epoch = e.coordinator_epoch;
    f.txn_first_offset = e.txn_first_offset ? (*e.txn_first_offset)() : -1;
    if (e.batches.empty()) {
      f.timestamp = e.last_timestamp;
      put(out, f);
      ++count;
      continue;
    }
    for (std::size_t i = 0; i < e.batches.size(); ++i) {
      const producer_batch& b = e.batches[i];
      f.last_seq = b.last_seq;
      f.last_offset = b.last_offset();
      f.offset_delta = static_cast<std::int32_t>(b.last_offset - b.first_offset);
      f.timestamp = i + 1 == e.batches.size() ? e.last_timestamp : b.max_timestamp;
      put(out, f);
      ++count;
    }
  }
  store_be(out.data(), snapshot_version);
  store_be(out.data() + count_at, count);
  store_be(out.data() + crc_at, protocol::crc32c(std::span(out).subspan(count_at)));
  return out;
}

decoded_snapshot decode_producer_snapshot(std::span<const std::byte> bytes) {
  if (bytes.size() < entries_at) return corrupt("snapshot of " + std::to_string(bytes.size()) + " bytes has no header");
  const std::int16_t version = load_be<std::int16_t>(bytes.data());
  if (version != snapshot_version) return corrupt("unknown snapshot version " + std::to_string(version));
  const std::uint32_t stored = load_be<std::uint32_t>(bytes.data() + crc_at);
  const std::uint32_t computed = protocol::crc32c(bytes.subspan(count_at));
  if (stored != computed)
    return corrupt("CRC-32C mismatch: stored " + std::to_string(stored) + ", computed " + std::to_string(computed));
  const std::int32_t count = load_be<std::int32_t>(bytes.data() + count_at);
  if (count < 0 || bytes.size() - entries_at != static_cast<std::size_t>(count) * entry_size)
    return corrupt("entry count " + std::to_string(count) + " does not match " + std::to_string(bytes.size()) +
                   " bytes");
  decoded_snapshot out;
  for (std::int32_t i = 0; i < count; ++i) {
    const file_entry f = get(bytes.data() + entries_at + static_cast<std::size_t>(i) * entry_size);
    // Consecutive entries of one producer in one epoch are its retained
    // batches, oldest first; the last entry's other fields are current.
    if (out.producers.empty() || out.producers.back().producer_id != f.producer_id ||
        out.producers.back().epoch != f.epoch)
      out.producers.push_back({});
    producer_entry& e = out.producers.back();
    e.producer_id = f.producer_id;
    e.epoch = f.epoch;
    e.coordinator_epoch = f.coordinator_epoch;
    e.last_timestamp = f.timestamp;
    e.txn_first_offset = f.txn_first_offset >= 0 ? std::optional<offset>(offset{f.txn_first_offset}) : std::nullopt;
    if (f.last_offset >= 0) {
      if (e.batches.size() == producer_batches_retained) e.batches.pop_front();
      e.batches.push_back({first_sequence(f.last_seq, f.offset_delta), f.last_seq, offset{f.last_offset - f.offset_delta},
                           offset{f.last_offset}, f.timestamp});
    }
  }
  // A producer id twice, in two epochs: the last one holds (Kafka's reader).
  std::map<std::int64_t, std::size_t> last_of;
  for (std::size_t i = 0; i < out.producers.size(); ++i) last_of[out.producers[i].producer_id] = i;
  if (last_of.size() != out.producers.size()) {
    std::vector<producer_entry> unique;
    for (std::size_t i = 0; i < out.producers.size(); ++i)
      if (last_of[out.producers[i].producer_id] == i) unique.push_back(std::move(out.producers[i]));
    out.producers = std::move(unique);
  }
  return out;
}

result<void> write_producer_snapshot(const std::filesystem::path& dir, offset at,
                                     const std::map<std::int64_t, producer_entry>& producers, bool sync) {
  const auto bytes = encode_producer_snapshot(producers);
  return write_file_atomically(segment_file(dir, at, snapshot_suffix), bytes, sync);
}

decoded_snapshot read_producer_snapshot(const std::filesystem::path& dir, offset at) {
  const auto path = segment_file(dir, at, snapshot_suffix);
  if (!std::filesystem::exists(path)) return corrupt("no such file");
  auto f = posix_file::open(path);
  if (!f) return corrupt("cannot open: " + f.error().message());
  auto bytes = f.value().read_all();
  if (!bytes) return corrupt("cannot read: " + bytes.error().message());
  return decode_producer_snapshot(bytes.value());
}

std::vector<offset> list_producer_snapshots(const std::filesystem::path& dir) {
  std::vector<offset> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (auto at = parse_segment_file(entry.path().filename().string(), snapshot_suffix)) out.push_back(*at);
  std::sort(out.begin(), out.end());
  return out;
}

void delete_producer_snapshot(const std::filesystem::path& dir, offset at) {
  std::error_code ec;
  std::filesystem::remove(segment_file(dir, at, snapshot_suffix), ec);
}

}  // namespace sluice::storage
