// sluice groups list|describe|reset-offsets|delete: consumer group
// administration, after Kafka's kafka-consumer-groups.sh. This file wires the
// subcommands and holds the small ones (list, delete); describe and
// reset-offsets have files of their own.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "tools/sluice/groups.h"
#include "tools/sluice/groups_info.h"
#include "tools/sluice/groups_table.h"
#include "tools/sluice/json_writer.h"

namespace sluice::tools {

namespace {

struct list_args {
  groups_options common;
};

struct delete_args {
  client_options client;
  std::vector<std::string> groups;
};

/// An offsets-only group has no protocol type; "-" keeps the column visible.
std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

int run_list(const list_args& a) {
  auto rk = groups_client(a.common.client);
  if (!rk) return fail(rk.error());
  auto groups = list_groups(rk.value().get(), a.common.client.timeout_ms);
  if (!groups) return fail(groups.error());
  if (a.common.json) {
    json_writer w;
    w.begin_array();
    for (const auto& g : groups.value()) {
      w.begin_object().key("group").value(g.group).key("state").value(g.state);
      w.key("protocol_type").value(g.protocol_type).end_object();
    }
    w.end_array();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  text_table table({"GROUP", "STATE", "PROTOCOL-TYPE"});
  for (const auto& g : groups.value()) table.add({g.group, g.state, or_dash(g.protocol_type)});
  std::fputs(table.str().c_str(), stdout);
  return 0;
}

/// The two refusals an operator meets most, in plain words before the
/// Kafka error name.
std::string delete_failure_text(const rd_kafka_error_t* e) {
  const auto code = rd_kafka_error_code(e);
  if (code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP)
    return "group has members (stop its consumers first): " + kafka_error_text(code);
  if (code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) return "no such group: " + kafka_error_text(code);
  return kafka_error_text(code, rd_kafka_error_string(e));
}

/// One line per group: success on stdout, failure on stderr. Returns the
/// number of failures.
int print_delete_results(const rd_kafka_group_result_t** results, size_t n) {
  int failures = 0;
  for (size_t i = 0; i < n; ++i) {
    const char* name = rd_kafka_group_result_name(results[i]);
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(results[i])) {
      ++failures;
      std::fprintf(stderr, "error: group '%s' was not deleted: %s\n", name, delete_failure_text(e).c_str());
    } else {
      std::printf("Deleted group '%s'.\n", name);
    }
  }
  return failures;
}

int run_delete(const delete_args& a) {
  auto rk = groups_client(a.client);
  if (!rk) return fail(rk.error());
  std::vector<rd_kafka_DeleteGroup_t*> groups;
  for (const auto& g : a.groups) groups.push_back(rd_kafka_DeleteGroup_new(g.c_str()));
  auto opts = make_admin_options(rk.value().get(), RD_KAFKA_ADMIN_OP_DELETEGROUPS, a.client.timeout_ms);
  if (!opts) {
    rd_kafka_DeleteGroup_destroy_array(groups.data(), groups.size());
    return fail(opts.error());
  }
  queue_ptr q(rd_kafka_queue_new(rk.value().get()));
  rd_kafka_DeleteGroups(rk.value().get(), groups.data(), groups.size(), opts.value().get(), q.get());
  rd_kafka_DeleteGroup_destroy_array(groups.data(), groups.size());
  auto ev = wait_admin_result(q.get(), a.client.timeout_ms);
  if (!ev) return fail("DeleteGroups: " + ev.error());
  size_t n = 0;
  const auto** results = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.value().get()), &n);
  return print_delete_results(results, n) == 0 ? 0 : 1;
}

}  // namespace

cli_result<kafka_handle> groups_client(const client_options& options) {
  return make_client(RD_KAFKA_CONSUMER, options,
                     {{"isolation.level", "read_uncommitted"}, {"enable.auto.commit", "false"}});
}

void add_json_flag(CLI::App& cmd, bool& json) { cmd.add_flag("--json", json, "Print JSON"); }

void add_groups_command(CLI::App& app, command_action& action) {
  auto* groups = app.add_subcommand("groups", "List, describe, reset the offsets of and delete consumer groups");
  groups->require_subcommand(1);

  auto list = std::make_shared<list_args>();
  auto* ls = groups->add_subcommand("list", "Every group with its state and protocol type (ListGroups)");
  add_client_options(*ls, list->common.client);
  add_json_flag(*ls, list->common.json);
  ls->callback([&action, list] { action = [list] { return run_list(*list); }; });

  add_groups_describe_command(*groups, action);
  add_groups_reset_command(*groups, action);

  auto del = std::make_shared<delete_args>();
  auto* rm = groups->add_subcommand("delete", "Delete groups without members, with their offsets (DeleteGroups)");
  add_client_options(*rm, del->client);
  rm->add_option("group", del->groups, "Group ids")->required();
  rm->callback([&action, del] { action = [del] { return run_delete(*del); }; });
}

}  // namespace sluice::tools
