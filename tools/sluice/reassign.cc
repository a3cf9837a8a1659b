// sluice reassign generate|execute|verify|cancel: move partition replicas
// between partition servers (Kafka's kafka-reassign-partitions), and
// sluice elect-leaders (kafka-leader-election).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <google/protobuf/util/json_util.h>

#include "common/cluster/coordinator_client.h"
#include "reassignment_plan.pb.h"
#include "tools/sluice/cli_args.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/partition_layout.h"

namespace sluice::tools {
namespace {

namespace cv1 = sluice::coordinator::v1;
namespace mv1 = sluice::metadata::v1;
namespace tv1 = sluice::tools::v1;

struct reassign_args {
  std::string coordinator = default_coordinator_url();
  std::vector<std::string> topics;
  std::vector<int> servers;
  int replication_factor = -1;  // -1: keep each partition's
  std::string file;
};

std::string to_json(const tv1::ReassignmentPlan& plan) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(plan, &out, o);
  return out;
}

cli_result<tv1::ReassignmentPlan> read_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) return cli_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  tv1::ReassignmentPlan plan;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  if (auto st = google::protobuf::util::JsonStringToMessage(text.str(), &plan, o); !st.ok())
    return cli_error(path + " is not a reassignment plan: " + std::string(st.message()));
  for (const auto& p : plan.partitions()) {
    for (const auto& d : p.log_dirs())
      if (d != "any") return cli_error(path + ": log_dirs other than \"any\" are not supported");
  }
  return plan;
}

tv1::ReassignmentPlan current_plan(const mv1::ClusterSnapshot& s, const std::vector<std::string>& topics) {
  tv1::ReassignmentPlan plan;
  plan.set_version(1);
  for (const auto& t : s.topics()) {
    if (std::find(topics.begin(), topics.end(), t.name()) == topics.end()) continue;
    for (const auto& p : t.partitions()) {
      auto* e = plan.add_partitions();
      e->set_topic(t.name());
      e->set_partition(p.partition());
      // A running reassignment shows its target, as Kafka does.
      for (auto r : p.replicas())
        if (std::find(p.removing_replicas().begin(), p.removing_replicas().end(), r) == p.removing_replicas().end())
          e->add_replicas(r);
    }
  }
  return plan;
}

int run_generate(const reassign_args& a) {
  if (a.topics.empty() || a.servers.empty()) return fail("generate needs --topics and --servers");
  auto snapshot = fetch_cluster_snapshot(a.coordinator);
  if (!snapshot) return fail(snapshot.error());
  for (const auto& name : a.topics) {
    bool found = false;
    for (const auto& t : snapshot.value().topics()) found = found || t.name() == name;
    if (!found) return fail("unknown topic '" + name + "'");
  }
  auto current = current_plan(snapshot.value(), a.topics);
  tv1::ReassignmentPlan proposed;
  proposed.set_version(1);
  // Round-robin over the servers, the start moving with each partition so
  // leaders (the first replica) spread evenly.
  std::size_t start = 0;
  for (const auto& e : current.partitions()) {
    const int rf = a.replication_factor > 0 ? a.replication_factor : e.replicas_size();
    if (rf > static_cast<int>(a.servers.size()))
      return fail("replication factor " + std::to_string(rf) + " needs at least that many --servers");
    auto* p = proposed.add_partitions();
    p->set_topic(e.topic());
    p->set_partition(e.partition());
    for (int i = 0; i < rf; ++i) p->add_replicas(a.servers[(start + static_cast<std::size_t>(i)) % a.servers.size()]);
    ++start;
  }
  std::printf("Current partition replica assignment\n%s\n\nProposed partition reassignment configuration\n%s\n",
              to_json(current).c_str(), to_json(proposed).c_str());
  return 0;
}

int submit(const reassign_args& a, bool cancel) {
  auto plan = read_plan(a.file);
  if (!plan) return fail(plan.error());
  cv1::AlterPartitionReassignmentsRequest req;
  for (const auto& e : plan.value().partitions()) {
    auto* r = req.add_reassignments();
    r->set_topic(e.topic());
    r->set_partition(e.partition());
    if (!cancel) *r->mutable_replicas() = e.replicas();
  }
  cluster::coordinator_client client(a.coordinator);
  auto resp = client.alter_partition_reassignments_sync(req);
  if (!resp) return fail("coordinator at " + a.coordinator + ": " + resp.error().message());
  int failures = 0;
  for (const auto& r : resp.value().results()) {
    if (r.error() == cv1::COORDINATOR_OK) {
      std::printf("%s %s-%d\n", cancel ? "Cancelled reassignment of" : "Started reassignment of", r.topic().c_str(),
                  r.partition());
    } else {
      ++failures;
      std::fprintf(stderr, "%s-%d: %s: %s\n", r.topic().c_str(), r.partition(),
                   cv1::CoordinatorError_Name(r.error()).c_str(), r.error_message().c_str());
    }
  }
  return failures == 0 ? 0 : 1;
}

int run_verify(const reassign_args& a) {
  auto plan = read_plan(a.file);
  if (!plan) return fail(plan.error());
  auto snapshot = fetch_cluster_snapshot(a.coordinator);
  if (!snapshot) return fail(snapshot.error());
  std::map<std::pair<std::string, int>, const mv1::PartitionInfo*> placed;
  for (const auto& t : snapshot.value().topics())
    for (const auto& p : t.partitions()) placed[{t.name(), p.partition()}] = &p;
  int unfinished = 0;
  for (const auto& e : plan.value().partitions()) {
    auto it = placed.find({e.topic(), e.partition()});
    std::string state;
    if (it == placed.end()) {
      state = "unknown partition";
      ++unfinished;
    } else if (it->second->adding_replicas_size() > 0 || it->second->removing_replicas_size() > 0) {
      state = "still in progress";
      ++unfinished;
    } else if (std::equal(e.replicas().begin(), e.replicas().end(), it->second->replicas().begin(),
                          it->second->replicas().end())) {
      state = "complete";
    } else {
      state = "not started (replicas differ from the plan)";
      ++unfinished;
    }
    std::printf("Reassignment of partition %s-%d is %s.\n", e.topic().c_str(), e.partition(), state.c_str());
  }
  return unfinished == 0 ? 0 : 2;
}

