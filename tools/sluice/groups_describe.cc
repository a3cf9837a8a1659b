// sluice groups describe GROUP: state, members and their assignments, and
// per partition the committed offset, the log end offset and the lag.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "common/cluster/group_shards.h"
#include "common/cluster/metadata_view.h"
#include "tools/sluice/group_offsets.h"
#include "tools/sluice/groups.h"
#include "tools/sluice/groups_info.h"
#include "tools/sluice/groups_table.h"
#include "tools/sluice/json_writer.h"

namespace sluice::tools {

namespace {

struct describe_args {
  groups_options common;
  std::string coordinator = default_coordinator_url();
  std::string group;
};

struct partition_row {
  topic_partition tp;
  std::int64_t committed = -1;  // -1: nothing committed
  log_range log;
  std::optional<std::string> member;  // who is assigned the partition

  /// Kafka's lag: log end minus committed, unknown without either.
  std::optional<std::int64_t> lag() const {
    if (committed < 0 || !log.error.empty()) return std::nullopt;
    return log.end - committed;
  }
};

/// The group-coordinator instance serving `group`. Kafka's FindCoordinator
/// names a gateway, which only forwards; the instance holding the group is
/// derived from the metadata exactly as the services derive it.
cli_result<std::int32_t> coordinator_of(const std::string& coordinator_url, const std::string& group) {
  auto snapshot = fetch_cluster_snapshot(coordinator_url);
  if (!snapshot) return cli_error(snapshot.error());
  cluster::metadata_view view(std::move(snapshot).value());
  return cluster::offsets_partition_owner(view, cluster::offsets_partition_for(group));
}

/// Partitions with a committed offset and partitions assigned to a member,
/// sorted: an assigned partition that was never committed still has lag
/// worth seeing, and a committed one nobody consumes is what lags most.
std::vector<partition_row> partition_rows(const group_info& g, const offset_map& committed) {
  std::map<topic_partition, partition_row> rows;
  for (const auto& [tp, offset] : committed) {
    rows[tp].tp = tp;
    rows[tp].committed = offset;
  }
  for (const auto& m : g.members) {
    for (const auto& a : m.assignment) {
      for (auto p : a.partitions) {
        auto& row = rows[{a.topic, p}];
        row.tp = {a.topic, p};
        row.member = m.member_id;
      }
    }
  }
  std::vector<partition_row> out;
  for (auto& [tp, row] : rows) out.push_back(std::move(row));
  return out;
}

void fill_log_ranges(rd_kafka_t* rk, std::vector<partition_row>& rows, int timeout_ms) {
  std::vector<topic_partition> tps;
  for (const auto& r : rows) tps.push_back(r.tp);
  auto ranges = fetch_log_ranges(rk, tps, timeout_ms);
  for (auto& r : rows) r.log = ranges[r.tp];
}

std::int64_t total_lag(const std::vector<partition_row>& rows) {
  std::int64_t total = 0;
  for (const auto& r : rows) total += r.lag().value_or(0);
  return total;
}

template <class T>
void value_or_null(json_writer& w, const std::optional<T>& v) {
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

void write_member_json(json_writer& w, const group_member& m) {
  w.begin_object().key("member_id").value(m.member_id).key("client_id").value(m.client_id);
  w.key("host").value(m.host).key("assignment").begin_array();
  for (const auto& a : m.assignment) {
    w.begin_object().key("topic").value(a.topic).key("partitions").begin_array();
    for (auto p : a.partitions) w.value(p);
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

void write_partition_json(json_writer& w, const partition_row& r) {
  w.begin_object().key("topic").value(r.tp.first).key("partition").value(r.tp.second);
  w.key("committed").value(r.committed).key("log_end");
  value_or_null(w, r.log.error.empty() ? std::optional<std::int64_t>(r.log.end) : std::nullopt);
  w.key("lag");
  value_or_null(w, r.lag());
  w.key("member");
  value_or_null(w, r.member);
  w.end_object();
}

void print_json(const group_info& g, std::optional<std::int32_t> coordinator, const std::vector<partition_row>& rows) {
  json_writer w;
  w.begin_object().key("group").value(g.group).key("state").value(g.state);
  w.key("protocol_type").value(g.protocol_type).key("protocol").value(g.protocol);
  w.key("coordinator");
  value_or_null(w, coordinator);
  w.key("members").begin_array();
  for (const auto& m : g.members) write_member_json(w, m);
  w.end_array().key("partitions").begin_array();
  for (const auto& r : rows) write_partition_json(w, r);
  w.end_array().key("total_lag").value(total_lag(rows)).end_object();
  std::printf("%s\n", w.str().c_str());
}

/// "orders(0,1),payments(2)", as in kafka-consumer-groups.sh --members --verbose.
std::string assignment_text(const std::vector<topic_assignment>& assignment) {
  std::string out;
  for (const auto& a : assignment) {
    if (!out.empty()) out += ",";
    out += a.topic + "(";
    for (std::size_t i = 0; i < a.partitions.size(); ++i) out += (i ? "," : "") + std::to_string(a.partitions[i]);
    out += ")";
  }
  return out.empty() ? "-" : out;
}

std::size_t partition_count(const std::vector<topic_assignment>& assignment) {
  std::size_t n = 0;
  for (const auto& a : assignment) n += a.partitions.size();
  return n;
}

std::string dash_or(std::optional<std::int64_t> v) { return v ? std::to_string(*v) : "-"; }

void print_members(const group_info& g) {
  if (g.members.empty()) {
    std::printf("Group '%s' has no active members.\n", g.group.c_str());
    return;
  }
  text_table t({"MEMBER-ID", "CLIENT-ID", "HOST", "#PARTITIONS", "ASSIGNMENT"});
  for (const auto& m : g.members)
    t.add({m.member_id, m.client_id, m.host, std::to_string(partition_count(m.assignment)),
           assignment_text(m.assignment)});
  std::fputs(t.str().c_str(), stdout);
}

void print_partitions(const group_info& g, const std::vector<partition_row>& rows) {
  if (rows.empty()) {
    std::printf("Group '%s' has no committed offsets and no assigned partitions.\n", g.group.c_str());
    return;
  }
  text_table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID"});
  for (const auto& r : rows) {
    t.add({r.tp.first, std::to_string(r.tp.second), r.committed < 0 ? "-" : std::to_string(r.committed),
           r.log.error.empty() ? std::to_string(r.log.end) : "-", dash_or(r.lag()), r.member.value_or("-")});
  }
  std::fputs(t.str().c_str(), stdout);
  std::printf("Total lag: %lld\n", static_cast<long long>(total_lag(rows)));
}

void print_text(const group_info& g, std::optional<std::int32_t> coordinator, const std::vector<partition_row>& rows) {
  const auto dash_if_empty = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  const std::string node = coordinator ? std::to_string(*coordinator) : "unknown";
  std::printf("Group: %s\tState: %s\tProtocolType: %s\tProtocol: %s\tCoordinator: %s\tMembers: %zu\n\n",
              g.group.c_str(), g.state.c_str(), dash_if_empty(g.protocol_type).c_str(),
              dash_if_empty(g.protocol).c_str(), node.c_str(), g.members.size());
  print_members(g);
  std::printf("\n");
  print_partitions(g, rows);
}

/// Log ranges that could not be read, on stderr: the tables show them as "-".
void warn_unreadable(const std::vector<partition_row>& rows) {
  for (const auto& r : rows)
    if (!r.log.error.empty())
      std::fprintf(stderr, "warning: log end offset of %s-%d: %s\n", r.tp.first.c_str(), r.tp.second,
                   r.log.error.c_str());
}

int run_describe(const describe_args& a) {
  auto rk = groups_client(a.common.client);
  if (!rk) return fail(rk.error());
  const int timeout = a.common.client.timeout_ms;
  auto described = describe_group(rk.value().get(), a.group, timeout);
  if (!described) return fail(described.error());
  if (!described.value()) return fail("consumer group '" + a.group + "' does not exist");
  const group_info& g = *described.value();
  auto committed = fetch_committed_offsets(rk.value().get(), a.group, timeout);
  if (!committed) return fail(committed.error());
  auto rows = partition_rows(g, committed.value());
  fill_log_ranges(rk.value().get(), rows, timeout);
  warn_unreadable(rows);

  // Without the coordinator the Kafka side is still worth showing.
  std::optional<std::int32_t> coordinator;
  if (auto c = coordinator_of(a.coordinator, a.group); !c) {
    std::fprintf(stderr, "warning: group coordinator unknown: %s\n", c.error().c_str());
  } else if (c.value() >= 0) {
    coordinator = c.value();
  }
  if (a.common.json) {
    print_json(g, coordinator, rows);
  } else {
    print_text(g, coordinator, rows);
  }
  return 0;
}

}  // namespace

void add_groups_describe_command(CLI::App& groups, command_action& action) {
  auto args = std::make_shared<describe_args>();
  auto* cmd = groups.add_subcommand("describe", "State, members and assignments, committed offsets and lag of a group");
  add_client_options(*cmd, args->common.client);
  add_json_flag(*cmd, args->common.json);
  cmd->add_option("group", args->group, "Group id")->required();
  cmd->add_option("--coordinator", args->coordinator,
                  "NNG url of the coordinator (which group-coordinator instance serves the group; env "
                  "SLUICE_COORDINATOR)")
      ->capture_default_str();
  cmd->callback([&action, args] { action = [args] { return run_describe(*args); }; });
}

}  // namespace sluice::tools
