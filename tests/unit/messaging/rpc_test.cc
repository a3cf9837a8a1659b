#define BOOST_TEST_MODULE messaging
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"
#include "common/messaging/rpc_server.h"
#include "coordinator.pb.h"

using namespace sluice::messaging;
using namespace std::chrono_literals;
namespace cv1 = sluice::coordinator::v1;

namespace {

/// Echoes the heartbeat's node id back as the metadata version, plus the payload.
void echo(message request, responder reply_to) {
  cv1::HeartbeatRequest in;
  if (!request.parse_header(in)) return reply_to.fail(rpc_status::bad_request);
  if (request.method() != method::heartbeat) return reply_to.fail(rpc_status::unknown_method);
  cv1::HeartbeatResponse out;
  out.set_metadata_version(static_cast<std::uint64_t>(in.node_id()));
  auto reply = message::make(method::heartbeat, out);
  reply.append_payload(request.payload());
  reply_to.reply(std::move(reply));
}

message heartbeat(int node_id, std::string_view payload = {}) {
  cv1::HeartbeatRequest req;
  req.set_node_id(node_id);
  auto m = message::make(method::heartbeat, req);
  m.append_payload(payload.data(), payload.size());
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_carries_header_and_payload) {
  rpc_server server("tcp://127.0.0.1:0", echo);
  BOOST_TEST(server.url().find(":0") == std::string::npos);
  rpc_client client(server.url());
  auto [status, reply] = client.call_sync(heartbeat(7, "records"), 5s);
  BOOST_REQUIRE(status == rpc_status::ok);
  cv1::HeartbeatResponse out;
  BOOST_REQUIRE(reply.parse_header(out));
  BOOST_TEST(out.metadata_version() == 7u);
  auto p = reply.payload();
  BOOST_TEST(std::string(reinterpret_cast<const char*>(p.data()), p.size()) == "records");
}

BOOST_AUTO_TEST_CASE(many_calls_in_flight_each_get_their_own_reply) {
  // Replies are sent from another thread in reverse order of arrival, so a
  // mix-up between contexts would show as a wrong node id.
  std::mutex mutex;
  std::vector<std::pair<message, responder>> parked;
  constexpr int calls = 64;
  rpc_server server("tcp://127.0.0.1:0", [&](message m, responder r) {
    std::lock_guard lock(mutex);
    parked.emplace_back(std::move(m), std::move(r));
  });
  rpc_client client(server.url());
  std::atomic<int> correct{0}, finished{0};
  for (int i = 0; i < calls; ++i) {
    client.call(heartbeat(i), 10s, [&, i](rpc_status status, message reply) {
      cv1::HeartbeatResponse out;
      if (status == rpc_status::ok && reply.parse_header(out) && out.metadata_version() == std::uint64_t(i)) ++correct;
      ++finished;
    });
  }
  for (int waited = 0; waited < 500; ++waited) {
    {
      std::lock_guard lock(mutex);
      if (parked.size() == calls) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::thread replier([&] {
    std::lock_guard lock(mutex);
    for (auto it = parked.rbegin(); it != parked.rend(); ++it) echo(std::move(it->first), it->second);
    parked.clear();
  });
  replier.join();
  for (int waited = 0; waited < 500 && finished < calls; ++waited) std::this_thread::sleep_for(10ms);
  BOOST_TEST(correct.load() == calls);
}

BOOST_AUTO_TEST_CASE(unknown_method_and_dropped_responder_are_reported) {
  rpc_server server("tcp://127.0.0.1:0", [](message m, responder r) {
    if (m.method() == method::get_snapshot) return;  // responder dropped unanswered
    r.fail(rpc_status::unknown_method);
  });
  rpc_client client(server.url());
  auto [status, reply] = client.call_sync(message::make(method::fetch, cv1::GetSnapshotRequest{}), 5s);
  BOOST_TEST((status == rpc_status::unknown_method));
  BOOST_TEST(!reply.valid());
  auto [status2, reply2] = client.call_sync(message::make(method::get_snapshot, cv1::GetSnapshotRequest{}), 5s);
  BOOST_TEST((status2 == rpc_status::unavailable));
}

BOOST_AUTO_TEST_CASE(call_to_absent_server_times_out) {
  rpc_client client("tcp://127.0.0.1:1");
  auto [status, reply] = client.call_sync(heartbeat(1), 200ms);
  BOOST_TEST((status == rpc_status::timed_out || status == rpc_status::unavailable));
}

BOOST_AUTO_TEST_CASE(closing_with_calls_in_flight_fails_them_and_returns) {
  // Requests are parked unanswered, so client and server close with
  // operations in flight, at varying points. Every call must have been told
  // it failed once the client is gone, and neither side may hang closing
  // (NNG 1.5's nng_close() can, when it races an operation: rpc_client.cc).
  for (int round = 0; round < 100; ++round) {
    std::mutex mutex;
    std::vector<responder> parked;
    rpc_server server("tcp://127.0.0.1:0", [&](message, responder r) {
      std::lock_guard lock(mutex);
      parked.push_back(std::move(r));
    });
    std::atomic<int> failed{0};
    constexpr int calls = 8;
    {
      rpc_client client(server.url());
      for (int i = 0; i < calls; ++i)
        client.call(heartbeat(i), 10s, [&](rpc_status status, message) { failed += status != rpc_status::ok; });
      std::this_thread::sleep_for(std::chrono::microseconds(100 * (round % 20)));
      if (round % 2 == 0) client.close();
    }
    BOOST_TEST(failed.load() == calls);
    server.stop();
  }
}
