#pragma once
// Broker-side group and transaction settings, with Kafka's names and defaults.
#include <chrono>
#include <cstdint>
#include <string>

namespace sluice::group_coordinator {

/// group.consumer.migration.policy (KIP-848 online migration): whether a
/// non-empty classic group may become a KIP-848 group when a
/// ConsumerGroupHeartbeat joins it (upgrade), and a KIP-848 group whose last
/// ConsumerGroupHeartbeat member leaves a classic group again (downgrade).
/// Empty groups change protocol whatever the policy, as in Kafka.
enum class migration_policy { bidirectional, upgrade, downgrade, disabled };

inline bool upgrade_enabled(migration_policy p) noexcept {
  return p == migration_policy::bidirectional || p == migration_policy::upgrade;
}
inline bool downgrade_enabled(migration_policy p) noexcept {
  return p == migration_policy::bidirectional || p == migration_policy::downgrade;
}

struct group_options {
  // Classic protocol.
  std::chrono::milliseconds min_session_timeout{6000};     // group.min.session.timeout.ms
  std::chrono::milliseconds max_session_timeout{1800000};  // group.max.session.timeout.ms
  std::chrono::milliseconds initial_rebalance_delay{3000}; // group.initial.rebalance.delay.ms
  std::int32_t max_group_size = 0x7fffffff;                // group.max.size
  // KIP-848 consumer protocol.
  std::chrono::milliseconds consumer_session_timeout{45000};    // group.consumer.session.timeout.ms
  std::chrono::milliseconds consumer_heartbeat_interval{5000};  // group.consumer.heartbeat.interval.ms
  std::string default_assignor = "uniform";                     // first of group.consumer.assignors
  migration_policy consumer_migration = migration_policy::bidirectional;  // group.consumer.migration.policy (4.x default)
  // Offsets.
  std::int32_t max_metadata_size = 4096;                   // offset.metadata.max.bytes
  std::chrono::milliseconds offsets_retention{7 * 24 * 3600 * 1000LL};  // offsets.retention.minutes (7 days)
};

/// Broker-side transaction settings, with Kafka's names and defaults.
struct transaction_options {
  std::int32_t max_timeout_ms = 900000;                       // transaction.max.timeout.ms
  std::int64_t id_expiration_ms = 7 * 24 * 3600 * 1000LL;     // transactional.id.expiration.ms
  std::int64_t abort_check_interval_ms = 10000;               // transaction.abort.timed.out.transaction.cleanup.interval.ms
  std::int64_t expiration_check_interval_ms = 3600000;        // transaction.remove.expired.transaction.cleanup.interval.ms
};

}  // namespace sluice::group_coordinator
