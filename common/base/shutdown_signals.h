#pragma once
// SIGINT/SIGTERM handling every service main shares: block the signals
// before any thread starts (so NNG, CAF and Asio threads inherit the mask and
// only these waits see them), then wait for readiness or a signal.
#include <chrono>
#include <csignal>
#include <ctime>
#include <functional>

namespace sluice {

class shutdown_signals {
 public:
  /// Blocks SIGINT and SIGTERM in the calling thread; construct it first in
  /// main(), before anything starts a thread.
  shutdown_signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  /// Polls `ready` every `tick` until it holds (returns 0) or a signal
  /// arrives (returns its number), so a service stopped while it starts
  /// exits at once.
  int wait_until(const std::function<bool()>& ready,
                 std::chrono::milliseconds tick = std::chrono::milliseconds(20)) const {
    timespec ts{static_cast<time_t>(tick.count() / 1000), static_cast<long>(tick.count() % 1000) * 1000000L};
    while (!ready()) {
      int sig = sigtimedwait(&set_, nullptr, &ts);
      if (sig > 0) return sig;
    }
    return 0;
  }

  /// Blocks until SIGINT or SIGTERM; returns its number.
  int wait() const {
    int sig = 0;
    while (sigwait(&set_, &sig) != 0) {
    }
    return sig;
  }

 private:
  sigset_t set_;
};

}  // namespace sluice
