#include "tools/sluice/partition_layout.h"

#include <cstdlib>

#include "common/cluster/coordinator_client.h"

namespace sluice::tools {

std::string default_coordinator_url() {
  if (const char* env = std::getenv("SLUICE_COORDINATOR"); env && *env) return env;
  return "tcp://127.0.0.1:19090";
}

cli_result<sluice::metadata::v1::ClusterSnapshot> fetch_cluster_snapshot(const std::string& coordinator_url) {
  cluster::coordinator_client client(coordinator_url, std::chrono::milliseconds(5000));
  auto snapshot = client.snapshot_sync();
  if (!snapshot)
    return cli_error("cannot read the cluster state from the coordinator at " + coordinator_url + " (" +
                     snapshot.error().message() + "; set --coordinator or SLUICE_COORDINATOR)");
  return std::move(snapshot).value();
}

}  // namespace sluice::tools
