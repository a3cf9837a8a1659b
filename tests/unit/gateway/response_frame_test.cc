#include <boost/test/unit_test.hpp>

#include "common/protocol/messages/api_versions.h"
#include "common/protocol/messages/metadata.h"
#include "services/gateway/response_frame.h"

using namespace sluice;

namespace {

std::int32_t be32(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | std::to_integer<std::uint32_t>(b[at + i]);
  return static_cast<std::int32_t>(v);
}

protocol::request_header header(protocol::api_key key, std::int16_t version, std::int32_t correlation) {
  protocol::request_header h;
  h.api_key = static_cast<std::int16_t>(key);
  h.api_version = version;
  h.correlation_id = correlation;
  return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_frame)

BOOST_AUTO_TEST_CASE(size_prefix_and_correlation_id) {
  protocol::metadata_response response;
  auto frame = gateway::encode_response(header(protocol::api_key::metadata, 1, 42), response);
  BOOST_TEST(be32(frame, 0) == static_cast<std::int32_t>(frame.size() - 4));
  BOOST_TEST(be32(frame, 4) == 42);
}

// Flexible versions add an (empty) tagged-field section to the header,
// except ApiVersions, whose response header is always v0.
BOOST_AUTO_TEST_CASE(flexible_header_but_not_for_api_versions) {
  protocol::metadata_response metadata;
  auto v8 = gateway::encode_response(header(protocol::api_key::metadata, 8, 1), metadata);
  auto v9 = gateway::encode_response(header(protocol::api_key::metadata, 9, 1), metadata);
  BOOST_TEST(std::to_integer<int>(v9[8]) == 0);  // empty tagged fields right after the correlation id

  protocol::api_versions_response versions;
  auto av3 = gateway::encode_response(header(protocol::api_key::api_versions, 3, 7), versions);
  // v3 body starts with error_code (int16 0) directly after the correlation id.
  BOOST_TEST(be32(av3, 4) == 7);
  BOOST_TEST(std::to_integer<int>(av3[8]) == 0);
  BOOST_TEST(std::to_integer<int>(av3[9]) == 0);
  protocol::reader in(std::span<const std::byte>(av3).subspan(8));
  protocol::api_versions_response decoded;
  decoded.decode(in, 3);
  BOOST_TEST(in.empty());
  BOOST_TEST(v8.size() > 8u);
}

BOOST_AUTO_TEST_SUITE_END()
