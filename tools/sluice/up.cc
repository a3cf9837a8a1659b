// sluice up: the whole stack on loopback as child processes of one command
// (coordinator, partition servers, group coordinators, gateways), supervised
// by supervisor.h.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>  // program_invocation_name (GNU)
#include <cstring>
#include <filesystem>

#include "tools/sluice/cli_result.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/supervisor.h"

namespace sluice::tools {

namespace {

namespace fs = std::filesystem;

struct up_args {
  std::string data_dir = "./data";
  int partition_servers = 1;
  int group_coordinators = 1;
  int gateways = 1;
  int port = 9092;
  int coordinator_port = 19090;  // its metadata feed on +1; 0: any free ports
  int replication_factor = 1;    // the coordinator's default.replication.factor
  int min_insync_replicas = 1;   // the partition servers' default min.insync.replicas
  // Group coordinator settings (Kafka's defaults); tests shorten them.
  int group_initial_rebalance_delay_ms = 3000;
  int group_min_session_timeout_ms = 6000;
  int consumer_heartbeat_interval_ms = 5000;
  std::string bin_dir;
  bool auto_create_topics = false;
  std::string log_level = "info";
  int stop_grace_ms = 10000;
};

// A TCP socket bound to 127.0.0.1:port (0 = any free port), or -1 with errno set.
int bind_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  // As a listening server would: a port held only by TIME_WAIT connections is free.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

// Two distinct free loopback ports for the coordinator's RPC and publish
// sockets. Both are held until both are chosen so they differ; another
// process could still take one before the coordinator binds it, which the
// supervisor then handles as a failed start.
cli_result<std::pair<int, int>> two_free_ports() {
  int a = bind_loopback(0);
  int b = bind_loopback(0);
  if (a < 0 || b < 0) {
    std::string why = std::strerror(errno);
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    return cli_error("no free loopback port: " + why);
  }
  auto port_of = [](int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return static_cast<int>(ntohs(addr.sin_port));
  };
  std::pair<int, int> ports{port_of(a), port_of(b)};
  close(a);
  close(b);
  return ports;
}

// The default --bin-dir: where `sluice` was invoked from (argv[0], links not
// resolved: a directory of links to binaries from several builds works) if
// the services are there, else the directory of the executable itself.
fs::path own_directory() {
  std::error_code ec;
  std::string invoked = program_invocation_name;
  if (invoked.find('/') != std::string::npos) {
    auto dir = fs::absolute(fs::path(invoked).parent_path(), ec);
    if (!ec && access((dir / "sluice-coordinator").c_str(), X_OK) == 0) return dir;
  }
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

std::vector<child_spec> stack_children(const up_args& a, const fs::path& data, const fs::path& bin, int rpc_port,
                                       int pub_port) {
  const std::string coordinator_url = "tcp://127.0.0.1:" + std::to_string(rpc_port);
  auto exe = [&](const char* name) { return (bin / name).string(); };
  auto dir = [&](const std::string& name) { return (data / name).string(); };
  std::vector<child_spec> children;

  children.push_back({"coordinator", 0,
                      {exe("sluice-coordinator"), "--data-dir", dir("coordinator"), "--listen", coordinator_url,
                       "--publish", "tcp://127.0.0.1:" + std::to_string(pub_port), "--default-replication-factor",
                       std::to_string(a.replication_factor), "--log-level", a.log_level},
                      0});
  for (int i = 0; i < a.partition_servers; ++i) {
    children.push_back({"partition-server", i,
                        {exe("sluice-partition-server"), "--coordinator", coordinator_url, "--listen",
                         "tcp://127.0.0.1:0", "--data-dir", dir("partition-server-" + std::to_string(i)),
                         "--min-insync-replicas", std::to_string(a.min_insync_replicas), "--log-level", a.log_level},
                        1});
  }
  for (int i = 0; i < a.group_coordinators; ++i) {
    children.push_back({"group-coordinator", i,
                        {exe("sluice-group-coordinator"), "--coordinator", coordinator_url, "--listen",
                         "tcp://127.0.0.1:0", "--data-dir", dir("group-coordinator-" + std::to_string(i)),
                         "--group-initial-rebalance-delay-ms", std::to_string(a.group_initial_rebalance_delay_ms),
                         "--group-min-session-timeout-ms", std::to_string(a.group_min_session_timeout_ms),
                         "--consumer-heartbeat-interval-ms", std::to_string(a.consumer_heartbeat_interval_ms),
                         "--log-level", a.log_level},
                        1});
  }
  for (int i = 0; i < a.gateways; ++i) {
    std::vector<std::string> argv = {exe("sluice-gateway"), "--coordinator", coordinator_url, "--host", "127.0.0.1",
                                     "--port", std::to_string(a.port + i), "--advertised-host", "127.0.0.1",
                                     "--log-level", a.log_level};
    if (a.auto_create_topics) argv.push_back("--auto-create-topics");
    children.push_back({"gateway", i, std::move(argv), 2});
  }
  return children;
}

int run_up(const up_args& a) {
  if (a.port + a.gateways - 1 > 65535) return fail("--port: gateways would need ports above 65535");
  std::error_code ec;
  const fs::path data = fs::absolute(a.data_dir, ec);
  if (ec) return fail("--data-dir " + a.data_dir + ": " + ec.message());
  const fs::path bin = a.bin_dir.empty() ? own_directory() : fs::absolute(a.bin_dir);
  for (const char* name :
       {"sluice-coordinator", "sluice-partition-server", "sluice-group-coordinator", "sluice-gateway"}) {
    if (access((bin / name).c_str(), X_OK) != 0) {
      return fail("no executable " + (bin / name).string() + " (build it, or point --bin-dir at the binaries)");
    }
  }
  const fs::path run_dir = data / "run";
  fs::create_directories(run_dir, ec);
  if (ec) return fail("cannot create " + run_dir.string() + ": " + ec.message());

  // One stack per data dir: two would share partition-server data dirs.
  const auto lock_path = run_dir / "sluice-up.lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return fail("data dir " + data.string() + " is in use by another `sluice up` (" + lock_path.string() + ")");
  }

  for (int i = 0; i < a.gateways; ++i) {
    int fd = bind_loopback(a.port + i);
    if (fd < 0) return fail("port 127.0.0.1:" + std::to_string(a.port + i) + " is not free: " + std::strerror(errno));
    close(fd);
  }
  if (a.replication_factor > a.partition_servers)
    return fail("--replication-factor " + std::to_string(a.replication_factor) + " needs as many partition servers");
  cli_result<std::pair<int, int>> ports = std::pair<int, int>{a.coordinator_port, a.coordinator_port + 1};
  if (a.coordinator_port == 0) {
    ports = two_free_ports();
    if (!ports) return fail(ports.error());
  } else {
    for (int p : {a.coordinator_port, a.coordinator_port + 1}) {
      int fd = bind_loopback(p);
      if (fd < 0)
        return fail("coordinator port 127.0.0.1:" + std::to_string(p) + " is not free (--coordinator-port): " +
                    std::strerror(errno));
      close(fd);
    }
  }

  std::string gateways;
  for (int i = 0; i < a.gateways; ++i) gateways += (i ? "," : "") + std::string("127.0.0.1:") + std::to_string(a.port + i);

  auto children = stack_children(a, data, bin, ports.value().first, ports.value().second);
  // Services with state get data/<service>-<id> (the coordinator: data/coordinator).
  for (const auto& c : children) {
    if (c.service == "gateway") continue;
    auto dir = data / (c.service == "coordinator" ? c.service : c.name());
    fs::create_directories(dir, ec);
    if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());
  }

