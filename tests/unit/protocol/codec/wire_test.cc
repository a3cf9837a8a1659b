// wire.h primitives against values worked out by hand.
#include <boost/test/unit_test.hpp>

#include <limits>

#include "common/protocol/wire.h"
#include "tests/unit/protocol/codec/hex.h"

namespace sluice::protocol {
namespace {

using testgen::hex;

std::vector<std::byte> bytes(std::initializer_list<int> xs) {
    std::vector<std::byte> out;
    for (int x : xs) out.push_back(static_cast<std::byte>(x));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fixed_width_is_big_endian) {
    writer w;
    w.write_int16(0x0102);
    w.write_int32(-2);
    w.write_uint16(0xfffe);
    w.write_float64(1.0);
    BOOST_TEST(hex(w.take()) == hex(bytes({0x01, 0x02, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xfe,
                                          0x3f, 0xf0, 0, 0, 0, 0, 0, 0})));
    const auto in = bytes({0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x05});
    reader r(in);
    BOOST_TEST(r.read_int64() == std::numeric_limits<std::int64_t>::min());
    BOOST_TEST(r.read_bool());
    BOOST_TEST(r.read_int8() == 5);
    BOOST_CHECK_THROW(r.read_int8(), decode_error);
}

BOOST_AUTO_TEST_CASE(varints_are_zigzag_and_little_endian_groups) {
    const std::vector<std::pair<std::int32_t, std::vector<std::byte>>> cases = {
        {0, bytes({0x00})},  {-1, bytes({0x01})},       {1, bytes({0x02})},
        {63, bytes({0x7e})}, {-64, bytes({0x7f})},      {64, bytes({0x80, 0x01})},
        {300, bytes({0xd8, 0x04})},
        {std::numeric_limits<std::int32_t>::min(), bytes({0xff, 0xff, 0xff, 0xff, 0x0f})},
    };
    for (const auto& [value, encoded] : cases) {
        writer w;
        w.write_varint(value);
        BOOST_TEST(hex(w.take()) == hex(encoded), "varint " << value);
        reader r(encoded);
        BOOST_TEST(r.read_varint() == value);
    }
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max(), std::int64_t{1} << 40}) {
        writer w;
        w.write_varlong(v);
        const auto b = w.take();
        reader r(b);
        BOOST_TEST(r.read_varlong() == v);
        BOOST_TEST(r.empty());
    }
    writer w;
    w.write_unsigned_varint(300);
    BOOST_TEST(hex(w.take()) == hex(bytes({0xac, 0x02})));
}

BOOST_AUTO_TEST_CASE(bad_varints_are_rejected) {
    const auto too_long = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
    reader r1(too_long);
    BOOST_CHECK_THROW(r1.read_unsigned_varint(), decode_error);
    const auto overflow = bytes({0xff, 0xff, 0xff, 0xff, 0x1f});
    reader r2(overflow);
    BOOST_CHECK_THROW(r2.read_unsigned_varint(), decode_error);
    const auto max = bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
    reader r3(max);
    BOOST_TEST(r3.read_unsigned_varint() == 0xffffffffu);
    const auto unterminated = bytes({0x80});
    reader r4(unterminated);
    BOOST_CHECK_THROW(r4.read_varint(), decode_error);
    const auto long_varlong = bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
    reader r5(long_varlong);
    BOOST_CHECK_THROW(r5.read_varlong(), decode_error);
}

