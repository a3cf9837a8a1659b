#include "tools/sluice/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::tools {

namespace {

// Only async-signal-safe calls may run between fork and exec, and the parent
// may be multi-threaded (the unit tests run the supervisor on a thread), so
// everything the child needs is prepared before fork.
[[noreturn]] void exec_child(char* const* argv, int out_fd, pid_t parent, const std::string& exec_failed_prefix) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);  // the supervisor died before prctl took effect

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored signals stay ignored across exec; the supervisor ignores SIGPIPE.
  signal(SIGPIPE, SIG_DFL);

  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) {
    dup2(devnull, STDIN_FILENO);
    close(devnull);
  }
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  close(out_fd);

  execv(argv[0], argv);

  int err = errno;
  (void)!write(STDERR_FILENO, exec_failed_prefix.data(), exec_failed_prefix.size());
  const char* text = strerror(err);  // not strictly async-signal-safe; the child exits right after
  (void)!write(STDERR_FILENO, text, std::strlen(text));
  (void)!write(STDERR_FILENO, "\n", 1);
  _exit(127);
}

}  // namespace

cli_result<spawned_child> spawn_child(const std::vector<std::string>& argv) {
  if (argv.empty()) return cli_error("empty command line");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string exec_failed_prefix = "exec " + argv[0] + " failed: ";

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return cli_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return cli_error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    close(fds[0]);
    exec_child(args.data(), fds[1], parent, exec_failed_prefix);
  }
  close(fds[1]);
  // Also set from the parent: whichever of the two runs first, the child is
  // in its own group before the supervisor ever signals it.
  setpgid(pid, pid);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return spawned_child{pid, fds[0]};
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    return "killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "stopped with status " + std::to_string(status);
}

}  // namespace sluice::tools
