#pragma once
// The one place a partition's replicas, ISR or leader change. Every ISR
// change, election, reassignment step, lease expiry, controlled shutdown and
// registration take-back states what it wants (intents) and lets the builder
// produce the next record with the epochs bumped by one rule. Pure: no LMDB,
// no CAF, no clock. Kafka's PartitionChangeBuilder (KRaft controller) is the
// model.
#include <functional>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "services/coordinator/partition_record.h"

namespace sluice::coordinator {

/// How a new leader is chosen when the builder has to choose one.
enum class election {
  /// The first acceptable ISR member, in replica order (Kafka's ONLINE).
  online,
  /// As online; failing that, the first acceptable replica, which becomes the
  /// whole ISR. It may lack acknowledged writes: callers ask for it only when
  /// the topic allows unclean election or an operator requested one.
  unclean,
  /// With elect(): replicas[0], when it is acceptable and in the ISR. When a
  /// leader must be replaced, as online (replicas[0] comes first there).
  preferred,
};

/// Builds the next partition_record from the current one and a set of
/// intents. Construct one per change, set the intents, call build() once.
///
/// `acceptable_leader` says who may become leader (a live partition server
/// that is not shutting down, or whatever the caller restricts it to); the
/// builder never checks liveness itself.
///
/// Rules, in the order build() applies them:
/// 1. Replicas: set_target_replicas replaces replicas, adding and removing;
///    complete_reassignment then ends a reassignment whose adding replicas
///    are all in the (target) ISR: replicas = the target set, ISR ∩ target.
/// 2. ISR: the target ISR less the nodes that are not replicas. An empty
///    result leaves the ISR as it was: its last members stay recorded, so the
///    right replica takes over cleanly when it returns (Kafka without ELR).
/// 3. Leader: the current leader keeps the partition unless
///    - it is not in the new ISR or replicas, or must leave
///      (leader_must_leave): a new one is chosen, else the leader is -1;
///    - it should move (move_leader_away_from): a new one is chosen, else it
///      stays;
///    - elect() was asked for: under `preferred` replicas[0] takes over if it
///      can (nothing else does); otherwise a leaderless partition, or one
///      whose leader is not acceptable, gets a new leader if there is one.
///    A leaderless partition gets a leader only through elect().
///    The candidates are the acceptable ISR members in replica order (and,
///    under `unclean`, then any acceptable replica, the ISR becoming just it),
///    never a node that must leave or move away.
/// 4. Epochs: the leader epoch +1 when the leader changes, or when
///    bump_leader_epoch() was asked for and the partition has a leader; the
///    partition epoch +1 when replicas, ISR, adding or removing change. At
///    most +1 each per build.
///
/// Guarantees for a current record whose ISR is not empty and holds replicas
/// only: the ISR stays so (given the rule on set_target_replicas); the leader
/// is -1 or a member of the ISR and the replicas; epochs never go back; a new
/// leader from outside the ISR (current or target) only under `unclean`. A
/// value built on the stack for one change by whoever makes it
/// (coordinator_state, on its actor); no shared state.
class partition_change_builder {
 public:
  using acceptable_fn = std::function<bool(node_id)>;

  partition_change_builder(partition_record current, acceptable_fn acceptable_leader);

  /// The ISR the change wants (AlterPartition, a node leaving the ISR).
  partition_change_builder& set_target_isr(std::vector<node_id> isr) { return set(target_isr_, std::move(isr)); }
  /// A reassignment step: the replica set (the union of old and new while it
  /// runs) and which of them are being added and removed. A step that drops
  /// every ISR member must also set the target ISR: an empty ISR keeps the
  /// old one (rule 2), which would then hold no replica.
  partition_change_builder& set_target_replicas(std::vector<node_id> replicas, std::vector<node_id> adding,
                                                std::vector<node_id> removing) {
    target_adding_ = std::move(adding);
    target_removing_ = std::move(removing);
    return set(target_replicas_, std::move(replicas));
  }
  /// Completes a running reassignment if every adding replica is in sync and
  /// some replica of the target set is too; otherwise nothing.
  partition_change_builder& complete_reassignment() { return set(complete_reassignment_, true); }
  /// How to choose a leader when one must be chosen (default online).
  partition_change_builder& set_election(election e) { return set(election_, e); }
  /// Asks for an election although the current leader may stay (see rule 3).
  partition_change_builder& elect() { return set(elect_, true); }
  /// These nodes are gone (lease expired): a leader among them is replaced,
  /// or the partition becomes leaderless.
  partition_change_builder& leader_must_leave(std::set<node_id> nodes) { return set(must_leave_, std::move(nodes)); }
  /// `node` should stop leading (controlled shutdown): if no other ISR member
  /// can take over, it keeps the partition.
  partition_change_builder& move_leader_away_from(node_id node) { return set(move_away_from_, node); }
  /// A new leader epoch even if the leader stays: fences the previous
  /// incarnation of a leader that registered again.
  partition_change_builder& bump_leader_epoch() { return set(bump_leader_epoch_, true); }

  /// The next record, or nullopt when the intents change nothing.
  std::optional<partition_record> build() const;

 private:
  struct choice {
    node_id leader = no_node;  // no_node: nobody can lead
    bool unclean = false;      // from outside the ISR
  };
  /// The first candidate for leader of `next` under `election_`.
  choice choose_leader(const partition_record& next) const;
  /// Acceptable, and neither leaving nor moving away.
  bool may_lead(node_id n) const;
  template <class Field, class Value>
  partition_change_builder& set(Field& field, Value&& value) {
    field = std::forward<Value>(value);
    return *this;
  }

  partition_record current_;
  acceptable_fn acceptable_;
  std::optional<std::vector<node_id>> target_isr_;
  std::vector<node_id> target_replicas_, target_adding_, target_removing_;
  bool complete_reassignment_ = false;
  election election_ = election::online;
  bool elect_ = false;
  std::set<node_id> must_leave_;
  node_id move_away_from_ = no_node;
  bool bump_leader_epoch_ = false;
};

}  // namespace sluice::coordinator
