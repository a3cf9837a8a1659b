#include "common/cluster/cluster_client.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/cluster/rpc_util.h"
#include "common/logging/logger.h"
#include "common/messaging/methods.h"
#include "common/messaging/pubsub.h"
#include "common/messaging/rpc_client.h"
#include "coordinator.pb.h"

namespace sluice::cluster {

namespace cv1 = sluice::coordinator::v1;
namespace method = messaging::method;
using namespace std::chrono_literals;

/// Shared state of one cluster_client. The background thread owns the
/// registration, heartbeat and snapshot logic; the subscriber thread only
/// applies deltas. `notify_mu_` serialises "install a view + call listeners"
/// so listeners see versions in order; `mu_` guards the fields below it and
/// is never held while calling out (RPCs, listeners).
namespace {
/// A coordinator bound to a wildcard address (0.0.0.0, [::], *) publishes a
/// url nobody can dial: use the host we reach the coordinator by instead.
std::string dialable_publish_url(const std::string& publish, const std::string& coordinator) {
  auto host_of = [](const std::string& url) -> std::pair<std::size_t, std::size_t> {
    auto start = url.find("://");
    if (start == std::string::npos) return {std::string::npos, 0};
    start += 3;
    auto colon = url.rfind(':');
    if (colon == std::string::npos || colon < start) return {std::string::npos, 0};
    return {start, colon - start};
  };
  auto [ps, pl] = host_of(publish);
  auto [cs, cl] = host_of(coordinator);
  if (ps == std::string::npos || cs == std::string::npos) return publish;
  auto host = publish.substr(ps, pl);
  if (host != "0.0.0.0" && host != "*" && host != "[::]" && !host.empty()) return publish;
  return publish.substr(0, ps) + coordinator.substr(cs, cl) + publish.substr(ps + pl);
}
}  // namespace

struct cluster_client::impl {
  explicit impl(client_options o) : opt(std::move(o)), rpc(opt.coordinator_url) {}

  client_options opt;
  messaging::rpc_client rpc;
  std::shared_ptr<spdlog::logger> log = logging::get("cluster");
  std::atomic<std::int32_t> node_id{-1};
  std::atomic<std::uint64_t> epoch{0};

  std::mutex notify_mu;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::shared_ptr<const metadata_view> view = std::make_shared<const metadata_view>(mv1::ClusterSnapshot{});
  std::vector<listener> listeners;
  std::vector<std::function<void()>> lease_lost;
  bool ready = false;          // registered once and a snapshot loaded
  bool stopping = false;
  bool need_snapshot = false;

  // Touched only by the background thread (and by stop() after joining it).
  bool registered = false;
  std::chrono::milliseconds ttl{6000};
  std::string publish_url;
  std::unique_ptr<messaging::subscriber> sub;
  std::thread thread;

  void run();
  bool do_register();
  void do_heartbeat();
  bool fetch_snapshot();
  void on_delta(std::span<const std::byte> bytes);
  void install(std::shared_ptr<const metadata_view> next);
  void sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return stopping; });
  }
  bool is_stopping() const {
    std::lock_guard lock(mu);
    return stopping;
  }
};

void cluster_client::impl::run() {
  auto next_beat = std::chrono::steady_clock::now();
  while (!is_stopping()) {
    if (!registered) {
      if (!do_register()) {
        sleep_for(opt.retry_interval);
        continue;
      }
      next_beat = std::chrono::steady_clock::now() + ttl / 3;
    }
    bool snap;
    {
      std::lock_guard lock(mu);
      snap = need_snapshot;
    }
    if (snap && !fetch_snapshot()) {
      // Coordinator briefly unreachable: retry soon without spinning.
      sleep_for(opt.retry_interval);
      continue;
    }
    {
      std::unique_lock lock(mu);
      cv.wait_until(lock, next_beat, [&] { return stopping || need_snapshot; });
      if (stopping) break;
    }
    if (std::chrono::steady_clock::now() >= next_beat) {
      do_heartbeat();
      next_beat = std::chrono::steady_clock::now() + ttl / 3;
    }
  }
}

bool cluster_client::impl::do_register() {
  cv1::RegisterRequest req;
  req.set_kind(opt.kind);
  std::int32_t id = node_id.load();
  req.set_requested_node_id(id >= 0 ? id : opt.requested_node_id);
  req.set_rpc_url(opt.rpc_url);
  req.set_kafka_host(opt.kafka_host);
  req.set_kafka_port(opt.kafka_port);
  req.mutable_static_configs()->insert(opt.static_configs.begin(), opt.static_configs.end());
  auto [st, reply] = rpc.call_sync(messaging::message::make(method::register_service, req), opt.rpc_timeout);
  auto res = detail::to_result<cv1::RegisterResponse>(st, reply);
  if (!res) {
    log->debug("register with {} failed: {}", opt.coordinator_url, res.error().message());
    return false;
  }
  const auto& r = res.value();
  if (r.error() != cv1::COORDINATOR_OK) {
    log->warn("coordinator refused registration: {} {}", cv1::CoordinatorError_Name(r.error()), r.error_message());
    return false;
  }
  node_id = r.node_id();
  epoch = r.registration_epoch();
  ttl = std::chrono::milliseconds(std::max(r.lease_ttl_ms(), 30));
  registered = true;
  log->info("registered as node {} (epoch {}, lease ttl {} ms)", r.node_id(), r.registration_epoch(), r.lease_ttl_ms());
  if (auto url = dialable_publish_url(r.publish_url(), opt.coordinator_url); !sub || publish_url != url) {
    publish_url = url;
    sub.reset();
    if (!publish_url.empty())
      sub = std::make_unique<messaging::subscriber>(publish_url, [this](std::span<const std::byte> b) { on_delta(b); });
  }
  std::lock_guard lock(mu);
  need_snapshot = true;  // deltas may have been missed while we were away
  return true;
}

