#pragma once
// The shape of the RPCs whose partitions are answered one by one, each by
// its own partition actor: ListOffsets, OffsetForLeaderEpoch,
// DescribeProducers, DeleteRecords and DescribeLogDirs.
#include <atomic>
#include <cstdint>
#include <memory>

#include <caf/send.hpp>

#include "common/messaging/frame.h"
#include "common/messaging/rpc_server.h"
#include "services/partition-server/routing_table.h"

namespace sluice::partition_server {

/// Holds the request header, the response (one entry per requested
/// partition, in request order) and a count of entries still to answer; the
/// last answer sends the reply. `Op` (the derived op) supplies
/// `static void blank(entry&)`, what an entry says until it is answered, and
/// `answer_at(index, partition_state&)`, run in the partition's actor, which
/// ends with complete_one(). `Method` is the reply's method id and `Atom`
/// the message that hands (op, index) to a partition actor.
template <class Op, class Request, class Response, std::uint16_t Method, class Atom>
class per_partition_op {
 public:
  explicit per_partition_op(messaging::responder reply_to) : reply_to_(std::move(reply_to)) {}

  /// Parses `request`, adds one response entry per partition (topic,
  /// partition, Op::blank, then the routing error), and sends (Atom, op,
  /// index) to the actor of every routed entry. Entries answered here are
  /// final before any actor can reply. A header that does not parse gets
  /// bad_request.
  static void start(const messaging::message& request, messaging::responder reply_to, const routes& table) {
    auto op = std::make_shared<Op>(std::move(reply_to));
    if (!request.parse_header(op->header_)) {
      op->reply_to_.fail(messaging::rpc_status::bad_request);
      return;
    }
    dispatch(std::move(op), table);
  }

 protected:
  /// The rest of start(), for an op whose header_ (and any part of
  /// response_ that is not per partition) is already filled: adds the
  /// entries and hands them to their actors.
  static void dispatch(std::shared_ptr<Op> op, const routes& table) {
    auto route = route_all(table, op->header_.partitions());
    for (int i = 0; i < op->header_.partitions_size(); ++i) {
      const auto& q = op->header_.partitions(i);
      auto* r = op->response_.add_partitions();
      r->set_topic(q.topic());
      r->set_partition(q.partition());
      Op::blank(*r);
      r->set_error(route.errors[static_cast<std::size_t>(i)]);
    }
    // +1 held by this function, so the reply cannot go out while sending.
    op->pending_.store(route.routed + 1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < route.actors.size(); ++i) {
      if (route.actors[i]) caf::anon_send(route.actors[i], Atom::value, op, static_cast<std::uint32_t>(i));
    }
    op->complete_one();
  }

  void complete_one() {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    reply_to_.reply(messaging::message::make(Method, response_));
  }

  messaging::responder reply_to_;
  Request header_;
  Response response_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace sluice::partition_server