BOOST_AUTO_TEST_CASE(strings_and_nulls) {
    writer w;
    w.write_string("ab");
    w.write_nullable_string(std::nullopt);
    w.write_compact_string("ab");
    w.write_compact_nullable_string(std::nullopt);
    w.write_compact_string("");
    const auto b = w.take();
    BOOST_TEST(hex(b) == hex(bytes({0x00, 0x02, 'a', 'b', 0xff, 0xff, 0x03, 'a', 'b', 0x00, 0x01})));
    reader r(b);
    BOOST_TEST(r.read_string() == "ab");
    BOOST_TEST(!r.read_nullable_string().has_value());
    BOOST_TEST(r.read_compact_string() == "ab");
    BOOST_TEST(!r.read_compact_nullable_string().has_value());
    BOOST_TEST(r.read_compact_string().empty());
    BOOST_TEST(r.empty());

    const auto null_string = bytes({0xff, 0xff});
    reader rn(null_string);
    BOOST_CHECK_THROW(rn.read_string(), decode_error);
    const auto negative = bytes({0xff, 0xfe});
    reader rneg(negative);
    BOOST_CHECK_THROW(rneg.read_nullable_string(), decode_error);
    const auto overlong = bytes({0x00, 0x05, 'a'});
    reader rl(overlong);
    BOOST_CHECK_THROW(rl.read_string(), decode_error);
}

BOOST_AUTO_TEST_CASE(huge_claimed_lengths_fail_before_allocating) {
    const auto huge_bytes = bytes({0x7f, 0xff, 0xff, 0xff, 0x00});
    reader r1(huge_bytes);
    BOOST_CHECK_THROW(r1.read_bytes(), decode_error);
    reader r2(huge_bytes);
    BOOST_CHECK_THROW(r2.read_array_length(), decode_error);
    const auto huge_compact = bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
    reader r3(huge_compact);
    BOOST_CHECK_THROW(r3.read_compact_array_length(), decode_error);
    reader r4(huge_compact);
    BOOST_CHECK_THROW(r4.read_compact_bytes(), decode_error);
    const auto minus_two = bytes({0xff, 0xff, 0xff, 0xfe});
    reader r5(minus_two);
    BOOST_CHECK_THROW(r5.read_array_length(), decode_error);
    const auto null_array = bytes({0xff, 0xff, 0xff, 0xff, 0x00});
    reader r6(null_array);
    BOOST_TEST(r6.read_array_length() == -1);
    BOOST_TEST(r6.read_compact_array_length() == -1);
}

BOOST_AUTO_TEST_CASE(bytes_views_point_into_the_input) {
    const auto in = bytes({0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb, 0x03, 0xcc, 0xdd, 0x00});
    reader r(in);
    const records_view a = r.read_nullable_bytes_view();
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->data() == in.data() + 4);
    BOOST_TEST(a->size() == 2u);
    const records_view b = r.read_compact_nullable_bytes_view();
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->data() == in.data() + 7);
    BOOST_TEST(!r.read_compact_nullable_bytes_view().has_value());
}

BOOST_AUTO_TEST_CASE(tagged_fields_and_uuid) {
    uuid u;
    u.bytes[15] = std::byte{1};
    writer w;
    w.write_uuid(u);
    w.write_unsigned_varint(2);
    const auto payload = bytes({0x11, 0x22});
    w.write_tagged_field(3, payload);
    w.write_tagged_field(200, {});
    const auto b = w.take();
    reader r(b);
    BOOST_TEST((r.read_uuid() == u));
    BOOST_TEST(!u.is_zero());
    std::vector<std::uint32_t> tags;
    r.read_tagged_fields([&](std::uint32_t tag, reader& field) {
        tags.push_back(tag);
        if (tag == 3) BOOST_TEST(field.read_int16() == 0x1122);
    });
    BOOST_TEST(tags == (std::vector<std::uint32_t>{3, 200}));
    BOOST_TEST(r.empty());

    const auto field_past_end = bytes({0x01, 0x00, 0x05, 0x00});
    reader bad(field_past_end);
    BOOST_CHECK_THROW(bad.skip_tagged_fields(), decode_error);
}

BOOST_AUTO_TEST_CASE(writer_patch_and_take) {
    writer w;
    const std::size_t at = w.position();
    w.write_int32(0);
    w.write_int8(9);
    w.patch_int32(at, 0x01020304);
    BOOST_TEST(w.size() == 5u);
    BOOST_CHECK_THROW(w.patch_int32(2, 0), std::out_of_range);
    BOOST_TEST(hex(w.take()) == hex(bytes({0x01, 0x02, 0x03, 0x04, 0x09})));
    BOOST_TEST(w.size() == 0u);
}

}  // namespace sluice::protocol