void cluster_client::impl::do_heartbeat() {
  cv1::HeartbeatRequest req;
  req.set_node_id(node_id.load());
  req.set_registration_epoch(epoch.load());
  auto [st, reply] = rpc.call_sync(messaging::message::make(method::heartbeat, req), opt.rpc_timeout);
  auto res = detail::to_result<cv1::HeartbeatResponse>(st, reply);
  if (!res) {
    log->debug("heartbeat failed: {}", res.error().message());
    return;
  }
  if (res.value().error() == cv1::LEASE_EXPIRED || res.value().error() == cv1::STALE_EPOCH) {
    log->warn("lease of node {} lost ({}): registering again", node_id.load(),
              cv1::CoordinatorError_Name(res.value().error()));
    registered = false;
    std::vector<std::function<void()>> fs;
    {
      std::lock_guard lock(mu);
      fs = lease_lost;
    }
    for (auto& f : fs) f();
    return;
  }
  std::lock_guard lock(mu);
  if (res.value().metadata_version() > view->version()) need_snapshot = true;
}

bool cluster_client::impl::fetch_snapshot() {
  auto [st, reply] =
      rpc.call_sync(messaging::message::make(method::get_snapshot, cv1::GetSnapshotRequest{}), opt.rpc_timeout);
  auto res = detail::to_result<mv1::ClusterSnapshot>(st, reply);
  if (!res) {
    log->debug("snapshot fetch failed: {}", res.error().message());
    return false;
  }
  {
    std::lock_guard lock(mu);
    need_snapshot = false;
  }
  std::lock_guard order(notify_mu);
  auto cur = [&] {
    std::lock_guard lock(mu);
    return view;
  }();
  // A different cluster id means the coordinator's store was replaced: take
  // its state even if the version went backwards.
  bool newer = res.value().version() > cur->version() || res.value().cluster_id() != cur->cluster_id();
  bool first = [&] {
    std::lock_guard lock(mu);
    return !ready;
  }();
  if (newer || first) {
    log->debug("loaded metadata snapshot version {}", res.value().version());
    install(std::make_shared<const metadata_view>(std::move(res.value())));
  }
  return true;
}

void cluster_client::impl::on_delta(std::span<const std::byte> bytes) {
  mv1::MetadataDelta delta;
  if (!delta.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    log->warn("dropping unparseable metadata delta ({} bytes)", bytes.size());
    return;
  }
  std::lock_guard order(notify_mu);
  std::shared_ptr<const metadata_view> cur;
  {
    std::lock_guard lock(mu);
    if (!ready) return;  // the pending snapshot will cover it
    cur = view;
  }
  if (delta.version() <= cur->version()) return;
  if (delta.version() != cur->version() + 1) {
    log->debug("metadata gap: have {}, got {}; fetching a snapshot", cur->version(), delta.version());
    std::lock_guard lock(mu);
    need_snapshot = true;
    cv.notify_all();
    return;
  }
  install(cur->apply(delta));
}

void cluster_client::impl::install(std::shared_ptr<const metadata_view> next) {
  std::vector<listener> ls;
  {
    std::lock_guard lock(mu);
    view = next;
    ready = true;
    ls = listeners;
  }
  cv.notify_all();
  for (auto& l : ls) l(next);
}

cluster_client::cluster_client(client_options options) : impl_(std::make_shared<impl>(std::move(options))) {}

cluster_client::~cluster_client() { stop(); }

void cluster_client::start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([i = impl_] { i->run(); });
}

void cluster_client::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->sub.reset();  // waits for a running delta callback
}

bool cluster_client::wait_ready(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->ready || impl_->stopping; }) && impl_->ready;
}

std::int32_t cluster_client::node_id() const noexcept { return impl_->node_id.load(); }
std::uint64_t cluster_client::registration_epoch() const noexcept { return impl_->epoch.load(); }

std::shared_ptr<const metadata_view> cluster_client::current() const {
  std::lock_guard lock(impl_->mu);
  return impl_->view;
}

void cluster_client::on_change(listener l) {
  std::lock_guard lock(impl_->mu);
  impl_->listeners.push_back(std::move(l));
}

void cluster_client::on_lease_lost(std::function<void()> f) {
  std::lock_guard lock(impl_->mu);
  impl_->lease_lost.push_back(std::move(f));
}

bool cluster_client::wait_for_version(std::uint64_t version, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->view->version() >= version || impl_->stopping; }) &&
         impl_->view->version() >= version;
}

}  // namespace sluice::cluster
