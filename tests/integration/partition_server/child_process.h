#pragma once
// Starts a service binary as a child process with its output in a log file,
// and waits for lines in that log (the `ready` line of the process contract).
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::test {

class child_process {
 public:
  child_process(std::vector<std::string> argv, std::filesystem::path log_file) : log_(std::move(log_file)) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~child_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Sends `sig` and reaps the process; returns its exit status (or 128+signal).
  int stop(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Sends `sig` without waiting (SIGSTOP/SIGCONT); false if not running.
  bool signal(int sig) { return pid_ > 0 && ::kill(pid_, sig) == 0; }

  /// The first log line (from the start of the file) containing `needle`
  /// after `skip` earlier matches, waiting up to `timeout`; nullopt if the
  /// process died or the time ran out.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout,
                                           int skip = 0) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::ifstream in(log_);
      std::string line;
      int seen = 0;
      while (std::getline(in, line))
        if (line.find(needle) != std::string::npos && seen++ == skip) return line;
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string log_text() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

/// The word after `key ` in `line` (e.g. the url after "rpc ").
inline std::string word_after(const std::string& line, const std::string& key) {
  auto at = line.find(key + " ");
  if (at == std::string::npos) return {};
  at += key.size() + 1;
  auto end = line.find(' ', at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace sluice::test
