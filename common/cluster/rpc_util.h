#pragma once
// Maps an RPC outcome to result<Response> (internal to common/cluster).
#include "common/base/result.h"
#include "common/cluster/errc.h"
#include "common/messaging/frame.h"

namespace sluice::cluster::detail {

template <class Response>
result<Response> to_result(messaging::rpc_status status, const messaging::message& reply) {
  using messaging::rpc_status;
  if (status == rpc_status::timed_out) return errc::timed_out;
  if (status == rpc_status::unavailable || status == rpc_status::shutting_down) return errc::unavailable;
  if (status != rpc_status::ok) return errc::bad_reply;
  Response out;
  if (!reply.valid() || !reply.parse_header(out)) return errc::bad_reply;
  return out;
}

}  // namespace sluice::cluster::detail
