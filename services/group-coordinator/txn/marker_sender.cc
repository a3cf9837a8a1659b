#include "services/group-coordinator/txn/marker_sender.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace sluice::group_coordinator::txn {

marker_sender::marker_sender(marker_channel& channel, std::int32_t coordinator_epoch)
    : channel_(channel), coordinator_epoch_(coordinator_epoch) {}

void marker_sender::start(const transaction_metadata& prepared, std::int64_t now_ms, std::function<void()> done) {
  now_ms_ = std::max(now_ms_, now_ms);
  auto& r = txns_[prepared.transactional_id];
  r = round{};
  r.id = ++rounds_;
  r.marker.producer_id = prepared.producer_id;
  r.marker.producer_epoch = prepared.producer_epoch;
  r.marker.commit = prepared.state == txn_state::prepare_commit;
  r.marker.coordinator_epoch = coordinator_epoch_;
  r.marker.partitions = prepared.partitions;
  r.done = std::move(done);
  const auto all = r.marker.partitions;
  send(prepared.transactional_id, r, all);
  maybe_done(prepared.transactional_id);
}

void marker_sender::send(const std::string& transactional_id, round& r, const std::set<txn_partition>& partitions) {
  std::map<marker_route, std::set<txn_partition>> by_destination;
  for (const auto& p : partitions) {
    const auto to = channel_.route(p);
    switch (to.where) {
      case marker_route::kind::deleted: r.marker.partitions.erase(p); break;
      case marker_route::kind::unavailable: schedule_retry(r, p); break;
      case marker_route::kind::partition_server:
      case marker_route::kind::group_coordinator: by_destination[to].insert(p); break;
    }
  }
  // Every request is built before any is sent: an answer may come back at
  // once and end (or replace) the round.
  std::vector<std::pair<marker_route, marker_request>> requests;
  for (auto& [to, ps] : by_destination) {
    marker_request request = r.marker;
    request.partitions = ps;
    r.in_flight.insert(ps.begin(), ps.end());
    requests.emplace_back(to, std::move(request));
  }
  const auto round_id = r.id;
  for (auto& [to, request] : requests) {
    std::weak_ptr<bool> alive = alive_;
    channel_.send(to, std::move(request),
                  [this, alive, transactional_id, round_id](std::map<txn_partition, marker_outcome> outcomes) {
                    if (alive.expired()) return;
                    answered(transactional_id, round_id, outcomes);
                  });
  }
}

void marker_sender::schedule_retry(round& r, const txn_partition& p) {
  if (r.retry.empty()) r.retry_at = now_ms_ + r.backoff_ms;
  r.retry.insert(p);
}

void marker_sender::answered(const std::string& transactional_id, std::uint64_t round_id,
                             const std::map<txn_partition, marker_outcome>& outcomes) {
  auto it = txns_.find(transactional_id);
  if (it == txns_.end() || it->second.id != round_id) return;  // replaced, fenced or closed meanwhile
  auto& r = it->second;
  bool progress = false;
  for (const auto& [p, outcome] : outcomes) {
    if (!r.in_flight.erase(p)) continue;
    switch (outcome) {
      case marker_outcome::written:
      case marker_outcome::gone:
        r.marker.partitions.erase(p);
        progress = true;
        break;
      case marker_outcome::retry: schedule_retry(r, p); break;
      case marker_outcome::fenced:
        // Someone newer rules this producer or this shard: leave the
        // transaction to them (Kafka's removeMarkersForTxn).
        txns_.erase(it);
        return;
    }
  }
  if (progress) r.backoff_ms = initial_backoff_ms;
  maybe_done(transactional_id);
}

void marker_sender::tick(std::int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  std::vector<std::string> due;
  for (auto& [id, r] : txns_)
    if (!r.retry.empty() && r.retry_at <= now_ms) due.push_back(id);
  for (const auto& id : due) {
    auto it = txns_.find(id);
    if (it == txns_.end()) continue;
    auto& r = it->second;
    auto partitions = std::move(r.retry);
    r.retry.clear();
    r.backoff_ms = std::min(r.backoff_ms * 2, max_backoff_ms);
    send(id, r, partitions);
    maybe_done(id);
  }
}

void marker_sender::maybe_done(const std::string& transactional_id) {
  auto it = txns_.find(transactional_id);
  if (it == txns_.end() || !it->second.marker.partitions.empty()) return;
  auto done = std::move(it->second.done);
  txns_.erase(it);
  if (done) done();
}

void marker_sender::close() {
  txns_.clear();
  alive_ = std::make_shared<bool>(true);  // answers still on their way find theirs gone
}

}  // namespace sluice::group_coordinator::txn
