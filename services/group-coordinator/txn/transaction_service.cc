#include "services/group-coordinator/txn/transaction_service.h"

#include "common/cluster/group_shards.h"
#include "common/logging/logger.h"
#include "services/group-coordinator/group_clock.h"
#include "services/group-coordinator/internal_topic.h"

namespace sluice::group_coordinator::txn {

namespace {

auto log() {
  static auto l = logging::get("group");
  return l;
}

}  // namespace

transaction_service::transaction_service(transaction_service_settings settings, cluster::cluster_client& cluster,
                                         cluster::coordinator_client& coordinator, post_fn post)
    : settings_(std::move(settings)),
      cluster_(cluster),
      coordinator_(coordinator),
      log_(cluster, post, cluster::transaction_state_topic),
      markers_(cluster, post),
      pool_(coordinator, cluster),
      ids_(pool_, post) {}

transaction_service::~transaction_service() {
  for (auto& [p, s] : slots_) s.shard->close();
}

void transaction_service::adopt(std::int32_t partition, std::int64_t epoch) {
  drop(partition);
  auto& s = slots_[partition];
  s.shard = std::make_unique<transaction_shard>(partition, epoch, settings_.transactions, log_, ids_, markers_);
  auto* shard = s.shard.get();
  s.loader = std::make_unique<log_loader>(
      log_, std::string(cluster::transaction_state_topic) + "-" + std::to_string(partition), partition, epoch,
      [shard](std::string_view key, std::optional<std::string_view> value) { shard->apply(key, value); },
      [shard] { shard->loaded(wall_clock_ms()); });
  log()->info("taking over {}-{} (shard epoch {}): replaying it", cluster::transaction_state_topic, partition, epoch);
  if (view_ && view_->partition(cluster::transaction_state_topic, partition)) s.loader->poll();
}

void transaction_service::drop(std::int32_t partition) {
  auto it = slots_.find(partition);
  if (it == slots_.end()) return;
  it->second.shard->close();
  slots_.erase(it);
}

void transaction_service::on_view(std::shared_ptr<const cluster::metadata_view> view) {
  view_ = std::move(view);
  log_.forget_stale(*view_);
  markers_.forget_stale(*view_);
  if (!slots_.empty()) ensure_topic();
}

void transaction_service::tick() {
  const auto now_ms = wall_clock_ms();
  for (auto& [p, s] : slots_) {
    if (s.loader->loaded()) s.shard->tick(now_ms);
    else if (view_ && view_->partition(cluster::transaction_state_topic, p)) s.loader->poll();  // no topic yet: created below
  }
  if (!slots_.empty() && view_) ensure_topic();
}

void transaction_service::ensure_topic() {
  ensure_internal_topic(*view_, coordinator_,
                        {.name = std::string(cluster::transaction_state_topic),
                         .partitions = cluster::default_transaction_state_partitions,
                         .replication_factor = settings_.replication_factor,
                         .segment_bytes = settings_.segment_bytes,
                         .min_insync_replicas = transaction_state_min_isr},
                        next_create_attempt_);
}

transaction_lookup transaction_service::find(const std::string& transactional_id) {
  auto it = slots_.find(cluster::transaction_partition_for(transactional_id));
  if (it == slots_.end()) return {nullptr, error_code::not_coordinator};
  if (!it->second.loader->loaded()) return {nullptr, error_code::coordinator_load_in_progress};
  return {it->second.shard.get(), error_code::none};
}

std::vector<transaction_shard*> transaction_service::loaded() {
  std::vector<transaction_shard*> out;
  for (auto& [p, s] : slots_)
    if (s.loader->loaded()) out.push_back(s.shard.get());
  return out;
}

bool transaction_service::loading() {
  for (auto& [p, s] : slots_)
    if (!s.loader->loaded()) return true;
  return false;
}

}  // namespace sluice::group_coordinator::txn
