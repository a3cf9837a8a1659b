// coordinator_state: Kafka's dynamic broker configs (method 14), the
// coordinator's own static flags in them, and the partition servers' static
// flags recorded at registration (registration.cc calls
// record_static_configs).
#include <map>
#include <string>

#include "common/config/broker_config.h"
#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {
namespace {

using config_map = std::map<std::string, std::string>;

cv1::AlterBrokerConfigsResponse refused(cv1::CoordinatorError e, std::string message) {
  auto r = answer<cv1::AlterBrokerConfigsResponse>(e);
  r.set_error_message(std::move(message));
  return r;
}

/// The resource's values after `req`'s changes (SET / DELETE; replace_all
/// drops the ones not listed, as AlterConfigs does).
config_map changed(const cv1::AlterBrokerConfigsRequest& req, const config_map& before) {
  config_map after;
  if (!req.replace_all()) after = before;
  for (const auto& ch : req.changes()) {
    if (ch.op() == cv1::ConfigChange::DELETE) {
      after.erase(ch.key());
    } else {
      after[ch.key()] = ch.value();
    }
  }
  return after;
}

}  // namespace

cv1::AlterBrokerConfigsResponse coordinator_state::alter_broker_configs(const cv1::AlterBrokerConfigsRequest& req) {
  const bool per_broker = !req.cluster_default();
  if (per_broker && req.broker_id() < 0)
    return refused(cv1::INVALID_REQUEST, "broker id must be >= 0 (or the cluster default)");
  mv1::BrokerConfigs next = st_.broker_configs;
  auto& target = per_broker ? *(*next.mutable_brokers())[req.broker_id()].mutable_dynamic()
                            : *next.mutable_cluster_defaults();
  const config_map before(target.begin(), target.end());
  const config_map after = changed(req, before);
  // Only the values a request sets are checked: one stored before a rule
  // changed stays deletable.
  for (const auto& ch : req.changes()) {
    if (ch.op() != cv1::ConfigChange::SET) continue;
    if (auto e = config::validate_broker(ch.key(), ch.value(), per_broker))
      return refused(cv1::INVALID_CONFIG, e.message);
  }
  if (req.validate_only() || after == before) return answer<cv1::AlterBrokerConfigsResponse>(cv1::COORDINATOR_OK);
  target.clear();
  for (const auto& [k, v] : after) target[k] = v;
  change_set c;
  c.broker_configs = std::move(next);
  if (!commit(c)) return refused(cv1::STORAGE_FAILURE, storage_failure_message);
  log()->info("broker configs of {}: {} dynamic values", per_broker ? "broker " + std::to_string(req.broker_id())
                                                                    : std::string("the cluster default"),
              after.size());
  return answer<cv1::AlterBrokerConfigsResponse>(cv1::COORDINATOR_OK);
}

void coordinator_state::set_coordinator_static_configs() {
  auto& statics = *st_.broker_configs.mutable_coordinator_static();
  statics.clear();
  if (options_.unclean_leader_election) statics["unclean.leader.election.enable"] = "true";
}

void coordinator_state::record_static_configs(node_id id, const cv1::RegisterRequest& req, change_set& c) const {
  const auto& stored = st_.broker_configs.brokers();
  auto it = stored.find(id());
  const config_map before = it == stored.end() ? config_map{} : config_map(it->second.static_flags().begin(),
                                                                           it->second.static_flags().end());
  const config_map now(req.static_configs().begin(), req.static_configs().end());
  if (before == now) return;
  mv1::BrokerConfigs next = st_.broker_configs;
  auto& flags = *(*next.mutable_brokers())[id()].mutable_static_flags();
  flags.clear();
  for (const auto& [k, v] : now) flags[k] = v;
  c.broker_configs = std::move(next);
}

}  // namespace sluice::coordinator
