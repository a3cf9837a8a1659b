#pragma once
// Turns a response message into the bytes of one Kafka frame:
// int32 size | response header | body.
#include <cstddef>
#include <vector>

#include "common/protocol/api_keys.h"
#include "common/protocol/header.h"
#include "common/protocol/wire.h"

namespace sluice::gateway {

/// Starts a frame: reserves the size field and writes the response header
/// that matches the request's api key and version.
std::size_t begin_response(protocol::writer& out, const protocol::request_header& request);
/// Fills in the size reserved by begin_response.
std::vector<std::byte> finish_response(protocol::writer& out, std::size_t start);

/// `size_hint`: the bytes the body is expected to take (e.g. the record
/// bytes of a fetch answer), so the buffer is allocated once, not regrown.
template <class Response>
std::vector<std::byte> encode_response(const protocol::request_header& request, const Response& response,
                                       std::size_t size_hint = 0) {
  protocol::writer out;
  out.reserve(size_hint + 64);
  auto start = begin_response(out, request);
  response.encode(out, request.api_version);
  return finish_response(out, start);
}

}  // namespace sluice::gateway
