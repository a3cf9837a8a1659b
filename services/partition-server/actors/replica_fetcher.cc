#include "services/partition-server/actors/replica_fetcher.h"

#include <chrono>
#include <map>
#include <memory>
#include <utility>

#include <caf/all.hpp>

#include "common/messaging/methods.h"
#include "common/messaging/rpc_client.h"
#include "services/partition-server/logger.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

namespace {

namespace pv1 = sluice::partition::v1;
using key = std::pair<std::string, std::int32_t>;

constexpr auto max_wait = std::chrono::milliseconds(500);
constexpr auto rpc_timeout = std::chrono::milliseconds(5000);
constexpr auto backoff = std::chrono::milliseconds(100);
constexpr std::int32_t max_bytes = 16 << 20;
constexpr std::int32_t partition_max_bytes = 1 << 20;

struct followed {
  caf::actor actor;
  std::optional<follower_position> position;  // unknown until the actor answers
};

struct fetcher_state {
  node_id self_node = no_node;
  node_id leader = no_node;
  std::string url;
  std::unique_ptr<messaging::rpc_client> rpc;
  std::map<key, followed> partitions;
  bool in_flight = false;      // a fetch or its hand-out is running
  bool next_scheduled = false;
  std::vector<key> sent;       // partitions of the fetch in flight, in request order
  std::vector<leader_epoch> sent_epochs;
};

bool retriable(pv1::PartitionError e) {
  return e == pv1::NOT_LEADER || e == pv1::FENCED_LEADER_EPOCH || e == pv1::UNKNOWN_LEADER_EPOCH ||
         e == pv1::UNKNOWN_PARTITION || e == pv1::STORAGE_ERROR;
}

void schedule(caf::event_based_actor* self, fetcher_state& st, std::chrono::milliseconds delay) {
  if (st.next_scheduled) return;
  st.next_scheduled = true;
  if (delay.count() == 0)
    self->send(self, next_atom::value);
  else
    self->delayed_send(self, delay, next_atom::value);
}

void fetch(caf::event_based_actor* self, fetcher_state& st) {
  if (st.in_flight || !st.rpc) return;
  pv1::FetchRequest req;
  req.set_replica_id(st.self_node());
  req.set_max_wait_ms(static_cast<std::int32_t>(max_wait.count()));
  req.set_min_bytes(1);
  req.set_max_bytes(max_bytes);
  st.sent.clear();
  st.sent_epochs.clear();
  for (const auto& [k, f] : st.partitions) {
    if (!f.position || f.position->leader != st.leader) continue;  // not (yet) following this leader
    auto* p = req.add_partitions();
    p->set_topic(k.first);
    p->set_partition(k.second);
    p->set_fetch_offset(f.position->log_end_offset());
    p->set_current_leader_epoch(f.position->leader_epoch());
    p->set_last_fetched_epoch(f.position->last_fetched_epoch());
    p->set_log_start_offset(f.position->log_start_offset());
    p->set_partition_max_bytes(partition_max_bytes);
    st.sent.push_back(k);
    st.sent_epochs.push_back(f.position->leader_epoch);
  }
  if (st.sent.empty()) return;
  st.in_flight = true;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.rpc->call(messaging::message::make(messaging::method::fetch, req), rpc_timeout + max_wait,
               [me](messaging::rpc_status status, messaging::message reply) {
                 auto shared = std::make_shared<const messaging::message>(std::move(reply));
                 caf::anon_send(me, fetched_atom::value, message_ptr(shared), status == messaging::rpc_status::ok);
               });
}

void hand_out(caf::event_based_actor* self, const std::shared_ptr<fetcher_state>& st, const message_ptr& reply) {
  pv1::FetchResponse resp;
  if (!reply->parse_header(resp) || static_cast<std::size_t>(resp.partitions_size()) != st->sent.size()) {
    log()->warn("fetch from node {}: malformed reply", st->leader);
    st->in_flight = false;
    schedule(self, *st, backoff);
    return;
  }
  auto pending = std::make_shared<std::size_t>(0);
  auto slow_down = std::make_shared<bool>(false);
  std::size_t at = 0;
  std::vector<std::pair<caf::actor, fetched_partition_ptr>> work;
  for (int i = 0; i < resp.partitions_size(); ++i) {
    const auto& r = resp.partitions(i);
    const auto& k = st->sent[static_cast<std::size_t>(i)];
    auto f = std::make_shared<fetched_partition>();
    f->reply = reply;
    f->result = r;
    f->payload_offset = at;
    f->fetched_at_epoch = st->sent_epochs[static_cast<std::size_t>(i)];
    at += r.records_size();
    if (at > reply->payload().size()) {
      log()->warn("fetch from node {}: records overrun the payload", st->leader);
      st->in_flight = false;
      schedule(self, *st, backoff);
      return;
    }
    if (retriable(r.error())) *slow_down = true;
    auto it = st->partitions.find(k);
    if (it != st->partitions.end()) work.emplace_back(it->second.actor, std::move(f));
  }
  *pending = work.size();
  auto done = [self, st, pending, slow_down] {
    if (--*pending > 0) return;
    st->in_flight = false;
    schedule(self, *st, *slow_down ? backoff : std::chrono::milliseconds(0));
  };
  if (work.empty()) {
    st->in_flight = false;
    schedule(self, *st, backoff);
    return;
  }
  for (auto& [actor, f] : work) {
    key k{f->result.topic(), f->result.partition()};
    self->request(actor, caf::infinite, replicate_atom::value, f)
        .then(
            [st, k, done](const follower_position& pos) {
              auto it = st->partitions.find(k);
              if (it != st->partitions.end()) it->second.position = pos;
              done();
            },
            [st, k, done](caf::error&) {
              st->partitions.erase(k);  // the replica actor is gone
              done();
            });
  }
}

}  // namespace

caf::behavior replica_fetcher(caf::event_based_actor* self, node_id self_node, node_id leader_node,
                              std::string leader_url) {
  auto st = std::make_shared<fetcher_state>();
  st->self_node = self_node;
  st->leader = leader_node;
  st->url = std::move(leader_url);
  st->rpc = std::make_unique<messaging::rpc_client>(st->url);
  log()->info("fetching from node {} at {}", leader_node, st->url);
  return {
      [self, st](follow_atom, const std::string& topic, std::int32_t partition, const caf::actor& actor) {
        key k{topic, partition};
        st->partitions[k] = followed{actor, std::nullopt};
        self->request(actor, caf::infinite, position_atom::value)
            .then(
                [self, st, k](const follower_position& pos) {
                  auto it = st->partitions.find(k);
                  if (it == st->partitions.end()) return;
                  it->second.position = pos;
                  schedule(self, *st, std::chrono::milliseconds(0));
                },
                [st, k](caf::error&) { st->partitions.erase(k); });
      },
      [st](unfollow_atom, const std::string& topic, std::int32_t partition) {
        st->partitions.erase({topic, partition});
      },
      [self, st](url_atom, const std::string& url) {
        if (url == st->url) return;
        log()->info("node {} moved to {}", st->leader, url);
        st->url = url;
        // Calls in flight on the old client fail and release in_flight.
        if (st->rpc) st->rpc->close();
        st->rpc = std::make_unique<messaging::rpc_client>(url);
      },
      [self, st](next_atom) {
        st->next_scheduled = false;
        fetch(self, *st);
      },
      [self, st](fetched_atom, const message_ptr& reply, bool ok) {
        if (!ok) {
          st->in_flight = false;
          schedule(self, *st, backoff);
          return;
        }
        hand_out(self, st, reply);
      },
  };
}

}  // namespace sluice::partition_server
