#include "services/group-coordinator/result_writer.h"

namespace sluice::group_coordinator {

result_writer::result_writer(record_log& log, std::int32_t partition, std::int64_t epoch)
    : log_(log), partition_(partition), epoch_(epoch) {}

bool result_writer::writing(const std::string& key) const {
  auto it = keys_.find(key);
  return it != keys_.end() && it->second.writing;
}

void result_writer::append(std::optional<std::string> key, write_kind kind, std::vector<record_log::record> records,
                           std::function<void(protocol::error_code)> done, std::function<void()> refuse) {
  const std::uint64_t write = ++last_write_;
  if (key) keys_[*key].writing = true;
  in_flight_.emplace(write, write_in_flight{std::move(key), std::move(done), std::move(refuse)});
  std::weak_ptr<bool> alive = alive_;
  auto completion = [this, alive, write](protocol::error_code e) {
    if (alive.expired()) return;
    completed(write, e);
  };
  if (auto* producer = std::get_if<txn_producer>(&kind))
    log_.append_transactional(partition_, epoch_, *producer, std::move(records), std::move(completion));
  else if (auto* marker = std::get_if<txn_marker>(&kind))
    log_.write_marker(partition_, epoch_, *marker, std::move(completion));
  else
    log_.append(partition_, epoch_, std::move(records), std::move(completion));
}

void result_writer::completed(std::uint64_t write, protocol::error_code e) {
  auto it = in_flight_.find(write);
  if (it == in_flight_.end()) return;  // closed meanwhile: already answered
  auto w = std::move(it->second);
  in_flight_.erase(it);
  // The key is free before the answer: whatever the answer starts on it
  // (Kafka's rebalance after a failed SyncGroup write) runs ahead of what
  // waited.
  if (w.key) keys_[*w.key].writing = false;
  w.done(e);
  if (w.key) run_waiting(*w.key);
}

void result_writer::run_waiting(const std::string& key) {
  for (;;) {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.writing) return;
    if (it->second.waiting.empty()) {
      keys_.erase(it);
      return;
    }
    auto operation = std::move(it->second.waiting.front());
    it->second.waiting.pop_front();
    operation(true);
  }
}

void result_writer::close() {
  closed_ = true;
  auto writes = std::move(in_flight_);
  auto keys = std::move(keys_);
  in_flight_.clear();
  keys_.clear();
  for (auto& [write, w] : writes) w.refuse();
  for (auto& [key, q] : keys)
    for (auto& operation : q.waiting) operation(false);
}

}  // namespace sluice::group_coordinator
