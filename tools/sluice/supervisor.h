#pragma once
// The process supervisor behind `sluice up`: starts children stage by stage,
// forwards their output line by line with a `[service-id]` prefix, restarts
// the ones that die, and stops them in reverse stage order.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tools {

/// One supervised program. Children of a lower stage start first; a stage
/// starts only when every child of the earlier stages has logged a ready
/// line (ready_line.h). Stop goes the other way: the highest stage first.
struct child_spec {
  std::string service;  // "partition-server"
  int id = 0;           // 0.. per service
  std::vector<std::string> argv;
  int stage = 0;

  /// "partition-server-0": the output prefix and the run/log file name.
  std::string name() const { return service + "-" + std::to_string(id); }
};

struct supervisor_options {
  /// <name>.pid (rewritten on every start) and <name>.cmd (JSON argv).
  std::filesystem::path run_dir;
  /// <name>.log, a copy of each child's output; empty for none.
  std::filesystem::path log_dir;
  /// Time between SIGTERM and SIGKILL when stopping.
  std::chrono::milliseconds stop_grace{10000};
  /// Restart delay: doubles with every consecutive restart, up to the max.
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{10000};
  /// A child that ran this long after its ready line counts as healthy
  /// again, and its next restart starts over at backoff_initial.
  std::chrono::milliseconds stable_after{10000};
  /// A child that exits this many times in a row without ever logging a
  /// ready line is hopeless (bad flag, port in use): everything is stopped
  /// and run() returns 1.
  int max_failures_before_ready = 5;
};

/// Owns its children from run() until run() returns. Single-threaded: run()
/// does all the work in one poll loop; only request_stop() may be called
/// from elsewhere (another thread or a signal handler).
class supervisor {
 public:
  using line_sink = std::function<void(std::string_view line)>;

  /// `out` receives every line to show (children's, prefixed, and the
  /// supervisor's own, prefixed `[sluice]`); `on_all_ready` runs once, the
  /// first time every child of every stage is ready.
  supervisor(std::vector<child_spec> children, supervisor_options options, line_sink out,
             std::function<void()> on_all_ready);
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Runs until a stop is requested and every child has exited. Returns 0
  /// after a requested stop, 1 when it gave up on a child that never became
  /// ready or could not write its run files.
  int run();

  /// Async-signal-safe. The first call stops the children gracefully; a
  /// second one SIGKILLs whatever is still running.
  void request_stop();

  /// Routes SIGINT and SIGTERM of this process to `s->request_stop()` and
  /// ignores SIGPIPE (a closed stdout must not kill the supervisor).
  static void handle_signals(supervisor* s);

 private:
  struct child_state;

  void start(child_state& c);
  void read_output(child_state& c);
  void emit_line(child_state& c, std::string_view line);
  void reap(child_state& c);
  void restart_due();
  void advance_stages();
  void begin_stop(int exit_code);
  void stop_progress();
  void say(const std::string& text);
  std::chrono::milliseconds backoff_for(const child_state& c) const;

  std::vector<child_state> children_;
  supervisor_options options_;
  line_sink out_;
  std::function<void()> on_all_ready_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<int> stop_requests_{0};
  int stop_requests_seen_ = 0;
  int started_stage_ = 0;
  bool announced_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
  std::vector<int> stop_stages_;  // highest stage first; front() is the one stopping
  std::chrono::steady_clock::time_point stop_deadline_{};
  bool stage_killed_ = false;
};

}  // namespace sluice::tools
