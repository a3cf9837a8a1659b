// coordinator_state: services registering and heartbeating. A returning
// partition server takes back the leaderships it can hold; a gateway at the
// address of a registered one replaces it.
#include <algorithm>

#include "common/cluster/group_shards.h"
#include "services/coordinator/group_shard_rules.h"
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

cv1::RegisterResponse coordinator_state::register_service(const cv1::RegisterRequest& req, time_point now) {
  expire_leases(now);
  cv1::RegisterResponse resp;
  auto refuse = [&](cv1::CoordinatorError e, std::string msg) {
    log()->warn("registration refused: {}", msg);
    resp.set_error(e);
    resp.set_error_message(std::move(msg));
    return resp;
  };
  if (req.kind() == mv1::SERVICE_KIND_UNSPECIFIED || !mv1::ServiceKind_IsValid(req.kind()))
    return refuse(cv1::INVALID_REQUEST, "service kind missing");
  if (req.requested_node_id() < -1) return refuse(cv1::INVALID_REQUEST, "node id must be >= 0, or -1 to get one");

  change_set c;
  node_id id{req.requested_node_id()};
  node_id next_id = st_.next_node_id;
  if (id == no_node) {
    id = next_id++;
  } else {
    auto it = st_.services.find(id);
    if (it != st_.services.end() && it->second.kind() != req.kind())
      return refuse(cv1::INVALID_REQUEST, fmt::format("node id {} is held by a live {}", id,
                                                      mv1::ServiceKind_Name(it->second.kind())));
    if (id >= next_id) next_id = id + 1;
  }
  if (next_id != st_.next_node_id) c.next_node_id = next_id;
  const std::uint64_t epoch = st_.next_registration_epoch;
  c.next_registration_epoch = epoch + 1;

  mv1::ServiceInfo svc;
  svc.set_kind(req.kind());
  svc.set_node_id(id());
  svc.set_rpc_url(req.rpc_url());
  svc.set_kafka_host(req.kafka_host());
  svc.set_kafka_port(req.kafka_port());
  svc.set_registration_epoch(epoch);
  c.upsert_services.push_back(svc);

  // A gateway listening where a registered gateway said it listens has
  // replaced it: one address cannot be two live listeners. Without this, a
  // gateway restarted with a new node id would share its broker ids with its
  // dead predecessor until that lease ran out (after a full restart, the
  // whole TTL), and clients would find ids at ports nobody listens on.
  std::vector<node_id> replaced;
  if (req.kind() == mv1::GATEWAY && !req.kafka_host().empty() && req.kafka_port() > 0)
    for (const auto& [other, info] : st_.services)
      if (other != id && info.kind() == mv1::GATEWAY && info.kafka_host() == req.kafka_host() &&
          info.kafka_port() == req.kafka_port())
        replaced.push_back(other);
  c.remove_services.insert(c.remove_services.end(), replaced.begin(), replaced.end());

  if (req.kind() == mv1::PARTITION_SERVER) {
    record_static_configs(id, req, c);
    // A returning server takes back the leaderships it can hold: offline
    // partitions whose ISR holds it (with unclean election allowed: any it is
    // a replica of). It is the only candidate: it is not live in the
    // committed state yet. Partitions it still leads get a new leader epoch,
    // fencing its previous incarnation.
    change_every_partition(st_.topics, c, [&](const mv1::TopicInfo& t, const partition_record& p) {
      partition_change_builder b(p, [id](node_id n) { return n == id; });
      if (p.leader == id) return b.bump_leader_epoch().build();
      if (p.leader == no_node) return b.set_election(election_on_leader_loss(t)).elect().build();
      return std::optional<partition_record>{};
    });
  }
  if (req.kind() == mv1::GROUP_COORDINATOR) {
    // A returning instance's shards get a new epoch: its previous incarnation is fenced.
    auto live = live_group_coordinators({});
    if (!std::count(live.begin(), live.end(), id())) live.push_back(id());
    c.group_shards = assign_group_shards(st_.group_shards, live, {id()}, cluster::default_offsets_partitions);
  }
  if (!commit(c)) return refuse(cv1::STORAGE_FAILURE, storage_failure_message);
  leases_.grant(id, epoch, now);
  for (auto old : replaced) {
    leases_.revoke(old);
    log()->info("gateway node {} at {}:{} replaced by node {}: removed", old, req.kafka_host(), req.kafka_port(), id);
  }
  shutting_down_.erase(id);
  log()->info("registered {} node {} epoch {} rpc {}{}", mv1::ServiceKind_Name(req.kind()), id, epoch,
              req.rpc_url().empty() ? "-" : req.rpc_url(),
              c.upsert_topics.empty() ? "" : fmt::format(" (leader of {} topics again)", c.upsert_topics.size()));
  resp.set_error(cv1::COORDINATOR_OK);
  resp.set_node_id(id());
  resp.set_registration_epoch(epoch);
  resp.set_lease_ttl_ms(static_cast<std::int32_t>(options_.lease_ttl.count()));
  resp.set_publish_url(options_.publish_url);
  resp.set_metadata_version(st_.version);
  return resp;
}

cv1::HeartbeatResponse coordinator_state::heartbeat(const cv1::HeartbeatRequest& req, time_point now) {
  expire_leases(now);
  cv1::HeartbeatResponse resp;
  switch (leases_.renew(node_id{req.node_id()}, req.registration_epoch(), now)) {
    case lease_manager::renew_result::ok:
      resp.set_error(cv1::COORDINATOR_OK);
      break;
    case lease_manager::renew_result::expired:
      resp.set_error(cv1::LEASE_EXPIRED);
      break;
    case lease_manager::renew_result::stale_epoch:
      resp.set_error(cv1::STALE_EPOCH);
      break;
  }
  resp.set_metadata_version(st_.version);
  return resp;
}

}  // namespace sluice::coordinator
