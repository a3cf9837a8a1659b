#include "services/partition-server/storage/producer_state.h"

#include <algorithm>
#include <climits>

#include "common/protocol/control_record.h"
#include "common/protocol/record_batch_view.h"

namespace sluice::storage {

using protocol::append_errc;
using protocol::append_verdict;
using protocol::batch_header;

namespace {

// Sequences wrap from Integer.MAX_VALUE to 0 (Kafka's DefaultRecordBatch).
std::int32_t last_sequence(const batch_header& h) {
  const std::int32_t base = h.base_sequence();
  const std::int32_t delta = h.last_offset_delta();
  if (base < 0) return base;
  if (base > INT32_MAX - delta) return delta - (INT32_MAX - base) - 1;
  return base + delta;
}

bool in_sequence(std::int32_t last, std::int32_t next) {
  return std::int64_t{next} == std::int64_t{last} + 1 || (next == 0 && last == INT32_MAX);
}

producer_batch batch_of(const batch_header& h) {
  return {h.base_sequence(), last_sequence(h), offset{h.base_offset()}, offset{h.last_offset()}, h.max_timestamp()};
}

// A new epoch starts with no batches (Kafka's maybeUpdateProducerEpoch).
void take_epoch(producer_entry& e, std::int16_t epoch) {
  if (e.epoch == epoch) return;
  e.batches.clear();
  e.epoch = epoch;
}

void add_batch(producer_entry& e, const producer_batch& b) {
  if (e.batches.size() == producer_batches_retained) e.batches.pop_front();
  e.batches.push_back(b);
}

std::string producer_text(std::int64_t producer_id, const batch_header& h) {
  return "producer " + std::to_string(producer_id) + " at offset " + std::to_string(h.base_offset());
}

// What a produce request will make of one producer, batch by batch, before
// anything is written (Kafka's ProducerAppendInfo: `current` as stored,
// `epoch`/`last_seq`/`in_txn` as the request's earlier batches left them).
struct pending_producer {
  const producer_entry* current = nullptr;
  std::int16_t epoch = -1;
  std::int32_t last_seq = -1;  // of this request's batches in `epoch`
  bool has_batches = false;
  bool in_txn = false;
};

// KIP-890: a transactional batch opening a transaction (none open for the
// producer at its epoch, counting the request's earlier batches) must
// present the producer's current guard.
append_verdict check_guard(const pending_producer& p, const verification_entry* entry, const batch_header& h,
                           txn_verification verification) {
  if (!verification.required || !h.is_transactional()) return {};
  if (p.in_txn && p.epoch == h.producer_epoch()) return {};
  if (verification.guard != no_verification_guard && entry && entry->guard == verification.guard) return {};
  return append_verdict::refuse(append_errc::invalid_txn_state,
                                "record was not part of an ongoing transaction (" +
                                    producer_text(h.producer_id(), h) + " not verified with its transaction coordinator)");
}

// While a verification is out, the request's first batch of the producer may
// not start above the lowest sequence verified (Kafka's guard against an
// out-of-order loop when a lower sequence must be retried), nor, under
// transaction version 2, anywhere but 0 when no batch of it is retained.
append_verdict check_verified_sequence(const pending_producer& p, const verification_entry* entry,
                                       const batch_header& h) {
  if (!entry || p.has_batches) return {};
  const std::int32_t first = h.base_sequence();
  const bool none_retained = !p.current || p.current->batches.empty();
  if (entry->supports_epoch_bump && first != 0 && none_retained)
    return append_verdict::refuse(append_errc::out_of_order_sequence,
                                  "invalid sequence number for " + producer_text(h.producer_id(), h) + ": " +
                                      std::to_string(first) + " (a producer with no state starts at 0)");
  if (first > entry->lowest_sequence)
    return append_verdict::refuse(append_errc::out_of_order_sequence,
                                  "out of order sequence number for " + producer_text(h.producer_id(), h) + ": " +
                                      std::to_string(first) + " (incoming), " + std::to_string(entry->lowest_sequence) +
                                      " (earliest seen sequence)");
  return {};
}

append_verdict check_batch(pending_producer& p, std::int64_t producer_id, const batch_header& h, bool check_sequence,
                           const verification_entry* entry, txn_verification verification) {
  const std::int16_t epoch = h.producer_epoch();
  const std::int32_t first = h.base_sequence();
  if (epoch < p.epoch)
    return append_verdict::refuse(append_errc::invalid_producer_epoch,
                                  "epoch of " + producer_text(producer_id, h) + " is " + std::to_string(epoch) +
                                      ", smaller than the last seen epoch " + std::to_string(p.epoch));
  if (auto v = check_guard(p, entry, h, verification); !v) return v;
  const std::int16_t current_epoch = p.current ? p.current->epoch : std::int16_t{-1};
  if (!check_sequence) {
    // A coordinator's write (Kafka's AppendOrigin.COORDINATOR): epochs only.
  } else if (auto v = check_verified_sequence(p, entry, h); !v) {
    return v;
  } else if (epoch != p.epoch) {
    if (first != 0 && p.epoch != -1)
      return append_verdict::refuse(append_errc::out_of_order_sequence,
                                    "invalid sequence number for new epoch " + std::to_string(epoch) + " of " +
                                        producer_text(producer_id, h) + ": " + std::to_string(first) +
                                        " (a new epoch starts at 0)");
  } else {
    std::int32_t last = -1;
    if (p.has_batches)
      last = p.last_seq;
    else if (p.current && epoch == p.current->epoch)
      last = p.current->last_seq();
    // No epoch known (its batches are gone with retention): any sequence.
    if (current_epoch != -1 && !in_sequence(last, first))
      return append_verdict::refuse(append_errc::out_of_order_sequence,
                                    "out of order sequence number for " + producer_text(producer_id, h) + ": " +
                                        std::to_string(first) + " (incoming), " + std::to_string(last) +
                                        " (current end sequence number)");
  }
  p.epoch = epoch;
  p.last_seq = last_sequence(h);
  p.has_batches = true;
  if (p.in_txn && !h.is_transactional())
    return append_verdict::refuse(append_errc::invalid_txn_state,
                                  "expected a transactional write from " + producer_text(producer_id, h) +
                                      ": its transaction is open");
  if (h.is_transactional()) p.in_txn = true;
  return {};
}

}  // namespace

produce_check producer_state::check_produce(std::span<const std::byte> batches, append_origin origin,
                                            txn_verification verification) const {
  const bool client = origin == append_origin::client;
  if (!client) verification.required = false;  // a coordinator verifies its own writes
  std::map<std::int64_t, pending_producer> pending;
  protocol::batch_iterator it(batches);
  while (auto b = it.next()) {
    const batch_header h(*b);
    const std::int64_t producer_id = h.producer_id();
    if (producer_id < 0) continue;
    const producer_entry* current = find(producer_id);
    // Duplicates are looked up in the stored state only, and one answers
    // the whole request (Kafka's analyzeAndValidateProducerState).
    if (client && current && h.producer_epoch() == current->epoch) {
      const std::int32_t first = h.base_sequence();
      const std::int32_t last = last_sequence(h);
      for (const auto& kept : current->batches)
        if (kept.first_seq == first && kept.last_seq == last) return {{}, kept};
    }
    auto [at, added] = pending.try_emplace(producer_id);
    if (added) {
      at->second.current = current;
      if (current) {
        at->second.epoch = current->epoch;
        at->second.in_txn = current->txn_first_offset.has_value();
      }
    }
    if (auto v = check_batch(at->second, producer_id, h, client, client ? this->verification(producer_id) : nullptr,
                             verification);
        !v)
      return {std::move(v), std::nullopt};
  }
  return {};
}

verification_start producer_state::begin_verification(std::span<const std::byte> batches, std::int64_t now_ms,
                                                       bool supports_epoch_bump) {
  protocol::batch_iterator it(batches);
  while (auto b = it.next()) {
    const batch_header h(*b);
    if (h.producer_id() < 0 || !h.is_transactional() || h.is_control()) continue;
    const std::int64_t producer_id = h.producer_id();
    const std::int16_t epoch = h.producer_epoch();
    verification_start out;
    out.producer_id = producer_id;
    const producer_entry* current = find(producer_id);
    if (current && epoch < current->epoch) {
      out.verdict = append_verdict::refuse(append_errc::invalid_producer_epoch,
                                           "epoch of " + producer_text(producer_id, h) + " is " +
                                               std::to_string(epoch) + ", smaller than the last seen epoch " +
                                               std::to_string(current->epoch));
      return out;
    }
    // Kafka's hasOngoingTransaction(producerId, epoch): a newer epoch may
    // mean the open transaction has ended at the coordinator.
    if (current && current->txn_first_offset && current->epoch == epoch) return out;
    const std::int32_t sequence = h.base_sequence();
    auto [at, added] = verifications_.try_emplace(producer_id);
    verification_entry& e = at->second;
    if (added) {
      e = {.guard = ++last_guard_, .started_ms = now_ms, .lowest_sequence = sequence, .epoch = epoch,
           .supports_epoch_bump = supports_epoch_bump};
    } else if (epoch > e.epoch) {
      // A bumped epoch restarts the sequences: the earlier lowest one no longer counts.
      e.epoch = epoch;
      e.lowest_sequence = sequence;
    } else if (epoch == e.epoch && sequence < e.lowest_sequence) {
      e.lowest_sequence = sequence;
    }
    e.supports_epoch_bump = supports_epoch_bump;
    out.pending = e;
    return out;
  }
  return {};
}

const verification_entry* producer_state::verification(std::int64_t producer_id) const {
  auto it = verifications_.find(producer_id);
  return it == verifications_.end() ? nullptr : &it->second;
}

std::optional<append_errc> producer_state::check_marker(std::int64_t producer_id, std::int16_t producer_epoch,
                                                        std::int32_t coordinator_epoch) const {
  const producer_entry* e = find(producer_id);
  if (!e) return std::nullopt;
  if (producer_epoch < e->epoch) return append_errc::invalid_producer_epoch;
  if (coordinator_epoch < e->coordinator_epoch) return append_errc::coordinator_fenced;
  return std::nullopt;
}

std::optional<completed_txn> producer_state::observe(std::span<const std::byte> batch) {
  const batch_header h(batch);
  end_offset_ = std::max(end_offset_, offset{h.next_offset()});
  const std::int64_t producer_id = h.producer_id();
  if (producer_id < 0) return std::nullopt;
  // Written to the transaction, or a marker ended it: a verification begun
  // before this no longer stands (Kafka's updateProducers).
  if (h.is_transactional()) verifications_.erase(producer_id);
  if (h.is_control()) {
    // A control batch without a marker (emptied by the cleaner, or another
    // control type) changes nothing, as in Kafka.
    auto read = protocol::read_txn_marker(batch);
    if (!read.marker) return std::nullopt;
    producer_entry& e = producers_[producer_id];
    e.producer_id = producer_id;
    std::optional<completed_txn> done;
    if (e.txn_first_offset) {
      const offset first = *e.txn_first_offset;
      const offset marker_offset{h.base_offset()};
      done = completed_txn{producer_id, first, marker_offset, read.marker->type == protocol::control_type::abort};
      ongoing_.erase(first);
      unreplicated_[first] = {producer_id, marker_offset};
    }
    take_epoch(e, h.producer_epoch());
    e.coordinator_epoch = read.marker->coordinator_epoch;
    e.txn_first_offset.reset();
    e.last_timestamp = h.max_timestamp();
    return done;
  }
  producer_entry& e = producers_[producer_id];
  e.producer_id = producer_id;
  take_epoch(e, h.producer_epoch());
  add_batch(e, batch_of(h));
  e.last_timestamp = h.max_timestamp();
  if (h.is_transactional() && !e.txn_first_offset) {
    e.txn_first_offset = offset{h.base_offset()};
    ongoing_[*e.txn_first_offset] = producer_id;
  }
  return std::nullopt;
}

std::optional<offset> producer_state::first_unstable_offset() const {
  std::optional<offset> out;
  if (!ongoing_.empty()) out = ongoing_.begin()->first;
  if (!unreplicated_.empty() && (!out || unreplicated_.begin()->first < *out)) out = unreplicated_.begin()->first;
  return out;
}

void producer_state::on_high_watermark(offset hw) {
  std::erase_if(unreplicated_, [hw](const auto& kv) { return kv.second.last_offset < hw; });
}

std::size_t producer_state::remove_expired(std::int64_t now_ms, std::int64_t expiration_ms) {
  std::erase_if(verifications_, [&](const auto& kv) { return now_ms - kv.second.started_ms >= expiration_ms; });
  return std::erase_if(producers_, [&](const auto& kv) {
    const producer_entry& e = kv.second;
    return !e.txn_first_offset && now_ms - e.last_timestamp >= expiration_ms;
  });
}

void producer_state::clear(offset start) {
  producers_.clear();
  ongoing_.clear();
  unreplicated_.clear();
  end_offset_ = start;
}

void producer_state::load(std::vector<producer_entry> entries, offset end) {
  clear(end);
  for (auto& e : entries) {
    if (e.txn_first_offset) ongoing_[*e.txn_first_offset] = e.producer_id;
    const std::int64_t id = e.producer_id;
    producers_[id] = std::move(e);
  }
}

const producer_entry* producer_state::find(std::int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

}  // namespace sluice::storage
