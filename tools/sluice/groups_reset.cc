// sluice groups reset-offsets GROUP: moves a group's committed offsets, as
// kafka-consumer-groups.sh --reset-offsets does. A dry run (the default)
// only prints the plan; --execute commits it. Only an inactive group's
// offsets are changed: an active member would overwrite them with its next
// commit, and would not notice the change until its next rebalance anyway.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <set>

#include "tools/sluice/group_offsets.h"
#include "tools/sluice/groups.h"
#include "tools/sluice/groups_datetime.h"
#include "tools/sluice/groups_info.h"
#include "tools/sluice/groups_table.h"
#include "tools/sluice/json_writer.h"

namespace sluice::tools {

namespace {

enum class reset_kind { earliest, latest, offset, datetime, shift };

/// Where to move each partition: `value` is the offset, the shift or the
/// timestamp in ms, depending on `kind`.
struct reset_strategy {
  reset_kind kind = reset_kind::earliest;
  std::int64_t value = 0;
};

struct reset_args {
  groups_options common;
  std::string group;
  std::vector<std::string> topics;  // T or T:P,P,...
  bool all_topics = false;
  bool to_earliest = false;
  bool to_latest = false;
  std::int64_t to_offset = 0;
  std::string to_datetime;
  std::int64_t shift_by = 0;
  bool execute = false;
  bool dry_run = false;  // the default; accepted so scripts can say so
  // Which valued options were given (their values have no "unset").
  bool has_to_offset = false;
  bool has_to_datetime = false;
  bool has_shift_by = false;
};

struct plan_row {
  topic_partition tp;
  std::int64_t current = -1;  // -1: nothing committed
  std::int64_t target = 0;
};

cli_result<reset_strategy> choose_strategy(const reset_args& a) {
  const int given = a.to_earliest + a.to_latest + a.has_to_offset + a.has_to_datetime + a.has_shift_by;
  if (given != 1)
    return cli_error("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by");
  if (a.to_earliest) return reset_strategy{reset_kind::earliest, 0};
  if (a.to_latest) return reset_strategy{reset_kind::latest, 0};
  if (a.has_to_offset) return reset_strategy{reset_kind::offset, a.to_offset};
  if (a.has_shift_by) return reset_strategy{reset_kind::shift, a.shift_by};
  auto ms = parse_datetime_ms(a.to_datetime);
  if (!ms) return cli_error("--to-datetime: " + ms.error());
  return reset_strategy{reset_kind::datetime, ms.value()};
}

/// A --topic value: the topic, and its partitions (empty: all of them).
struct topic_spec {
  std::string topic;
  std::vector<std::int32_t> partitions;
};

cli_result<topic_spec> parse_topic_spec(const std::string& text) {
  topic_spec spec;
  const auto colon = text.find(':');
  spec.topic = text.substr(0, colon);
  if (spec.topic.empty()) return cli_error("--topic '" + text + "': no topic name");
  if (colon == std::string::npos) return spec;
  const std::string list = text.substr(colon + 1);
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const auto comma = std::min(list.find(',', pos), list.size());
    std::int32_t p = -1;
    auto [end, ec] = std::from_chars(list.data() + pos, list.data() + comma, p);
    if (ec != std::errc() || end != list.data() + comma || p < 0)
      return cli_error("--topic '" + text + "': partitions must be numbers, as in TOPIC:0,1,2");
    spec.partitions.push_back(p);
    pos = comma + 1;
  }
  return spec;
}

/// The partitions named by --topic, checked against the topics' metadata.
cli_result<std::vector<topic_partition>> named_partitions(rd_kafka_t* rk, const std::vector<std::string>& specs,
                                                          int timeout_ms) {
  std::vector<topic_spec> parsed;
  std::vector<std::string> topics;
  for (const auto& text : specs) {
    auto spec = parse_topic_spec(text);
    if (!spec) return cli_error(spec.error());
    topics.push_back(spec.value().topic);
    parsed.push_back(std::move(spec).value());
  }
  auto existing = topic_partitions(rk, topics, timeout_ms);
  if (!existing) return cli_error(existing.error());
  std::set<topic_partition> out;
  for (const auto& spec : parsed) {
    for (const auto& tp : existing.value())
      if (tp.first == spec.topic && spec.partitions.empty()) out.insert(tp);
    for (auto p : spec.partitions) {
      topic_partition tp{spec.topic, p};
      if (!std::binary_search(existing.value().begin(), existing.value().end(), tp))
        return cli_error("topic '" + spec.topic + "' has no partition " + std::to_string(p));
      out.insert(tp);
    }
  }
  return std::vector<topic_partition>(out.begin(), out.end());
}

/// --all-topics: Kafka's meaning, the topics the group has committed offsets for.
cli_result<std::vector<topic_partition>> committed_topics_partitions(rd_kafka_t* rk, const offset_map& committed,
                                                                     const std::string& group, int timeout_ms) {
  std::vector<std::string> topics;
  for (const auto& [tp, offset] : committed)
    if (topics.empty() || topics.back() != tp.first) topics.push_back(tp.first);
  if (topics.empty()) return cli_error("group '" + group + "' has no committed offsets: name topics with --topic");
  return topic_partitions(rk, topics, timeout_ms);
}

cli_result<void> require_inactive(rd_kafka_t* rk, const std::string& group, int timeout_ms) {
  auto described = describe_group(rk, group, timeout_ms);
  if (!described) return cli_error(described.error());
  // An unknown group is fine: committing creates it, as in Kafka.
  if (described.value() && !group_inactive(described.value()->state)) {
    return cli_error("the offsets of group '" + group + "' can only be reset while it is inactive, but its state is " +
                     described.value()->state + " (stop its consumers first)");
  }
  return success();
}

/// The offset each partition would move to before clamping.
cli_result<offset_map> requested_offsets(rd_kafka_t* rk, const reset_strategy& s,
                                         const std::vector<topic_partition>& tps, const offset_map& committed,
                                         const std::map<topic_partition, log_range>& ranges, int timeout_ms) {
  offset_map out;
  offset_map by_time;
  if (s.kind == reset_kind::datetime) {
    auto found = fetch_offsets_for_time(rk, tps, s.value, timeout_ms);
    if (!found) return cli_error(found.error());
    by_time = std::move(found).value();
  }
  for (const auto& tp : tps) {
    const auto& range = ranges.at(tp);
    switch (s.kind) {
      case reset_kind::earliest: out[tp] = range.start; break;
      case reset_kind::latest: out[tp] = range.end; break;
      case reset_kind::offset: out[tp] = s.value; break;
      case reset_kind::datetime: {
        // No record that recent: the end, where the next one will be (Kafka's rule).
        auto it = by_time.find(tp);
        out[tp] = it != by_time.end() && it->second >= 0 ? it->second : range.end;
        break;
      }
      case reset_kind::shift: {
        auto it = committed.find(tp);
        if (it == committed.end())
          return cli_error("cannot shift " + tp.first + "-" + std::to_string(tp.second) +
                           ": the group has no committed offset there");
        out[tp] = it->second + s.value;
        break;
      }
    }
  }
  return out;
}

/// Kafka's tool keeps new offsets inside the log, saying so when it moves one.
std::int64_t clamp_to_log(const topic_partition& tp, std::int64_t offset, const log_range& range) {
  const auto warn = [&](const char* where, std::int64_t to) {
    std::fprintf(stderr, "warning: new offset %lld of %s-%d is %s; using %lld\n", static_cast<long long>(offset),
                 tp.first.c_str(), tp.second, where, static_cast<long long>(to));
    return to;
  };
  if (offset < range.start) return warn("before the log start", range.start);
  if (offset > range.end) return warn("past the log end", range.end);
  return offset;
}

cli_result<std::vector<plan_row>> make_plan(rd_kafka_t* rk, const reset_strategy& s,
                                            const std::vector<topic_partition>& tps, const offset_map& committed,
                                            int timeout_ms) {
  auto ranges = fetch_log_ranges(rk, tps, timeout_ms);
  for (const auto& [tp, r] : ranges)
    if (!r.error.empty())
      return cli_error("log offsets of " + tp.first + "-" + std::to_string(tp.second) + ": " + r.error);
  auto requested = requested_offsets(rk, s, tps, committed, ranges, timeout_ms);
  if (!requested) return cli_error(requested.error());
  std::vector<plan_row> plan;
  for (const auto& tp : tps) {
    auto it = committed.find(tp);
    plan.push_back({tp, it == committed.end() ? -1 : it->second, clamp_to_log(tp, requested.value()[tp], ranges[tp])});
  }
  return plan;
}

void print_plan(const std::string& group, const std::vector<plan_row>& plan, bool executed, bool json) {
  if (json) {
    json_writer w;
    w.begin_object().key("group").value(group).key("executed").value(executed).key("partitions").begin_array();
    for (const auto& r : plan) {
      w.begin_object().key("topic").value(r.tp.first).key("partition").value(r.tp.second);
      w.key("committed").value(r.current).key("new_offset").value(r.target).end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  text_table t({"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"});
  for (const auto& r : plan)
    t.add({group, r.tp.first, std::to_string(r.tp.second), r.current < 0 ? "-" : std::to_string(r.current),
           std::to_string(r.target)});
  std::fputs(t.str().c_str(), stdout);
}

int run_reset(const reset_args& a) {
  auto strategy = choose_strategy(a);
  if (!strategy) return fail(strategy.error());
  if (a.all_topics == !a.topics.empty()) return fail("give either --topic (repeatable) or --all-topics");
  auto rk = groups_client(a.common.client);
  if (!rk) return fail(rk.error());
  rd_kafka_t* h = rk.value().get();
  const int timeout = a.common.client.timeout_ms;

  if (auto ok = require_inactive(h, a.group, timeout); !ok) return fail(ok.error());
  auto committed = fetch_committed_offsets(h, a.group, timeout);
  if (!committed) return fail(committed.error());
  auto tps = a.all_topics ? committed_topics_partitions(h, committed.value(), a.group, timeout)
                          : named_partitions(h, a.topics, timeout);
  if (!tps) return fail(tps.error());
  auto plan = make_plan(h, strategy.value(), tps.value(), committed.value(), timeout);
  if (!plan) return fail(plan.error());

  if (a.execute) {
    offset_map offsets;
    for (const auto& r : plan.value()) offsets[r.tp] = r.target;
    if (auto ok = alter_committed_offsets(h, a.group, offsets, timeout); !ok) return fail(ok.error());
  }
  print_plan(a.group, plan.value(), a.execute, a.common.json);
  if (!a.execute) std::fprintf(stderr, "Dry run: nothing was changed; add --execute to commit these offsets.\n");
  return 0;
}

}  // namespace

void add_groups_reset_command(CLI::App& groups, command_action& action) {
  auto args = std::make_shared<reset_args>();
  auto* cmd = groups.add_subcommand("reset-offsets",
                                    "Move an inactive group's committed offsets (dry run unless --execute)");
  add_client_options(*cmd, args->common.client);
  add_json_flag(*cmd, args->common.json);
  cmd->add_option("group", args->group, "Group id")->required();
  cmd->add_option("--topic", args->topics, "TOPIC or TOPIC:P,P,... (repeatable)");
  cmd->add_flag("--all-topics", args->all_topics, "Every topic the group has committed offsets for");
  cmd->add_flag("--to-earliest", args->to_earliest, "To the log start");
  cmd->add_flag("--to-latest", args->to_latest, "To the log end");
  auto* offset = cmd->add_option("--to-offset", args->to_offset, "To this offset (kept within the log)");
  auto* datetime = cmd->add_option("--to-datetime", args->to_datetime,
                                   "To the first record at or after YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM] "
                                   "(no zone: local time)");
  auto* shift = cmd->add_option("--shift-by", args->shift_by, "Move the committed offset by N (may be negative)");
  auto* dry = cmd->add_flag("--dry-run", args->dry_run, "Only print the plan (the default)");
  cmd->add_flag("--execute", args->execute, "Commit the new offsets")->excludes(dry);
  cmd->callback([&action, args, offset, datetime, shift] {
    args->has_to_offset = offset->count() > 0;
    args->has_to_datetime = datetime->count() > 0;
    args->has_shift_by = shift->count() > 0;
    action = [args] { return run_reset(*args); };
  });
}

}  // namespace sluice::tools
