#pragma once
// A record_log for unit tests: holds every append until the test completes
// it, with success (the records count as written) or an error, so a test
// can look at the shard while a write is under way and make it fail.
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "services/group-coordinator/record_log.h"

namespace sluice::group_coordinator::test {

struct fake_record_log : record_log {
  using error_code = protocol::error_code;

  /// One write as the log holds it: a plain batch, one producer's
  /// transactional batch, or a marker (no records).
  struct entry {
    std::vector<record> records;
    std::optional<txn_producer> producer;
    std::optional<txn_marker> marker;
  };

  std::vector<record> written;  // the records of plain appends, in order
  std::vector<entry> entries;   // every write that succeeded, in order
  std::vector<std::pair<entry, std::function<void(error_code)>>> pending;

  void append(std::int32_t, std::int64_t, std::vector<record> records, std::function<void(error_code)> done) override {
    pending.emplace_back(entry{std::move(records), std::nullopt, std::nullopt}, std::move(done));
  }
  void append_transactional(std::int32_t, std::int64_t, txn_producer producer, std::vector<record> records,
                            std::function<void(error_code)> done) override {
    pending.emplace_back(entry{std::move(records), producer, std::nullopt}, std::move(done));
  }
  void write_marker(std::int32_t, std::int64_t, txn_marker marker, std::function<void(error_code)> done) override {
    pending.emplace_back(entry{{}, std::nullopt, marker}, std::move(done));
  }
  /// Completes the appends pending now, in order (their callbacks may append more).
  void complete(error_code e = error_code::none) {
    auto batch = std::move(pending);
    pending.clear();
    for (auto& [written_entry, done] : batch) {
      if (e == error_code::none) {
        if (!written_entry.producer && !written_entry.marker)
          written.insert(written.end(), written_entry.records.begin(), written_entry.records.end());
        entries.push_back(written_entry);
      }
      done(e);
    }
  }
  /// Completes appends until none is left, including those made by callbacks.
  void complete_all(error_code e = error_code::none) {
    while (!pending.empty()) complete(e);
  }
};

}  // namespace sluice::group_coordinator::test
