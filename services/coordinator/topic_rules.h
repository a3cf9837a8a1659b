#pragma once
// Pure rules for topics: names, ids, replica placement.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::coordinator {

/// Kafka's rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
/// Returns "" when valid, else the reason (for TopicResult.error_message).
std::string check_topic_name(std::string_view name);

/// Kafka treats '.' and '_' as the same in metric names, so two topics that
/// differ only there collide.
bool topic_names_collide(std::string_view a, std::string_view b);

/// 16 random bytes, never all zero, never Kafka's reserved metadata topic id
/// (0...01), and never one whose base64 form starts with '-' (Kafka's rule,
/// so ids print safely on command lines).
std::string new_topic_id(std::mt19937_64& rng);

/// A Kafka-style cluster id: 16 random bytes as 22 chars of base64url.
std::string new_cluster_id(std::mt19937_64& rng);
std::string base64url(std::string_view bytes);

/// Round-robin placement: partition p gets servers[(start + p + j) % n] for
/// j < rf, so leaders (replica 0) are spread evenly. `servers` must hold at
/// least rf distinct ids; partitions are numbered from `first_partition`.
std::vector<std::vector<std::int32_t>> assign_replicas(const std::vector<std::int32_t>& servers,
                                                       std::int32_t first_partition, std::int32_t count,
                                                       std::int32_t rf, std::size_t start);

}  // namespace sluice::coordinator
