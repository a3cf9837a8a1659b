#include "services/partition-server/rpc/fetch_op.h"

#include <algorithm>

#include <caf/send.hpp>

#include "common/messaging/methods.h"
#include "services/partition-server/actors/type_ids.h"
#include "services/partition-server/fetch_waiter.h"
#include "services/partition-server/partition_probe.h"
#include "services/partition-server/partition_state.h"
#include "services/partition-server/wall_clock.h"

namespace sluice::partition_server {

namespace pv1 = sluice::partition::v1;
using std::chrono::steady_clock;

namespace {
// Upper bound of one PartitionFetchResult's encoding beyond its topic name:
// tags, length prefixes and ten varints of at most 10 bytes each.
constexpr std::size_t per_partition_header_bytes = 120;
// Reserve at most this much reply capacity up front; beyond it the message grows.
constexpr std::size_t max_payload_hint = 64u << 20;
// Kafka's broker-side fetch.max.bytes default (55 MiB): no request, however
// large its own max_bytes, makes one reply bigger than this (plus, KIP-74,
// one batch when nothing else was returned).
constexpr std::int64_t fetch_max_bytes_cap = 57671680;
}  // namespace

fetch_op::fetch_op(messaging::responder reply_to, caf::actor timer)
    : reply_to_(std::move(reply_to)), timer_(std::move(timer)) {}

void fetch_op::start(messaging::message request, messaging::responder reply_to, const routes& table,
                     caf::actor timer) {
  auto op = std::make_shared<fetch_op>(std::move(reply_to), std::move(timer));
  if (!request.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  const auto& h = op->header_;
  op->deadline_ = steady_clock::now() + std::chrono::milliseconds(std::max(h.max_wait_ms(), 0));
  op->max_bytes_ = h.max_bytes() > 0 ? std::min<std::int64_t>(h.max_bytes(), fetch_max_bytes_cap) : fetch_max_bytes_cap;
  auto route =
      route_all(table, h.partitions(), h.has_group_shard_epoch() ? shard_epoch{h.group_shard_epoch()} : no_shard_epoch);
  op->targets_ = std::move(route.actors);
  op->route_errors_ = std::move(route.errors);
  op->header_room_ = 16;
  std::int64_t wanted = 0;
  for (std::size_t i = 0; i < op->targets_.size(); ++i) {
    const auto& f = h.partitions(static_cast<int>(i));
    op->header_room_ += f.topic().size() + per_partition_header_bytes;
    if (op->targets_[i]) wanted += std::max(f.partition_max_bytes(), 0);
  }
  op->payload_hint_ = static_cast<std::size_t>(std::min<std::int64_t>(
      {wanted, op->max_bytes_, static_cast<std::int64_t>(max_payload_hint)}));
  op->run_pass();
}

void fetch_op::run_pass() {
  response_.Clear();
  for (const auto& f : header_.partitions()) {
    auto* r = response_.add_partitions();
    r->set_topic(f.topic());
    r->set_partition(f.partition());
    r->set_high_watermark(-1);
    r->set_last_stable_offset(-1);
    r->set_log_start_offset(-1);
    r->set_log_end_offset(-1);
    r->set_diverging_epoch(-1);
    r->set_diverging_end_offset(-1);
  }
  builder_.emplace(header_room_, payload_hint_);
  end_seen_.assign(targets_.size(), no_offset);
  next_ = 0;
  total_ = 0;
  errors_ = false;
  advance();
}

void fetch_op::read_current(partition_state& p) {
  const int i = static_cast<int>(next_);
  const auto& f = header_.partitions(i);
  const std::int64_t left = std::max<std::int64_t>(max_bytes_ - total_, 0);
  const auto limit = static_cast<std::int32_t>(std::min<std::int64_t>(f.partition_max_bytes(), left));
  const bool min_one = total_ == 0;
  std::size_t handed_out = 0;
  reader who;
  who.read_committed = header_.isolation_level() == 1;
  if (header_.has_replica_id()) {
    who.replica_id = node_id{header_.replica_id()};
    who.last_fetched_epoch = leader_epoch{f.last_fetched_epoch()};
    if (f.has_log_start_offset()) who.log_start_offset = offset{f.log_start_offset()};
    who.now_ms = wall_clock_ms();
  }
  auto outcome = p.read(
      offset{f.fetch_offset()}, leader_epoch{f.current_leader_epoch()}, limit, min_one,
      [&](std::size_t n) {
        handed_out += n;
        return builder_->extend(n);
      },
      who);
  if (handed_out > outcome.bytes) builder_->shrink(handed_out - outcome.bytes);
  auto* r = response_.mutable_partitions(i);
  r->set_error(outcome.error);
  r->set_high_watermark(outcome.high_watermark());
  r->set_last_stable_offset(outcome.last_stable_offset());
  r->set_log_start_offset(outcome.log_start_offset());
  r->set_records_size(static_cast<std::uint32_t>(outcome.bytes));
  r->set_log_end_offset(outcome.log_end_offset());
  r->set_diverging_epoch(outcome.diverging_epoch());
  r->set_diverging_end_offset(outcome.diverging_end_offset());
  for (const auto& t : outcome.aborted) {
    auto* a = r->add_aborted_transactions();
    a->set_producer_id(t.producer_id);
    a->set_first_offset(t.first_offset());
  }
  end_seen_[next_] = who.is_replica()        ? outcome.log_end_offset
                     : who.read_committed ? outcome.last_stable_offset
                                          : outcome.high_watermark;
  total_ += static_cast<std::int64_t>(outcome.bytes);
  if (outcome.error != pv1::PARTITION_OK || outcome.diverging_epoch >= leader_epoch{0}) errors_ = true;
  ++next_;
  advance();
}

void fetch_op::advance() {
  while (next_ < targets_.size() && !targets_[next_]) {
    response_.mutable_partitions(static_cast<int>(next_))->set_error(route_errors_[next_]);
    errors_ = true;
    ++next_;
  }
  if (next_ < targets_.size()) {
    caf::anon_send(targets_[next_], fetch_atom::value, shared_from_this());
    return;
  }
  finish_pass();
}

void fetch_op::finish_pass() {
  const bool enough = total_ >= header_.min_bytes();
  if (!parked_ && !enough && !errors_ && steady_clock::now() < deadline_) {
    park();
    return;
  }
  auto& probe = partition_probe::get();
  probe.fetch_requests.add();
  reply_to_.reply(builder_->finish(messaging::method::fetch, response_));
  builder_.reset();
}

void fetch_op::park() {
  parked_ = true;
  partition_probe::get().parked_fetches.add();
  builder_.reset();
  std::vector<std::pair<caf::actor, offset>> watches;
  for (std::size_t i = 0; i < targets_.size(); ++i) watches.emplace_back(targets_[i], end_seen_[i]);
  auto timer = timer_;
  auto wait = std::max(deadline_ - steady_clock::now(), steady_clock::duration::zero());
  auto waiter = std::make_shared<fetch_waiter>(header_.min_bytes() - total_,
                                               [self = shared_from_this()] { self->run_pass(); });
  // From here on the waiter may fire on another thread and start the second
  // pass: only locals are used below.
  caf::delayed_anon_send(timer, std::chrono::duration_cast<std::chrono::microseconds>(wait), timeout_atom::value,
                         waiter);
  const bool replica = header_.has_replica_id();
  const bool read_committed = header_.isolation_level() == 1;
  for (auto& [actor, end_seen] : watches)
    caf::anon_send(actor, watch_atom::value, waiter, end_seen, replica, read_committed);
}

}  // namespace sluice::partition_server
