#pragma once
// A record_log for unit tests: holds every append until the test completes
// it, with success (the records count as written) or an error, so a test
// can look at the shard while a write is under way and make it fail.
#include <functional>
#include <utility>
#include <vector>

#include "services/group-coordinator/record_log.h"

namespace sluice::group_coordinator::test {

struct fake_record_log : record_log {
  using error_code = protocol::error_code;

  std::vector<record> written;
  std::vector<std::pair<std::vector<record>, std::function<void(error_code)>>> pending;

  void append(std::int32_t, std::int64_t, std::vector<record> records, std::function<void(error_code)> done) override {
    pending.emplace_back(std::move(records), std::move(done));
  }
  /// Completes the appends pending now, in order (their callbacks may append more).
  void complete(error_code e = error_code::none) {
    auto batch = std::move(pending);
    pending.clear();
    for (auto& [records, done] : batch) {
      if (e == error_code::none) written.insert(written.end(), records.begin(), records.end());
      done(e);
    }
  }
  /// Completes appends until none is left, including those made by callbacks.
  void complete_all(error_code e = error_code::none) {
    while (!pending.empty()) complete(e);
  }
};

}  // namespace sluice::group_coordinator::test
