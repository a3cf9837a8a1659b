#pragma once
// What the cluster tests that run an in-process coordinator share: waiting
// for another thread's work, a scratch directory, quiet logs.
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <system_error>
#include <thread>

#include "common/logging/logger.h"

namespace sluice::cluster_test {

/// Waits for a condition that another thread makes true; generous deadline,
/// the test asserts the outcome, not how fast it came.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

/// A fresh directory under the system's temp dir, removed with its contents.
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& prefix) {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

struct quiet_logs {
  quiet_logs() { logging::init("test", "warn"); }
};

}  // namespace sluice::cluster_test
