#include "common/protocol/control_record.h"

#include "common/base/endian.h"
#include "common/protocol/record_batch_builder.h"
#include "common/protocol/record_batch_view.h"

namespace sluice::protocol {

namespace {

constexpr std::size_t key_size = 4;    // i16 version, i16 type
constexpr std::size_t value_size = 6;  // i16 version, i32 coordinator epoch
constexpr std::int16_t current_version = 0;

control_read not_a_marker(std::string why) {
  control_read out;
  out.error = std::move(why);
  return out;
}

}  // namespace

control_read read_txn_marker(std::span<const std::byte> batch) {
  const batch_header h(batch);
  if (h.records_count() <= 0) return {};
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  if (auto err = batch_records(batch, scratch, records, max_uncompressed_batch_bytes); !err.empty())
    return not_a_marker("control batch records: " + err);
  record_reader reader(records);
  record_view record;
  if (const char* err = reader.next(record, false)) return not_a_marker(std::string("control record: ") + err);
  if (!record.key || record.key->size() < key_size) return not_a_marker("control record key shorter than 4 bytes");
  const std::int16_t key_version = load_be<std::int16_t>(record.key->data());
  const std::int16_t type = load_be<std::int16_t>(record.key->data() + 2);
  if (key_version < 0) return not_a_marker("control record key version " + std::to_string(key_version));
  if (type != static_cast<std::int16_t>(control_type::abort) && type != static_cast<std::int16_t>(control_type::commit))
    return not_a_marker("control record type " + std::to_string(type) + " is no transaction marker");
  if (!record.value || record.value->size() < value_size)
    return not_a_marker("transaction marker value shorter than 6 bytes");
  const std::int16_t value_version = load_be<std::int16_t>(record.value->data());
  if (value_version < 0) return not_a_marker("transaction marker version " + std::to_string(value_version));
  control_read out;
  out.marker = txn_marker{static_cast<control_type>(type), load_be<std::int32_t>(record.value->data() + 2)};
  return out;
}

std::vector<std::byte> build_txn_marker_batch(const txn_marker& marker, std::int64_t producer_id,
                                              std::int16_t producer_epoch, std::int64_t timestamp_ms) {
  std::string key(key_size, '\0');
  store_be(key.data(), current_version);
  store_be(key.data() + 2, static_cast<std::int16_t>(marker.type));
  std::string value(value_size, '\0');
  store_be(value.data(), current_version);
  store_be(value.data() + 2, marker.coordinator_epoch);
  const record_to_build record{.key = std::move(key), .value = std::move(value), .headers = {}, .timestamp = timestamp_ms};
  return build_batch(std::span(&record, 1), {.transactional = true,
                                             .control = true,
                                             .producer_id = producer_id,
                                             .producer_epoch = producer_epoch,
                                             .base_sequence = -1});
}

}  // namespace sluice::protocol
