#include "services/group-coordinator/group_service.h"

#include <algorithm>

#include "common/cluster/group_shards.h"
#include "common/logging/logger.h"
#include "common/messaging/methods.h"
#include "common/proto/group.pb.h"
#include "common/protocol/record_batch.h"
#include "services/group-coordinator/api/write_txn_markers.h"
#include "services/group-coordinator/internal_topic.h"
#include "services/group-coordinator/shard_replay.h"

namespace sluice::group_coordinator {

namespace {

auto log() {
  static auto l = logging::get("group");
  return l;
}

// How long a replay waits for records below the fence-time log end to be
// committed (a previous owner's last acks=all appends) before serving
// without them.
constexpr auto replay_wait = std::chrono::seconds(15);
// Kafka's offsets.retention.check.interval.ms.
constexpr auto retention_check = std::chrono::minutes(10);

}  // namespace

group_service::group_service(service_settings settings, cluster::cluster_client& cluster,
                             cluster::coordinator_client& coordinator, post_fn post)
    : settings_(std::move(settings)),
      cluster_(cluster),
      coordinator_(coordinator),
      log_(cluster, post),
      txns_({.transactions = settings_.transactions,
             .replication_factor = settings_.offsets_replication_factor,
             .segment_bytes = settings_.offsets_segment_bytes},
            cluster, coordinator, post),
      txn_checker_(cluster, post) {}

group_service::~group_service() {
  for (auto& [p, s] : slots_) s.shard->close();
}

void posted_txn_checker::check(cluster::txn_check_request request,
                               std::function<void(cluster::txn_check_result)> done) {
  checker_.check(std::move(request), [post = post_, done = std::move(done)](cluster::txn_check_result result) {
    post([done, result = std::move(result)] { done(result); });
  });
}

void group_service::on_view(std::shared_ptr<const cluster::metadata_view> view) {
  view_ = std::move(view);
  if (fenced_) {
    // Serve again only as a new registration: until then the view may still
    // list the old one, whose shards may already be someone else's.
    const auto* self = view_->service(cluster_.node_id());
    if (self && self->registration_epoch() != fenced_registration_) fenced_ = false;
  }
  rebuild_catalog();
  log_.forget_stale(*view_);
  txns_.on_view(view_);
  const std::int32_t self = cluster_.node_id();
  for (std::int32_t p = 0; p < cluster::default_offsets_partitions; ++p) {
    const auto* shard = cluster::offsets_shard(*view_, p);
    const bool mine = !fenced_ && self >= 0 && shard && shard->owner() == self;
    auto it = slots_.find(p);
    // A new epoch for a shard we hold means our ownership was renewed (we
    // registered again): start over under it.
    if (it != slots_.end() && (!mine || it->second.shard->epoch() != shard->epoch())) drop(p);
    if (mine && !slots_.count(p)) adopt(p, shard->epoch());
  }
  if (!slots_.empty()) ensure_offsets_topic();
}

void group_service::on_lease_lost() {
  log()->warn("lease lost: dropping all {} group shards until registered again", slots_.size());
  fenced_ = true;
  fenced_registration_ = cluster_.registration_epoch();
  while (!slots_.empty()) drop(slots_.begin()->first);
}

void group_service::adopt(std::int32_t partition, std::int64_t epoch) {
  auto& s = slots_[partition];
  s.shard = std::make_unique<group_shard>(partition, epoch, settings_.groups, log_);
  s.incarnation = ++incarnations_;
  txns_.adopt(partition, epoch);
  log()->info("taking over {}-{} (shard epoch {}): replaying it", cluster::offsets_topic, partition, epoch);
  read_more(partition);
}

void group_service::drop(std::int32_t partition) {
  auto it = slots_.find(partition);
  if (it == slots_.end()) return;
  log()->info("{}-{} moved away", cluster::offsets_topic, partition);
  it->second.shard->close();
  slots_.erase(it);
  txns_.drop(partition);
}

void group_service::read_more(std::int32_t partition) {
  auto it = slots_.find(partition);
  if (it == slots_.end() || it->second.loaded || it->second.reading) return;
  auto& s = it->second;
  if (!view_ || !view_->partition(cluster::offsets_topic, partition)) return;  // no topic yet: tick retries
  s.reading = true;
  const auto incarnation = s.incarnation;
  log_.read(partition, s.shard->epoch(), s.next_offset, [this, partition, incarnation](offsets_log::read_result r) {
    auto it = slots_.find(partition);
    if (it == slots_.end() || it->second.incarnation != incarnation) return;
    auto& s = it->second;
    s.reading = false;
    if (r.error == error_code::offset_out_of_range && r.log_start_offset > s.next_offset) {
      s.next_offset = r.log_start_offset;
      return read_more(partition);
    }
    if (r.error != error_code::none) return;  // the tick tries again
    // The first read the partition server accepts under our epoch fences
    // the previous owner; whatever it wrote before that is below this log
    // end, and the replay must cover it once it is committed.
    const auto now = std::chrono::steady_clock::now();
    if (s.replay_until < 0) {
      s.replay_until = r.log_end_offset;
      s.replay_deadline = now + replay_wait;
    }
    try {
      replay(s, r.batches);
    } catch (const std::exception& e) {
      // A record we cannot read would make us serve wrong offsets: stay loading.
      log()->error("{}-{} at offset {}: cannot replay: {}", cluster::offsets_topic, partition, s.next_offset, e.what());
      return;
    }
    const bool caught_up = s.next_offset >= r.high_watermark;
    const bool covered = s.next_offset >= s.replay_until;
    if (caught_up && !covered && now < s.replay_deadline) return;  // the old owner's last write is not committed yet: the tick reads again
    if (caught_up) {
      if (!covered)
        log()->warn("{}-{}: offsets {}..{} never became committed; serving without them", cluster::offsets_topic,
                    partition, s.next_offset, s.replay_until);
      s.loaded = true;
      log()->info("{}-{} loaded up to offset {}", cluster::offsets_topic, partition, s.next_offset);
      return;
    }
    read_more(partition);
  });
}

void group_service::replay(slot& s, const std::vector<std::byte>& batches) {
  replay_batches(*s.shard, batches, catalog_, std::chrono::steady_clock::now(), s.next_offset);
}

void group_service::ensure_offsets_topic() {
  ensure_internal_topic(*view_, coordinator_,
                        {.name = std::string(cluster::offsets_topic),
                         .partitions = cluster::default_offsets_partitions,
                         .replication_factor = settings_.offsets_replication_factor,
                         .segment_bytes = settings_.offsets_segment_bytes,
                         .min_insync_replicas = std::nullopt},
                        next_create_attempt_);
}

void group_service::rebuild_catalog() {
  topic_catalog c;
  for (const auto* t : view_->topics()) {
    if (t->topic_id().size() != 16) continue;
    protocol::uuid id;
    std::memcpy(id.bytes.data(), t->topic_id().data(), 16);
    c.add(t->name(), id, t->partitions_size());
  }
  catalog_ = std::move(c);
}

void group_service::tick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [p, s] : slots_) {
    if (s.loaded) s.shard->tick(catalog_, now);
    else read_more(p);
  }
  if (now >= next_retention_check_) {
    next_retention_check_ = now + retention_check;
    const auto wall_ms = wall_clock_ms();
    std::size_t expired = 0;
    for (auto& [p, s] : slots_)
      if (s.loaded) expired += s.shard->expire_offsets(wall_ms, catalog_);
    if (expired > 0) log()->info("removing {} committed offsets older than the retention", expired);
  }
  if (!slots_.empty() && view_) ensure_offsets_topic();
  txns_.tick();
}

