// coordinator_state: AllocateProducerIds, Kafka's ProducerIdControlManager.
// Producer ids are handed out in blocks; the first id of the next block is a
// stored counter, moved in the one commit path like every other change, so a
// block is answered only once it can never be handed out again.
#include <limits>

#include "services/coordinator/state_helpers.h"

namespace sluice::coordinator {

cv1::AllocateProducerIdsResponse coordinator_state::allocate_producer_ids(const cv1::AllocateProducerIdsRequest& req,
                                                                          time_point now) {
  expire_leases(now);  // after this, the live services are exactly those with a lease
  using response = cv1::AllocateProducerIdsResponse;
  const node_id id{req.node_id()};
  auto it = st_.services.find(id);
  // As heartbeats are answered: an older registration is fenced; one the
  // coordinator does not know (gone, or an epoch it never granted) must
  // register again.
  if (it == st_.services.end() || req.registration_epoch() > it->second.registration_epoch())
    return answer<response>(cv1::LEASE_EXPIRED);
  if (req.registration_epoch() < it->second.registration_epoch()) return answer<response>(cv1::STALE_EPOCH);

  const auto kind = it->second.kind();
  const std::int64_t first = st_.next_producer_id;
  // Kafka's limit: the counter after this block must still be an int64.
  if (first > std::numeric_limits<std::int64_t>::max() - producer_id_block_size) {
    log()->error("node {} asked for producer ids: none left (next would be {})", id, first);
    auto r = answer<response>(cv1::INVALID_REQUEST);
    r.set_error_message("producer ids exhausted");
    return r;
  }
  change_set c;
  c.next_producer_id = first + producer_id_block_size;
  if (!commit(c)) {
    auto r = answer<response>(cv1::STORAGE_FAILURE);
    r.set_error_message(storage_failure_message);
    return r;
  }
  log()->info("producer ids {}..{} to {} node {}", first, *c.next_producer_id - 1,
              mv1::ServiceKind_Name(kind), id);
  auto r = answer<response>(cv1::COORDINATOR_OK);
  r.set_first_producer_id(first);
  r.set_count(producer_id_block_size);
  return r;
}

}  // namespace sluice::coordinator
