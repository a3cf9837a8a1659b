#pragma once
// Runs asynchronous tasks one at a time, in the order they were pushed.
// The gateway keeps one per client connection for Produce: Kafka handles a
// connection's requests one after another, so batches a producer pipelines
// for a partition are appended in the order it sent them. Sending them as
// concurrent RPCs would let them overtake each other.
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace sluice::gateway {

class serial_queue : public std::enable_shared_from_this<serial_queue> {
 public:
  /// A task starts its work and calls `done` (from any thread) when it has
  /// finished; the next task starts then.
  using task = std::function<void(std::function<void()> done)>;

  void push(task t) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(t));
      if (running_) return;
      running_ = true;
    }
    run_next();
  }

 private:
  void run_next() {
    task next;
    {
      std::lock_guard lock(mutex_);
      if (tasks_.empty()) {
        running_ = false;
        return;
      }
      next = std::move(tasks_.front());
      tasks_.pop_front();
    }
    next([self = shared_from_this()] { self->run_next(); });
  }

  std::mutex mutex_;
  std::deque<task> tasks_;
  bool running_ = false;
};

}  // namespace sluice::gateway
