#pragma once
// Starting one supervised child process (fork + exec) with its output piped
// back to the supervisor.
#include <sys/types.h>

#include <string>
#include <vector>

#include "tools/sluice/cli_result.h"

namespace sluice::tools {

/// A started child: its pid and the non-blocking, close-on-exec read end of
/// the pipe that carries both its stdout and its stderr.
struct spawned_child {
  pid_t pid = -1;
  int output_fd = -1;
};

/// Starts `argv` (argv[0] is a path, not looked up in PATH) with stdin from
/// /dev/null and stdout+stderr into a pipe. The child gets its own process
/// group, so a terminal's Ctrl-C reaches only the supervisor, which then
/// stops the children in order; and SIGTERM as its parent-death signal, so a
/// supervisor killed with -9 does not leave children behind. If exec fails
/// the child writes why into the pipe and exits 127.
cli_result<spawned_child> spawn_child(const std::vector<std::string>& argv);

/// "exited with code 3" / "killed by signal 9 (Killed)" for a waitpid status.
std::string describe_exit(int status);

}  // namespace sluice::tools