struct elect_args {
  std::string coordinator = default_coordinator_url();
  std::string type = "preferred";
  std::string topic;
  int partition = -1;
  bool all = false;
};

int run_elect(const elect_args& a) {
  cv1::ElectLeadersRequest req;
  if (a.type == "preferred") {
    req.set_type(cv1::PREFERRED);
  } else if (a.type == "unclean") {
    req.set_type(cv1::UNCLEAN);
  } else {
    return fail("--type must be preferred or unclean");
  }
  if (a.all == !a.topic.empty()) return fail("give either --topic or --all-topic-partitions");
  if (!a.topic.empty()) {
    auto snapshot = fetch_cluster_snapshot(a.coordinator);
    if (!snapshot) return fail(snapshot.error());
    auto* tp = req.add_partitions();
    tp->set_topic(a.topic);
    bool found = false;
    for (const auto& t : snapshot.value().topics()) {
      if (t.name() != a.topic) continue;
      found = true;
      for (const auto& p : t.partitions())
        if (a.partition < 0 || p.partition() == a.partition) tp->add_partitions(p.partition());
    }
    if (!found) return fail("unknown topic '" + a.topic + "'");
    if (tp->partitions_size() == 0) return fail("topic '" + a.topic + "' has no partition " + std::to_string(a.partition));
  }
  cluster::coordinator_client client(a.coordinator);
  auto resp = client.elect_leaders_sync(req);
  if (!resp) return fail("coordinator at " + a.coordinator + ": " + resp.error().message());
  int failures = 0;
  for (const auto& r : resp.value().results()) {
    if (r.error() == cv1::COORDINATOR_OK) {
      std::printf("Successfully completed leader election (%s) for partition %s-%d\n", a.type.c_str(),
                  r.topic().c_str(), r.partition());
    } else if (r.error() == cv1::ELECTION_NOT_NEEDED) {
      if (!a.all) std::printf("Valid replica already elected for partition %s-%d\n", r.topic().c_str(), r.partition());
    } else {
      ++failures;
      std::fprintf(stderr, "Error completing leader election (%s) for partition %s-%d: %s: %s\n", a.type.c_str(),
                   r.topic().c_str(), r.partition(), cv1::CoordinatorError_Name(r.error()).c_str(),
                   r.error_message().c_str());
    }
  }
  return failures == 0 ? 0 : 1;
}

void add_coordinator_option(CLI::App& cmd, std::string& url) {
  cmd.add_option("--coordinator", url, "NNG url of the coordinator (env SLUICE_COORDINATOR)")->capture_default_str();
}

}  // namespace

void add_reassign_command(CLI::App& app, command_action& action) {
  auto args = std::make_shared<reassign_args>();
  auto* cmd = app.add_subcommand("reassign", "Move partition replicas between partition servers");
  cmd->require_subcommand(1);
  auto* gen = cmd->add_subcommand("generate", "Print the current placement and a round-robin proposal");
  add_coordinator_option(*gen, args->coordinator);
  gen->add_option("--topics", args->topics, "Topics to move")->delimiter(',')->required();
  gen->add_option("--servers", args->servers, "Partition-server node ids to spread them over")->delimiter(',')->required();
  gen->add_option("--replication-factor", args->replication_factor, "New replication factor (default: keep)");
  gen->callback([&action, args] { action = [args] { return run_generate(*args); }; });
  auto* exe = cmd->add_subcommand("execute", "Start the reassignments of a plan file");
  add_coordinator_option(*exe, args->coordinator);
  exe->add_option("--file", args->file, "Plan (Kafka's reassignment JSON)")->required();
  exe->callback([&action, args] { action = [args] { return submit(*args, false); }; });
  auto* ver = cmd->add_subcommand("verify", "Whether a plan's reassignments are done (exit 2 while not)");
  add_coordinator_option(*ver, args->coordinator);
  ver->add_option("--file", args->file, "Plan (Kafka's reassignment JSON)")->required();
  ver->callback([&action, args] { action = [args] { return run_verify(*args); }; });
  auto* can = cmd->add_subcommand("cancel", "Cancel a plan's running reassignments (back to the old replicas)");
  add_coordinator_option(*can, args->coordinator);
  can->add_option("--file", args->file, "Plan (Kafka's reassignment JSON)")->required();
  can->callback([&action, args] { action = [args] { return submit(*args, true); }; });
}

void add_elect_leaders_command(CLI::App& app, command_action& action) {
  auto args = std::make_shared<elect_args>();
  auto* cmd = app.add_subcommand("elect-leaders", "Run preferred or unclean leader elections");
  add_coordinator_option(*cmd, args->coordinator);
  cmd->add_option("--type", args->type, "preferred or unclean")->capture_default_str();
  cmd->add_option("--topic", args->topic, "One topic");
  cmd->add_option("--partition", args->partition, "One partition of --topic (default: all)");
  cmd->add_flag("--all-topic-partitions", args->all, "Every partition of every topic");
  cmd->callback([&action, args] { action = [args] { return run_elect(*args); }; });
}

}  // namespace sluice::tools
