// sluice-group-coordinator: registers with the coordinator and keeps its
// lease. Consumer groups arrive in a later issue; until then its RPC socket
// answers every method with unknown_method.
#include <exception>
#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>

#include "common/base/shutdown_signals.h"
#include "common/cluster/cluster_client.h"
#include "common/logging/logger.h"
#include "common/messaging/rpc_server.h"

namespace {

/// DIR/identity holds the node id the coordinator gave us, so a restart keeps it.
int read_identity(const std::filesystem::path& dir) {
  std::ifstream in(dir / "identity");
  int id = -1;
  if (in >> id && id >= 0) return id;
  return -1;
}

void write_identity(const std::filesystem::path& dir, int id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto tmp = dir / "identity.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << "\n";
  }
  std::filesystem::rename(tmp, dir / "identity", ec);
}

}  // namespace

int main(int argc, char** argv) {
  std::string coordinator = "tcp://127.0.0.1:19090";
  std::string listen = "tcp://127.0.0.1:0";
  std::string data_dir;
  std::string level = "info";
  int node_id = -1;
  CLI::App app{"Sluice group coordinator (consumer groups come in a later issue)"};
  app.add_option("--coordinator", coordinator, "NNG url of the coordinator")->capture_default_str();
  app.add_option("--listen", listen, "NNG url for RPCs from gateways (port 0 picks one)")->capture_default_str();
  app.add_option("--data-dir", data_dir, "Directory for this instance's identity (node id)");
  app.add_option("--node-id", node_id, "Force this node id (default: kept in DATA_DIR/identity, else assigned)");
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  sluice::shutdown_signals signals;  // before any thread starts

  sluice::logging::init("group-coordinator", level);
  auto log = sluice::logging::get("group");
  try {
    if (node_id < 0 && !data_dir.empty()) node_id = read_identity(data_dir);
    sluice::messaging::rpc_server server(listen, [](sluice::messaging::message, sluice::messaging::responder r) {
      r.fail(sluice::messaging::rpc_status::unknown_method);
    });
    sluice::cluster::client_options opt;
    opt.coordinator_url = coordinator;
    opt.kind = sluice::metadata::v1::GROUP_COORDINATOR;
    opt.requested_node_id = node_id;
    opt.rpc_url = server.url();
    sluice::cluster::cluster_client cluster(opt);
    cluster.start();
    log->info("listening on {}; registering with {}", server.url(), coordinator);
    int sig = signals.wait_until([&cluster] { return cluster.wait_ready(std::chrono::milliseconds(0)); });
    if (sig == 0) {
      if (!data_dir.empty()) write_identity(data_dir, cluster.node_id());
      sluice::logging::lifecycle()->info("group coordinator ready: node {} rpc {}", cluster.node_id(), server.url());
      sig = signals.wait();
    }
    log->info("signal {}: shutting down", sig);
    server.stop();
    cluster.stop();
  } catch (const std::exception& e) {
    log->critical("group coordinator failed: {}", e.what());
    return 1;
  }
  log->info("group coordinator stopped");
  return 0;
}
