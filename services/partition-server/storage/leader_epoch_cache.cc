#include "services/partition-server/storage/leader_epoch_cache.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

bool leader_epoch_cache::load() {
  entries_.clear();
  std::ifstream in(dir_ / file_name);
  if (!in) return false;
  int version = -1;
  std::size_t count = 0;
  if (!(in >> version >> count) || version != 0) return false;
  std::vector<entry> loaded;
  for (std::size_t i = 0; i < count; ++i) {
    leader_epoch::type epoch = 0;
    offset::type start = 0;
    if (!(in >> epoch >> start)) return false;
    const entry e{leader_epoch{epoch}, offset{start}};
    if (!loaded.empty() && (e.epoch <= loaded.back().epoch || e.start_offset < loaded.back().start_offset))
      return false;
    loaded.push_back(e);
  }
  entries_ = std::move(loaded);
  return true;
}

result<void> leader_epoch_cache::persist() const {
  std::ostringstream text;
  text << "0\n" << entries_.size() << "\n";
  for (const auto& e : entries_) text << e.epoch() << ' ' << e.start_offset() << "\n";
  const std::string bytes = text.str();
  return write_file_atomically(dir_ / file_name, std::as_bytes(std::span(bytes.data(), bytes.size())));
}

bool leader_epoch_cache::assign(leader_epoch epoch, offset start_offset) {
  if (epoch < leader_epoch{0} || epoch <= latest_epoch()) return false;
  truncate_from_end(start_offset);
  entries_.push_back({epoch, start_offset});
  return true;
}

bool leader_epoch_cache::truncate_from_end(offset end_offset) {
  const auto before = entries_.size();
  std::erase_if(entries_, [end_offset](const entry& e) { return e.start_offset >= end_offset; });
  return entries_.size() != before;
}

bool leader_epoch_cache::truncate_from_start(offset start_offset) {
  // The first entry above the new start; the one before it (if any) covers
  // the start and is kept, moved up to it.
  auto first_kept = std::find_if(entries_.begin(), entries_.end(),
                                 [start_offset](const entry& e) { return e.start_offset > start_offset; });
  if (first_kept == entries_.begin()) return false;
  auto covering = std::prev(first_kept);
  const bool changed = covering != entries_.begin() || covering->start_offset != start_offset;
  covering->start_offset = start_offset;
  entries_.erase(entries_.begin(), covering);
  return changed;
}

epoch_end_offset leader_epoch_cache::end_offset_for(leader_epoch epoch, offset log_end_offset) const {
  if (epoch < leader_epoch{0} || entries_.empty()) return {};
  if (epoch == latest_epoch()) return {epoch, log_end_offset};
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                                 [](leader_epoch e, const entry& x) { return e < x.epoch; });
  if (higher == entries_.end()) return {};
  if (higher == entries_.begin()) return {epoch, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

}  // namespace sluice::storage
