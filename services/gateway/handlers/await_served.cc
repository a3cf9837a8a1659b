#include "services/gateway/handlers/await_served.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/messaging/methods.h"
#include "partition.pb.h"
#include "services/gateway/fan_out.h"
#include "services/gateway/metadata_cache.h"

namespace sluice::gateway {
namespace {

namespace pv1 = partition::v1;
using clock = std::chrono::steady_clock;
constexpr auto retry_interval = std::chrono::milliseconds(20);

// Only "did every partition answer" matters, so no per-partition answers.
struct no_answer {};
using probe_batch = server_batch<pv1::ListOffsetsRequest, no_answer>;

struct waiter : std::enable_shared_from_this<waiter> {
  gateway_services& services;
  std::vector<std::string> topics;
  clock::time_point deadline;
  std::function<void()> done;
  boost::asio::steady_timer timer;

  waiter(gateway_services& s, std::vector<std::string> t, clock::time_point d, std::function<void()> f)
      : services(s), topics(std::move(t)), deadline(d), done(std::move(f)), timer(s.io) {}

  void probe() {
    auto view = services.metadata.current();
    std::map<std::int32_t, probe_batch> by_server;
    for (const auto& name : topics) {
      const auto* topic = view->topic(name);
      if (topic == nullptr) continue;
      for (const auto& p : topic->partitions()) {
        auto* query = by_server[p.leader()].header.add_partitions();
        query->set_topic(name);
        query->set_partition(p.partition());
        query->set_timestamp(-1);
      }
    }
    if (by_server.empty()) return done();
    auto all_served = std::make_shared<std::atomic<bool>>(true);
    auto make_request = [](probe_batch& b) { return messaging::message::make(messaging::method::list_offsets, b.header); };
    auto on_reply = [all_served](probe_batch&, messaging::rpc_status status, messaging::message reply) {
      pv1::ListOffsetsResponse parsed;
      if (status != messaging::rpc_status::ok || !reply.parse_header(parsed)) return all_served->store(false);
      for (const auto& r : parsed.partitions()) {
        if (r.error() != pv1::PARTITION_OK) all_served->store(false);
      }
    };
    auto self = shared_from_this();
    auto after = [self, all_served] {
      boost::asio::post(self->services.io, [self, all_served] { self->next(*all_served); });
    };
    fan_out<probe_batch>(services.servers, *view, std::move(by_server), std::chrono::milliseconds(2000), make_request,
                         on_reply, after);
  }

  void next(bool served) {
    if (served || clock::now() >= deadline) return done();
    timer.expires_after(retry_interval);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->probe(); });
  }
};

}  // namespace

void await_served(gateway_services& services, std::vector<std::string> topics, std::chrono::milliseconds timeout,
                  std::function<void()> done) {
  auto w = std::make_shared<waiter>(services, std::move(topics), clock::now() + timeout, std::move(done));
  boost::asio::post(services.io, [w] { w->probe(); });
}

}  // namespace sluice::gateway
