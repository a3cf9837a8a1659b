#pragma once
// The gateway's RPC clients to the partition servers and to the group coordinators.
#include "common/cluster/service_clients.h"

namespace sluice::gateway {

class partition_servers : public cluster::service_clients {
 public:
  partition_servers() : service_clients(cluster::mv1::PARTITION_SERVER) {}
};

class group_coordinators : public cluster::service_clients {
 public:
  group_coordinators() : service_clients(cluster::mv1::GROUP_COORDINATOR) {}
};

}  // namespace sluice::gateway