shard_lookup group_service::find(const std::string& group) {
  return find_partition(cluster::offsets_partition_for(group));
}

shard_lookup group_service::find_partition(std::int32_t p) {
  auto it = slots_.find(p);
  if (it == slots_.end()) return {nullptr, error_code::not_coordinator};
  if (!it->second.loaded) return {nullptr, error_code::coordinator_load_in_progress};
  return {it->second.shard.get(), error_code::none};
}

std::vector<group_shard*> group_service::loaded() {
  std::vector<group_shard*> out;
  for (auto& [p, s] : slots_)
    if (s.loaded) out.push_back(s.shard.get());
  return out;
}

void group_service::handle(const messaging::message& request, const messaging::responder& reply_to) {
  if (request.method() == messaging::method::write_txn_markers_group) {
    partition::v1::WriteTxnMarkersRequest markers;
    if (!request.parse_header(markers)) return reply_to.fail(messaging::rpc_status::bad_request);
    return serve_write_txn_markers(markers, *this, [reply_to](partition::v1::WriteTxnMarkersResponse response) {
      reply_to.reply(messaging::message::make(messaging::method::write_txn_markers_group, response));
    });
  }
  group::v1::KafkaRequest header;
  if (request.method() != messaging::method::kafka_group_request) return reply_to.fail(messaging::rpc_status::unknown_method);
  if (!request.parse_header(header)) return reply_to.fail(messaging::rpc_status::bad_request);
  api_context ctx;
  ctx.version = static_cast<std::int16_t>(header.api_version());
  auto payload = request.payload();
  ctx.body = std::make_shared<const std::vector<std::byte>>(payload.begin(), payload.end());
  ctx.client_id = header.client_id();
  ctx.client_host = header.client_host();
  ctx.shards = this;
  ctx.txns = &txns_;
  ctx.txn_checker = &txn_checker_;
  ctx.topics = &catalog_;
  ctx.options = &settings_.groups;
  ctx.now = std::chrono::steady_clock::now();
  ctx.send = [reply_to](std::vector<std::byte> body) {
    auto m = messaging::message::make(messaging::method::kafka_group_request, group::v1::KafkaResponse{}, body.size());
    m.append_payload(body);
    reply_to.reply(std::move(m));
  };
  try {
    if (!serve(static_cast<std::int16_t>(header.api_key()), ctx)) reply_to.fail(messaging::rpc_status::unknown_method);
  } catch (const protocol::decode_error& e) {
    log()->warn("api {} v{}: malformed request: {}", header.api_key(), header.api_version(), e.what());
    reply_to.fail(messaging::rpc_status::bad_request);
  }
}

}  // namespace sluice::group_coordinator
