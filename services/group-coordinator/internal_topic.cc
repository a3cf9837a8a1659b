#include "services/group-coordinator/internal_topic.h"

#include <algorithm>

#include "common/logging/logger.h"

namespace sluice::group_coordinator {

namespace {

auto log() {
  static auto l = logging::get("group");
  return l;
}

constexpr auto create_retry = std::chrono::seconds(1);

}  // namespace

void ensure_internal_topic(const cluster::metadata_view& view, cluster::coordinator_client& coordinator,
                           const internal_topic_spec& spec, std::chrono::steady_clock::time_point& next_attempt) {
  if (view.topic(spec.name)) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt) return;
  next_attempt = now + create_retry;
  const auto servers = static_cast<std::int32_t>(view.services(cluster::mv1::PARTITION_SERVER).size());
  if (servers == 0) return;
  // Kafka refuses to create it with fewer brokers than the factor; we take
  // what there is, so a one-server stack works, and say so.
  const std::int32_t rf = std::min(spec.replication_factor, servers);
  if (rf < spec.replication_factor)
    log()->warn("creating {} with replication factor {} (only {} partition servers)", spec.name, rf, servers);
  cluster::cv1::CreateTopicsRequest req;
  auto* t = req.add_topics();
  t->set_name(spec.name);
  t->set_partitions(spec.partitions);
  t->set_replication_factor(rf);
  (*t->mutable_configs())["cleanup.policy"] = "compact";
  (*t->mutable_configs())["segment.bytes"] = std::to_string(spec.segment_bytes);
  if (spec.min_insync_replicas)
    (*t->mutable_configs())["min.insync.replicas"] = std::to_string(std::min(*spec.min_insync_replicas, rf));
  coordinator.create_topics(req, [name = spec.name](auto result) {
    if (!result) log()->warn("creating {} failed: {}", name, result.error().message());
  });
}

}  // namespace sluice::group_coordinator
