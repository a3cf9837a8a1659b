#include "common/protocol/header.h"

namespace sluice::protocol {

void request_header::decode(reader& r) {
    api_key = r.read_int16();
    api_version = r.read_int16();
    correlation_id = r.read_int32();
    const std::int16_t version = header_version();
    client_id.reset();
    if (version >= 1) client_id = r.read_nullable_string();
    if (version >= 2) r.skip_tagged_fields();
}

void request_header::encode(writer& w) const {
    w.write_int16(api_key);
    w.write_int16(api_version);
    w.write_int32(correlation_id);
    const std::int16_t version = header_version();
    if (version >= 1) w.write_nullable_string(client_id);
    if (version >= 2) w.write_unsigned_varint(0);
}

request_header decode_request_header(reader& r) {
    request_header h;
    h.decode(r);
    return h;
}

void write_response_header(writer& w, std::int32_t correlation_id, std::int16_t header_version) {
    w.write_int32(correlation_id);
    if (header_version >= 1) w.write_unsigned_varint(0);
}

std::int32_t read_response_header(reader& r, std::int16_t header_version) {
    const std::int32_t correlation_id = r.read_int32();
    if (header_version >= 1) r.skip_tagged_fields();
    return correlation_id;
}

}  // namespace sluice::protocol