  supervisor_options options;
  options.run_dir = run_dir;
  options.log_dir = data / "logs";
  options.stop_grace = std::chrono::milliseconds(a.stop_grace_ms);
  auto out = [](std::string_view line) {
    std::string text(line);
    text.push_back('\n');
    // One write per line, so lines of different children never interleave.
    (void)!write(STDOUT_FILENO, text.data(), text.size());
  };
  supervisor sup(std::move(children), options, out, [&] {
    out("[sluice] ready: bootstrap server 127.0.0.1:" + std::to_string(a.port) + " (gateways " + gateways +
        "; coordinator tcp://127.0.0.1:" + std::to_string(ports.value().first) + "; data " + data.string() +
        "; Ctrl-C stops the stack)");
  });
  supervisor::handle_signals(&sup);
  int rc = sup.run();
  supervisor::handle_signals(nullptr);
  close(lock_fd);
  return rc;
}

}  // namespace

void add_up_command(CLI::App& app, command_action& action) {
  auto args = std::make_shared<up_args>();
  auto* cmd = app.add_subcommand("up", "Run a local stack: every service as a supervised child process");
  cmd->add_option("--data-dir,-d", args->data_dir, "Data directory of the whole stack")->capture_default_str();
  cmd->add_option("--partition-servers", args->partition_servers, "Number of partition servers")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--group-coordinators", args->group_coordinators, "Number of group coordinators")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  cmd->add_option("--group-initial-rebalance-delay-ms", args->group_initial_rebalance_delay_ms,
                  "How long a new consumer group waits for more members before its first rebalance")
      ->capture_default_str()
      ->check(CLI::Range(0, 300000));
  cmd->add_option("--group-min-session-timeout-ms", args->group_min_session_timeout_ms,
                  "Shortest session timeout a classic consumer may ask for")
      ->capture_default_str()
      ->check(CLI::Range(1, 1800000));
  cmd->add_option("--consumer-heartbeat-interval-ms", args->consumer_heartbeat_interval_ms,
                  "Heartbeat interval of KIP-848 consumer groups")
      ->capture_default_str()
      ->check(CLI::Range(1, 300000));
  cmd->add_option("--gateways", args->gateways, "Number of gateways (ports P, P+1, ...)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--port", args->port, "Port of the first gateway on 127.0.0.1")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--coordinator-port", args->coordinator_port,
                  "Coordinator RPC port on 127.0.0.1 (metadata feed on the next port; 0: any free ports)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65534));
  cmd->add_option("--replication-factor", args->replication_factor, "Default replication factor of new topics")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--min-insync-replicas", args->min_insync_replicas,
                  "Default min.insync.replicas (acks=all needs this many in-sync replicas)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--bin-dir", args->bin_dir, "Directory of the sluice-* binaries (default: next to this program)");
  cmd->add_flag("--auto-create-topics", args->auto_create_topics, "Gateways create unknown topics on first use");
  cmd->add_option("--log-level", args->log_level, "Log level of every service")->capture_default_str();
  cmd->add_option("--stop-grace-ms", args->stop_grace_ms, "Time between SIGTERM and SIGKILL when stopping")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  cmd->callback([&action, args] { action = [args] { return run_up(*args); }; });
}

}  // namespace sluice::tools
