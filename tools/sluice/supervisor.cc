#include "tools/sluice/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

#include "tools/sluice/child_process.h"
#include "tools/sluice/json_writer.h"
#include "tools/sluice/ready_line.h"

namespace sluice::tools {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A line longer than this is forwarded in pieces rather than buffered without bound.
constexpr std::size_t max_line = 64 * 1024;

std::atomic<supervisor*> signal_target{nullptr};

void on_stop_signal(int) {
  if (auto* s = signal_target.load()) s->request_stop();
}

// Written to a temporary name and renamed, so a reader never sees half a pid.
bool write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return false;
    f << text;
    if (!f.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

long long ms(milliseconds d) { return static_cast<long long>(d.count()); }

}  // namespace

struct supervisor::child_state {
  child_spec spec;
  std::string name;
  pid_t pid = -1;
  int fd = -1;
  std::string partial;
  bool ready = false;
  int starts = 0;
  clock::time_point ready_at{};
  int consecutive_restarts = 0;
  int failures_before_ready = 0;
  std::optional<clock::time_point> restart_at;
  std::optional<std::ofstream> log;

  bool running() const { return pid > 0; }
};

supervisor::supervisor(std::vector<child_spec> children, supervisor_options options, line_sink out,
                       std::function<void()> on_all_ready)
    : options_(std::move(options)), out_(std::move(out)), on_all_ready_(std::move(on_all_ready)) {
  children_.reserve(children.size());
  for (auto& spec : children) {
    child_state c;
    c.name = spec.name();
    c.spec = std::move(spec);
    children_.push_back(std::move(c));
  }
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
}

supervisor::~supervisor() {
  if (signal_target.load() == this) signal_target.store(nullptr);
  for (auto& c : children_) {
    if (c.fd >= 0) close(c.fd);
  }
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void supervisor::handle_signals(supervisor* s) {
  signal_target.store(s);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void supervisor::request_stop() {
  stop_requests_.fetch_add(1);
  if (wake_pipe_[1] >= 0) (void)!write(wake_pipe_[1], "x", 1);
}

void supervisor::say(const std::string& text) { out_("[sluice] " + text); }

milliseconds supervisor::backoff_for(const child_state& c) const {
  auto delay = options_.backoff_initial;
  for (int i = 1; i < c.consecutive_restarts && delay < options_.backoff_max; ++i) delay *= 2;
  return std::min(delay, options_.backoff_max);
}

void supervisor::start(child_state& c) {
  c.restart_at.reset();
  c.ready = false;
  c.partial.clear();
  auto spawned = spawn_child(c.spec.argv);
  if (!spawned) {
    // fork/pipe failures are resource exhaustion: retry like a crash.
    say(c.name + " could not be started: " + spawned.error());
    ++c.consecutive_restarts;
    ++c.failures_before_ready;
    c.restart_at = clock::now() + backoff_for(c);
    return;
  }
  c.pid = spawned.value().pid;
  c.fd = spawned.value().output_fd;
  ++c.starts;
  if (c.log) *c.log << "--- start " << c.starts << " pid " << c.pid << std::endl;
  if (!write_file_atomically(options_.run_dir / (c.name + ".pid"), std::to_string(c.pid) + "\n")) {
    say("cannot write " + (options_.run_dir / (c.name + ".pid")).string() + ": " + std::strerror(errno));
  }
  say("started " + c.name + " (pid " + std::to_string(c.pid) + ")");
}

void supervisor::emit_line(child_state& c, std::string_view line) {
  out_("[" + c.name + "] " + std::string(line));
  if (c.log) *c.log << line << '\n' << std::flush;
  if (!c.ready && !stopping_ && is_ready_line(line)) {
    c.ready = true;
    c.ready_at = clock::now();
    c.failures_before_ready = 0;
    if (c.starts > 1) say(c.name + " is back (pid " + std::to_string(c.pid) + ")");
  }
}

void supervisor::read_output(child_state& c) {
  if (c.fd < 0) return;
  char buf[16384];
  for (;;) {
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n > 0) {
      c.partial.append(buf, static_cast<std::size_t>(n));
      std::size_t begin = 0;
      for (auto nl = c.partial.find('\n'); nl != std::string::npos; nl = c.partial.find('\n', begin)) {
        std::string_view line(c.partial.data() + begin, nl - begin);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        emit_line(c, line);
        begin = nl + 1;
      }
      c.partial.erase(0, begin);
      if (c.partial.size() >= max_line) {
        emit_line(c, c.partial);
        c.partial.clear();
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EOF or a real error: the child closed its output (normally by exiting).
    if (!c.partial.empty()) {
      emit_line(c, c.partial);
      c.partial.clear();
    }
    close(c.fd);
    c.fd = -1;
    return;
  }
}

void supervisor::reap(child_state& c) {
  if (!c.running()) return;
  int status = 0;
  pid_t r = waitpid(c.pid, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return;
  // Whatever the child wrote before dying is shown before the news of its death.
  read_output(c);
  if (c.fd >= 0) {
    if (!c.partial.empty()) emit_line(c, c.partial);
    c.partial.clear();
    close(c.fd);
    c.fd = -1;
  }
  const pid_t old_pid = c.pid;
  c.pid = -1;
  const std::string how = r < 0 ? std::string("vanished") : describe_exit(status);

  if (stopping_) {
    say(c.name + " (pid " + std::to_string(old_pid) + ") " + how);
    std::error_code ec;
    std::filesystem::remove(options_.run_dir / (c.name + ".pid"), ec);
    return;
  }

  auto now = clock::now();
  if (c.ready && now - c.ready_at >= options_.stable_after) c.consecutive_restarts = 0;
  if (!c.ready) ++c.failures_before_ready;
  c.ready = false;
  if (c.failures_before_ready >= options_.max_failures_before_ready) {
    say(c.name + " (pid " + std::to_string(old_pid) + ") " + how + "; it exited " +
        std::to_string(c.failures_before_ready) + " times in a row without becoming ready: giving up");
    begin_stop(1);
    return;
  }
  ++c.consecutive_restarts;
  auto delay = backoff_for(c);
  c.restart_at = now + delay;
  say(c.name + " (pid " + std::to_string(old_pid) + ") " + how + "; restarting in " + std::to_string(ms(delay)) +
      " ms (restart " + std::to_string(c.consecutive_restarts) + ")");
}

void supervisor::restart_due() {
  auto now = clock::now();
  for (auto& c : children_) {
    if (!c.running() && c.restart_at && *c.restart_at <= now) start(c);
  }
}

void supervisor::advance_stages() {
  for (;;) {
    bool all_ready = std::all_of(children_.begin(), children_.end(), [&](const child_state& c) {
      return c.spec.stage > started_stage_ || c.ready;
    });
    if (!all_ready) return;
    std::optional<int> next;
    for (const auto& c : children_) {
      if (c.spec.stage > started_stage_ && (!next || c.spec.stage < *next)) next = c.spec.stage;
    }
    if (!next) break;
    started_stage_ = *next;
    for (auto& c : children_) {
      if (c.spec.stage == started_stage_) start(c);
    }
  }
  if (!announced_) {
    announced_ = true;
    if (on_all_ready_) on_all_ready_();
  }
}

void supervisor::begin_stop(int exit_code) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = exit_code;
  std::set<int, std::greater<>> stages;
  for (auto& c : children_) {
    c.restart_at.reset();
    stages.insert(c.spec.stage);
  }
  stop_stages_.assign(stages.begin(), stages.end());
  say("stopping");
  stage_killed_ = false;
  stop_deadline_ = clock::time_point{};  // set when the first stage is signalled
}

// Moves the shutdown forward: SIGTERM the current stage, SIGKILL it after the
// grace period, and go on to the next stage once it has fully exited.
void supervisor::stop_progress() {
  while (!stop_stages_.empty()) {
    const int stage = stop_stages_.front();
    bool any_running = false;
    for (const auto& c : children_) any_running |= c.spec.stage == stage && c.running();
    if (!any_running) {
      stop_stages_.erase(stop_stages_.begin());
      stop_deadline_ = clock::time_point{};
      stage_killed_ = false;
      continue;
    }
    if (stop_deadline_ == clock::time_point{}) {
      for (auto& c : children_) {
        if (c.spec.stage == stage && c.running()) kill(c.pid, SIGTERM);
      }
      stop_deadline_ = clock::now() + options_.stop_grace;
    } else if (!stage_killed_ && clock::now() >= stop_deadline_) {
      for (auto& c : children_) {
        if (c.spec.stage == stage && c.running()) {
          say(c.name + " (pid " + std::to_string(c.pid) + ") did not stop within " +
              std::to_string(ms(options_.stop_grace)) + " ms: SIGKILL");
          kill(c.pid, SIGKILL);
        }
      }
      stage_killed_ = true;
    }
    return;
  }
}

int supervisor::run() {
  std::error_code ec;
  std::filesystem::create_directories(options_.run_dir, ec);
  if (ec) {
    say("cannot create " + options_.run_dir.string() + ": " + ec.message());
    return 1;
  }
  if (!options_.log_dir.empty()) std::filesystem::create_directories(options_.log_dir, ec);
  for (auto& c : children_) {
    auto cmd = options_.run_dir / (c.name + ".cmd");
    if (!write_file_atomically(cmd, json_string_array(c.spec.argv) + "\n")) {
      say("cannot write " + cmd.string());
      return 1;
    }
    if (!options_.log_dir.empty()) c.log.emplace(options_.log_dir / (c.name + ".log"), std::ios::app);
  }

  if (!children_.empty()) {
    started_stage_ = std::min_element(children_.begin(), children_.end(), [](const auto& a, const auto& b) {
                       return a.spec.stage < b.spec.stage;
                     })->spec.stage;
    for (auto& c : children_) {
      if (c.spec.stage == started_stage_) start(c);
    }
  }

  for (;;) {
    // Stop requests arrive through the wake pipe (signal handler or another thread).
    int requests = stop_requests_.load();
    if (requests > stop_requests_seen_) {
      if (!stopping_) {
        begin_stop(0);
      } else if (requests > 1) {
        say("second stop request: SIGKILL everything still running");
        for (auto& c : children_) {
          if (c.running()) kill(c.pid, SIGKILL);
        }
      }
      stop_requests_seen_ = requests;
    }

    for (auto& c : children_) reap(c);
    if (!stopping_) {
      restart_due();
      advance_stages();
    }
    if (stopping_) {
      stop_progress();
      if (stop_stages_.empty()) break;
    }

    // Sleep until output, a stop request, or the next timer; never longer
    // than 100 ms so exits (SIGCHLD is not watched) are noticed promptly.
    auto wait = milliseconds(100);
    auto now = clock::now();
    for (const auto& c : children_) {
      if (c.restart_at) wait = std::min(wait, std::chrono::duration_cast<milliseconds>(*c.restart_at - now));
    }
    if (stopping_ && stop_deadline_ != clock::time_point{} && !stage_killed_) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(stop_deadline_ - now));
    }
    wait = std::max(wait, milliseconds(0));

    std::vector<pollfd> fds;
    std::vector<child_state*> owners;
    if (wake_pipe_[0] >= 0) {
      fds.push_back({wake_pipe_[0], POLLIN, 0});
      owners.push_back(nullptr);
    }
    for (auto& c : children_) {
      if (c.fd >= 0) {
        fds.push_back({c.fd, POLLIN, 0});
        owners.push_back(&c);
      }
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    if (n <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (owners[i] == nullptr) {
        char drain[64];
        while (read(wake_pipe_[0], drain, sizeof drain) > 0) {
        }
      } else {
        read_output(*owners[i]);
      }
    }
  }
  say(exit_code_ == 0 ? "stopped" : "stopped after a failure");
  return exit_code_;
}

}  // namespace sluice::tools
