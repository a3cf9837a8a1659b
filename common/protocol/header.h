#pragma once
// Kafka request and response headers.
//
//   request v0:  api_key i16 | api_version i16 | correlation_id i32
//   request v1:  v0 + client_id (nullable string, i16 length)
//   request v2:  v1 + tagged-field section (client_id keeps its i16 length)
//   response v0: correlation_id i32
//   response v1: v0 + tagged-field section
//
// The header version is not on the wire: it follows from the api key and
// version (api_keys.h), so decode reads those two first.
#include <cstdint>
#include <optional>
#include <string>

#include "common/protocol/api_keys.h"
#include "common/protocol/wire.h"

namespace sluice::protocol {

struct request_header {
    std::int16_t api_key = 0;
    std::int16_t api_version = 0;
    std::int32_t correlation_id = 0;
    /// Null on the wire (and always in header v0) is kept as nullopt; Kafka
    /// treats it as "".
    std::optional<std::string> client_id;

    /// Reads key and version, then the rest as the header version they imply;
    /// unknown tagged fields are skipped. Leaves `r` at the start of the body.
    /// Throws decode_error on truncated or malformed input.
    void decode(reader& r);

    /// Writes the header in the version implied by api_key/api_version (the
    /// client side, and tests).
    void encode(writer& w) const;

    /// Header version this header is decoded/encoded with.
    std::int16_t header_version() const {
        return request_header_version(static_cast<protocol::api_key>(api_key), api_version);
    }
};

/// Convenience: decode a request header from `r`.
request_header decode_request_header(reader& r);

/// Writes a response header: correlation id, plus an empty tagged-field
/// section when `header_version` >= 1 (see response_header_version()).
void write_response_header(writer& w, std::int32_t correlation_id, std::int16_t header_version);

/// Reads a response header (client side and tests); returns the correlation id.
std::int32_t read_response_header(reader& r, std::int16_t header_version);

}  // namespace sluice::protocol
