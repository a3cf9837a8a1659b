#include "services/gateway/response_frame.h"

namespace sluice::gateway {

std::size_t begin_response(protocol::writer& out, const protocol::request_header& request) {
  auto start = out.position();
  out.write_int32(0);  // the size, patched by finish_response
  auto key = static_cast<protocol::api_key>(request.api_key);
  protocol::write_response_header(out, request.correlation_id,
                                  protocol::response_header_version(key, request.api_version));
  return start;
}

std::vector<std::byte> finish_response(protocol::writer& out, std::size_t start) {
  out.patch_int32(start, static_cast<std::int32_t>(out.size() - start - 4));
  return out.take();
}

}  // namespace sluice::gateway
