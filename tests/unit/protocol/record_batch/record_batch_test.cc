#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "common/protocol/record_batch.h"

using namespace sluice::protocol;
using sluice::load_be;
using sluice::store_be;
namespace L = sluice::protocol::batch_layout;

namespace {

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string text(std::span<const std::byte> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

std::vector<record_to_build> three_records() {
  return {
      {.key = "k0", .value = "hello", .headers = {{"h", "v"}}, .timestamp = 1700000000000},
      {.key = std::nullopt, .value = std::string(100, 'w'), .headers = {}, .timestamp = 1700000000005},
      {.key = "k2", .value = std::nullopt, .headers = {{"n", std::nullopt}}, .timestamp = 1700000000002},
  };
}

const compression_codec kAllCodecs[] = {compression_codec::none, compression_codec::gzip, compression_codec::snappy,
                                        compression_codec::lz4, compression_codec::zstd};

// Rewrites a 32-bit field inside the CRC'd range and fixes the CRC, so the
// test reaches the check after the CRC.
template <class T>
void patch(std::vector<std::byte>& batch, std::size_t at, T value) {
  store_be(batch.data() + at, value);
  store_be(batch.data() + L::crc, compute_batch_crc(batch));
}

// Batches produced by kafka-python 2.0.2's DefaultRecordBatchBuilder with the
// same three records as three_records() except the headers of the last one
// and the 'world'*20 value: none, gzip, snappy (xerial framing), lz4.
const char* kKafkaPythonBatches[] = {
    "0000000000000000000000b90000000002672f10040000000000020000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff"
    "0000000322000000046b300a68656c6c6f0202680276d601000a0201c801776f726c64776f726c64776f726c64776f726c64776f726c6477"
    "6f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f726c64776f"
    "726c64776f726c64776f726c64776f726c640010000404046b320100",
    "0000000000000000000000700000000002259f30db0001000000020000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff"
    "000000031f8b0800b76d056b02ff5362606060c936e0ca48cdc9c96762ca602abbc6c8c0c5c47882b13cbf282785c6048300030b0b4bb6112"
    "3030098ed2ed688000000",
    "00000000000000000000007800000000022dc98f9a0002000000020000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff"
    "0000000382534e415050590000000001000000010000003388017822000000046b300a68656c6c6f0202680276d601000a0201c801776f72"
    "6c64fe05007a0500240010000404046b320100",
    "0000000000000000000000770000000002e694d9790003000000020000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff"
    "0000000304224d18684088000000000000001c2f000000ff1022000000046b300a68656c6c6f0202680276d601000a0201c801776f726c64"
    "05004ca00010000404046b32010000000000",
};

}  // namespace

BOOST_AUTO_TEST_SUITE(record_batch_suite)

BOOST_AUTO_TEST_CASE(accepts_batches_written_by_kafka_python) {
  for (int codec = 0; codec < 4; ++codec) {
    auto batch = from_hex(kKafkaPythonBatches[codec]);
    const batch_header h(batch);
    BOOST_TEST(h.total_size() == static_cast<std::int64_t>(batch.size()));
    BOOST_TEST(h.codec_id() == codec);
    BOOST_TEST(h.records_count() == 3);
    auto v = validate_batch(batch, {});
    BOOST_TEST(static_cast<bool>(v), "codec " << codec << ": " << v.message);
    BOOST_TEST(v.summary.max_timestamp == 1700000000005);
    BOOST_TEST(v.summary.max_timestamp_offset_delta == 1);

    std::vector<std::byte> scratch;
    std::span<const std::byte> records;
    BOOST_REQUIRE(batch_records(batch, scratch, records, 1 << 20).empty());
    std::vector<std::string> values;
    auto err = for_each_record(records, 3, [&](const record_view& r) {
      values.push_back(r.value ? text(*r.value) : "<null>");
    });
    BOOST_TEST(err.empty(), err);
    BOOST_REQUIRE(values.size() == 3u);
    BOOST_TEST(values[0] == "hello");
    BOOST_TEST(values[2] == "<null>");
  }
}

BOOST_AUTO_TEST_CASE(built_batches_validate_and_decode_with_every_codec) {
  const auto input = three_records();
  for (auto codec : kAllCodecs) {
    for (bool xerial : {false, true}) {
      auto batch = build_batch(input, {.codec = codec, .snappy_xerial = xerial});
      const batch_header h(batch);
      BOOST_TEST(h.magic() == 2);
      BOOST_TEST((h.compression() == codec));
      BOOST_TEST(h.base_timestamp() == 1700000000000);
      BOOST_TEST(h.max_timestamp() == 1700000000005);
      BOOST_TEST(h.last_offset_delta() == 2);
      auto v = validate_batch(batch, {});
      BOOST_TEST(static_cast<bool>(v), codec_name(codec) << ": " << v.message);
      BOOST_TEST(v.summary.records_count == 3);

      std::vector<std::byte> scratch;
      std::span<const std::byte> records;
      BOOST_REQUIRE(batch_records(batch, scratch, records, 1 << 20).empty());
      std::vector<record_to_build> decoded;
      auto err = for_each_record(records, 3, [&](const record_view& r) {
        record_to_build d;
        if (r.key) d.key = text(*r.key);
        if (r.value) d.value = text(*r.value);
        for (const auto& hdr : r.headers)
          d.headers.emplace_back(std::string(hdr.key),
                                 hdr.value ? std::optional<std::string>(text(*hdr.value)) : std::nullopt);
        d.timestamp = h.base_timestamp() + r.timestamp_delta;
        decoded.push_back(d);
      });
      BOOST_REQUIRE(err.empty());
      BOOST_REQUIRE(decoded.size() == input.size());
      for (std::size_t i = 0; i < input.size(); ++i) {
        BOOST_TEST((decoded[i].key == input[i].key));
        BOOST_TEST((decoded[i].value == input[i].value));
        BOOST_TEST((decoded[i].headers == input[i].headers));
        BOOST_TEST(decoded[i].timestamp == input[i].timestamp);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(one_corrupt_byte_anywhere_is_a_crc_error) {
  for (auto codec : kAllCodecs) {
    const auto good = build_batch(three_records(), {.codec = codec});
    for (std::size_t at = L::crc_start; at < good.size(); at += 7) {
      auto bad = good;
      bad[at] ^= std::byte{0x40};
      auto v = validate_batch(bad, {});
      BOOST_TEST((v.error == append_errc::corrupt_message), "byte " << at << " " << v.message);
      BOOST_TEST(!batch_is_intact(bad));
    }
    BOOST_TEST(batch_is_intact(good));
  }
}

BOOST_AUTO_TEST_CASE(truncated_or_mislabelled_lengths_are_corrupt) {
  auto batch = build_batch(three_records());
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, L::header_size - 1, batch.size() - 1}) {
    std::span<const std::byte> s(batch.data(), cut);
    BOOST_TEST((validate_batch(s, {}).error == append_errc::corrupt_message), "cut at " << cut);
  }
  auto longer = batch;
  longer.push_back(std::byte{0});
  BOOST_TEST((validate_batch(longer, {}).error == append_errc::corrupt_message));
}

BOOST_AUTO_TEST_CASE(bad_counts_are_invalid_records) {
  const auto good = build_batch(three_records());
  {
    auto b = good;
    patch<std::int32_t>(b, L::records_count, 2);
    patch<std::int32_t>(b, L::last_offset_delta, 1);
    BOOST_TEST((validate_batch(b, {}).error == append_errc::invalid_record));  // bytes left after 2 records
  }
  {
    auto b = good;
    patch<std::int32_t>(b, L::records_count, 4);
    patch<std::int32_t>(b, L::last_offset_delta, 3);
    BOOST_TEST((validate_batch(b, {}).error == append_errc::invalid_record));  // 4th record missing
  }
  {
    auto b = good;
    patch<std::int32_t>(b, L::last_offset_delta, 5);
    BOOST_TEST((validate_batch(b, {}).error == append_errc::invalid_record));
  }
  {
    auto b = good;
    patch<std::int32_t>(b, L::records_count, 0);
    patch<std::int32_t>(b, L::last_offset_delta, -1);
    BOOST_TEST((validate_batch(b, {}).error == append_errc::invalid_record));
  }
}

BOOST_AUTO_TEST_CASE(offset_deltas_must_be_consecutive) {
  std::vector<std::byte> body;
  const auto recs = three_records();
  encode_record(body, recs[0], 0, 0);
  encode_record(body, recs[1], 0, 2);  // skips 1
  encode_record(body, recs[2], 0, 3);
  auto batch = build_batch(recs);
  batch.resize(L::header_size);
  batch.insert(batch.end(), body.begin(), body.end());
  store_be(batch.data() + L::batch_length, static_cast<std::int32_t>(batch.size() - L::log_overhead));
  store_be(batch.data() + L::crc, compute_batch_crc(batch));
  auto v = validate_batch(batch, {});
  BOOST_TEST((v.error == append_errc::invalid_record), v.message);
}

BOOST_AUTO_TEST_CASE(control_batches_and_unknown_codecs_are_refused) {
  auto control = build_batch(three_records(), {.transactional = true, .control = true});
  BOOST_TEST((validate_batch(control, {}).error == append_errc::invalid_record));
  BOOST_TEST(static_cast<bool>(validate_batch(control, {.allow_control = true})));

  auto codec6 = build_batch(three_records());
  patch<std::int16_t>(codec6, L::attributes, 6);
  BOOST_TEST((validate_batch(codec6, {}).error == append_errc::unsupported_compression));

  auto idempotent_without_sequence = build_batch(three_records(), {.producer_id = 7, .producer_epoch = 0});
  BOOST_TEST((validate_batch(idempotent_without_sequence, {}).error == append_errc::invalid_record));
}

BOOST_AUTO_TEST_CASE(bad_magic_and_oversize_are_reported) {
  auto b = build_batch(three_records());
  b[L::magic] = std::byte{1};
  BOOST_TEST((validate_batch(b, {}).error == append_errc::invalid_record));

  auto big = build_batch(three_records());
  BOOST_TEST((validate_batch(big, {.max_batch_bytes = static_cast<std::int32_t>(big.size()) - 1}).error ==
              append_errc::message_too_large));
  BOOST_TEST(static_cast<bool>(validate_batch(big, {.max_batch_bytes = static_cast<std::int32_t>(big.size())})));
}

BOOST_AUTO_TEST_CASE(corrupt_compressed_payload_with_valid_crc_is_rejected) {
  for (auto codec : {compression_codec::gzip, compression_codec::snappy, compression_codec::lz4,
                     compression_codec::zstd}) {
    auto b = build_batch(three_records(), {.codec = codec});
    for (std::size_t i = L::records; i < b.size(); ++i) b[i] = std::byte{0x5A};
    store_be(b.data() + L::crc, compute_batch_crc(b));
    auto v = validate_batch(b, {});
    BOOST_TEST(!static_cast<bool>(v), codec_name(codec));
  }
}

BOOST_AUTO_TEST_CASE(decompression_bomb_is_bounded) {
  std::vector<record_to_build> recs{{.key = std::nullopt, .value = std::string(1 << 20, 'z'), .headers = {}, .timestamp = 1}};
  auto b = build_batch(recs, {.codec = compression_codec::zstd});
  BOOST_TEST((validate_batch(b, {.max_uncompressed_bytes = 4096}).error == append_errc::message_too_large));
  BOOST_TEST(static_cast<bool>(validate_batch(b, {})));
}

BOOST_AUTO_TEST_CASE(timestamps_outside_the_window_are_invalid) {
  auto b = build_batch(three_records());  // 1700000000000 .. +5
  validate_options o{.now_ms = 1700000001000, .timestamp_before_max_ms = 500};
  BOOST_TEST((validate_batch(b, o).error == append_errc::invalid_timestamp));
  o.timestamp_before_max_ms = 2000;
  BOOST_TEST(static_cast<bool>(validate_batch(b, o)));
  o = {.now_ms = 1699999999000, .timestamp_after_max_ms = 100};
  BOOST_TEST((validate_batch(b, o).error == append_errc::invalid_timestamp));
}

BOOST_AUTO_TEST_CASE(stamping_base_offset_and_epoch_keeps_the_crc) {
  auto b = build_batch(three_records(), {.codec = compression_codec::lz4});
  stamp_base_offset(b, 1234);
  stamp_partition_leader_epoch(b, 9);
  const batch_header h(b);
  BOOST_TEST(h.base_offset() == 1234);
  BOOST_TEST(h.last_offset() == 1236);
  BOOST_TEST(h.partition_leader_epoch() == 9);
  BOOST_TEST(batch_is_intact(b));
}

BOOST_AUTO_TEST_CASE(stamping_log_append_time_recomputes_the_crc) {
  auto b = build_batch(three_records());
  stamp_max_timestamp(b, 1800000000000, timestamp_type::log_append_time);
  const batch_header h(b);
  BOOST_TEST(h.max_timestamp() == 1800000000000);
  BOOST_TEST((h.ts_type() == timestamp_type::log_append_time));
  BOOST_TEST((h.compression() == compression_codec::none));
  BOOST_TEST(batch_is_intact(b));
  BOOST_TEST(static_cast<bool>(validate_batch(b, {})));
  stamp_max_timestamp(b, 5, timestamp_type::create_time);
  BOOST_TEST((batch_header(b).ts_type() == timestamp_type::create_time));
  BOOST_TEST(batch_is_intact(b));
}

BOOST_AUTO_TEST_CASE(an_intact_batch_has_its_length_a_sane_header_and_its_crc) {
  const auto good = build_batch(three_records(), {.codec = compression_codec::zstd});
  BOOST_TEST(batch_is_intact(good));
  BOOST_TEST(header_is_sane(batch_header(good)));
  // A negative last_offset_delta under a CRC that matches: not a batch any
  // log could hold.
  auto negative = good;
  store_be<std::int32_t>(negative.data() + L::last_offset_delta, -1);
  store_be(negative.data() + L::crc, compute_batch_crc(negative));
  BOOST_TEST(!header_is_sane(batch_header(negative)));
  BOOST_TEST(!batch_is_intact(negative));
  auto magic1 = good;
  magic1[L::magic] = std::byte{1};
  BOOST_TEST(!batch_is_intact(magic1));
  std::vector<std::byte> longer(good);
  longer.push_back(std::byte{0});
  BOOST_TEST(!batch_is_intact(longer));
  BOOST_TEST(!batch_is_intact(std::span<const std::byte>(good.data(), 20)));
}

BOOST_AUTO_TEST_CASE(the_codec_is_decided_once_for_validation_and_reading) {
  auto b = build_batch(three_records());
  const auto attributes = static_cast<std::int16_t>(batch_header(b).attributes() | 0x06);
  store_be(b.data() + L::attributes, attributes);
  store_be(b.data() + L::crc, compute_batch_crc(b));
  BOOST_TEST((validate_batch(b, {}).error == append_errc::unsupported_compression));
  std::vector<std::byte> scratch;
  std::span<const std::byte> records;
  BOOST_TEST(!batch_records(b, scratch, records, 1 << 20).empty());
  BOOST_TEST((batch_header(b).compression() == compression_codec::none));
}

BOOST_AUTO_TEST_CASE(iterator_walks_concatenated_batches_and_stops_at_a_torn_tail) {
  std::vector<std::byte> log;
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 3; ++i) {
    auto b = build_batch(three_records(), {.codec = i == 1 ? compression_codec::gzip : compression_codec::none});
    sizes.push_back(b.size());
    log.insert(log.end(), b.begin(), b.end());
  }
  {
    batch_iterator it(log);
    int n = 0;
    while (auto b = it.next()) {
      BOOST_TEST(b->size() == sizes[n]);
      BOOST_TEST(batch_is_intact(*b));
      ++n;
    }
    BOOST_TEST(n == 3);
    BOOST_TEST((it.reason() == batch_iterator::stop_reason::end));
    BOOST_TEST(it.position() == log.size());
  }
  {
    std::span<const std::byte> torn(log.data(), log.size() - 5);
    batch_iterator it(torn);
    int n = 0;
    while (it.next()) ++n;
    BOOST_TEST(n == 2);
    BOOST_TEST((it.reason() == batch_iterator::stop_reason::truncated));
    BOOST_TEST(it.position() == sizes[0] + sizes[1]);
  }
  {
    auto bad = log;
    store_be<std::int32_t>(bad.data() + sizes[0] + L::batch_length, 3);
    batch_iterator it(bad);
    int n = 0;
    while (it.next()) ++n;
    BOOST_TEST(n == 1);
    BOOST_TEST((it.reason() == batch_iterator::stop_reason::bad_length));
  }
}

BOOST_AUTO_TEST_CASE(garbage_never_crashes_validation) {
  std::vector<std::byte> b = build_batch(three_records());
  // Scribble over the records and fix the CRC each time: every outcome must
  // be a clean verdict.
  for (std::size_t at = L::records; at < b.size(); ++at) {
    for (unsigned v : {0x00u, 0x7Fu, 0x80u, 0xFFu}) {
      auto c = b;
      c[at] = std::byte(v);
      store_be(c.data() + L::crc, compute_batch_crc(c));
      auto r = validate_batch(c, {});
      if (!r) BOOST_TEST((r.error == append_errc::invalid_record), r.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_mutations_with_a_fixed_crc_never_crash) {
  std::mt19937 rng(42);
  for (auto codec : kAllCodecs) {
    const auto good = build_batch(three_records(), {.codec = codec});
    for (int round = 0; round < 2000; ++round) {
      auto b = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) b[L::crc_start + rng() % (b.size() - L::crc_start)] = std::byte(rng());
      store_be(b.data() + L::crc, compute_batch_crc(b));
      auto v = validate_batch(b, {});
      if (v) {
        // Whatever passed must really decode.
        std::vector<std::byte> scratch;
        std::span<const std::byte> records;
        BOOST_REQUIRE(batch_records(b, scratch, records, 256u << 20).empty());
        BOOST_TEST(for_each_record(records, batch_header(b).records_count(), [](const record_view&) {}).empty());
      } else {
        BOOST_TEST(!v.message.empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_the_iterator_or_validation) {
  std::mt19937 rng(1);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::byte> junk(rng() % 300);
    for (auto& x : junk) x = std::byte(rng());
    if (junk.size() > L::batch_length + 4 && rng() % 2)  // a plausible length now and then
      store_be<std::int32_t>(junk.data() + L::batch_length, static_cast<std::int32_t>(junk.size() - L::log_overhead));
    batch_iterator it(junk);
    while (auto b = it.next()) BOOST_TEST(!static_cast<bool>(validate_batch(*b, {})));
    BOOST_TEST(!static_cast<bool>(validate_batch(junk, {})));
  }
}

BOOST_AUTO_TEST_SUITE_END()
