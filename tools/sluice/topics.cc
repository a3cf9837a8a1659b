// sluice topics create|list|describe|delete|alter: topic administration
// through librdkafka's Admin API (CreateTopics, DeleteTopics,
// CreatePartitions, DescribeConfigs, AlterConfigs) and Metadata.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "tools/sluice/cli_args.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/json_writer.h"
#include "tools/sluice/kafka_client.h"
#include "tools/sluice/partition_layout.h"

namespace sluice::tools {

namespace {

struct config_resource_deleter {
  void operator()(rd_kafka_ConfigResource_t* r) const { rd_kafka_ConfigResource_destroy(r); }
};
using config_resource_ptr = std::unique_ptr<rd_kafka_ConfigResource_t, config_resource_deleter>;

struct topic_args {
  client_options client;
  std::vector<std::string> names;
  int partitions = -1;
  int replication_factor = -1;
  std::vector<std::string> configs;
  std::vector<std::string> delete_configs;
  bool json = false;
  std::string coordinator = default_coordinator_url();
  bool under_replicated = false;
};

struct config_value {
  std::optional<std::string> value;  // absent for sensitive configs
  std::string source;
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
  bool is_override = false;  // set on the topic itself (what AlterConfigs must resend)
};
using topic_configs = std::map<std::string, config_value>;

cli_result<kafka_handle> admin_client(const client_options& client) {
  return make_client(RD_KAFKA_PRODUCER, client, {});
}

// Every per-topic result of CreateTopics/DeleteTopics/CreatePartitions.
cli_result<void> check_topic_results(const rd_kafka_topic_result_t** results, size_t n) {
  std::string errors;
  for (size_t i = 0; i < n; ++i) {
    if (auto err = rd_kafka_topic_result_error(results[i])) {
      if (!errors.empty()) errors += "; ";
      errors += std::string("topic '") + rd_kafka_topic_result_name(results[i]) +
                "': " + kafka_error_text(err, rd_kafka_topic_result_error_string(results[i]));
    }
  }
  if (!errors.empty()) return cli_error(errors);
  return success();
}

// DescribeConfigs for `topics`, in one request.
cli_result<std::map<std::string, topic_configs>> describe_configs(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                                                  int timeout_ms) {
  std::map<std::string, topic_configs> out;
  if (topics.empty()) return out;
  std::vector<config_resource_ptr> owned;
  std::vector<rd_kafka_ConfigResource_t*> resources;
  for (const auto& t : topics) {
    owned.emplace_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()));
    resources.push_back(owned.back().get());
  }
  auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
  if (!opts) return cli_error(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk));
  rd_kafka_DescribeConfigs(rk, resources.data(), resources.size(), opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), timeout_ms);
  if (!ev) return cli_error("DescribeConfigs: " + ev.error());
  const auto* result = rd_kafka_event_DescribeConfigs_result(ev.value().get());
  if (!result) return cli_error("DescribeConfigs: unexpected result event");
  size_t n = 0;
  const auto** res = rd_kafka_DescribeConfigs_result_resources(result, &n);
  for (size_t i = 0; i < n; ++i) {
    std::string name = rd_kafka_ConfigResource_name(res[i]);
    if (auto err = rd_kafka_ConfigResource_error(res[i])) {
      return cli_error("DescribeConfigs of topic '" + name + "': " +
                       kafka_error_text(err, rd_kafka_ConfigResource_error_string(res[i])));
    }
    auto& configs = out[name];
    size_t m = 0;
    const auto** entries = rd_kafka_ConfigResource_configs(res[i], &m);
    for (size_t j = 0; j < m; ++j) {
      const auto* e = entries[j];
      config_value v;
      if (const char* value = rd_kafka_ConfigEntry_value(e)) v.value = value;
      auto source = rd_kafka_ConfigEntry_source(e);
      v.source = rd_kafka_ConfigSource_name(source);
      v.is_default = rd_kafka_ConfigEntry_is_default(e);
      v.read_only = rd_kafka_ConfigEntry_is_read_only(e);
      v.sensitive = rd_kafka_ConfigEntry_is_sensitive(e);
      // DescribeConfigs v0 has no sources; then "not default" is the best guess.
      v.is_override = source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG ||
                      (source == RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG && !v.is_default && !v.read_only);
      configs[rd_kafka_ConfigEntry_name(e)] = std::move(v);
    }
  }
  return out;
}

std::vector<std::string> sorted_topic_names(const rd_kafka_metadata_t& md) {
  std::vector<std::string> names;
  for (int i = 0; i < md.topic_cnt; ++i) names.emplace_back(md.topics[i].topic);
  std::sort(names.begin(), names.end());
  return names;
}

int run_create(const topic_args& a) {
  const std::string& name = a.names.front();
  auto configs = parse_key_values(a.configs);
  if (!configs) return fail("--config: " + configs.error());
  auto rk = admin_client(a.client);
  if (!rk) return fail(rk.error());

  char errstr[512];
  rd_kafka_NewTopic_t* topic =
      rd_kafka_NewTopic_new(name.c_str(), a.partitions, a.replication_factor, errstr, sizeof errstr);
  if (!topic) return fail(std::string("topic '") + name + "': " + errstr);
  std::unique_ptr<rd_kafka_NewTopic_t, void (*)(rd_kafka_NewTopic_t*)> owned(topic, rd_kafka_NewTopic_destroy);
  for (const auto& [k, v] : configs.value()) {
    if (auto err = rd_kafka_NewTopic_set_config(topic, k.c_str(), v.c_str())) {
      return fail("--config " + k + ": " + kafka_error_text(err));
    }
  }
  auto opts = make_admin_options(rk.value().get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, a.client.timeout_ms);
  if (!opts) return fail(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk.value().get()));
  rd_kafka_CreateTopics(rk.value().get(), &topic, 1, opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), a.client.timeout_ms);
  if (!ev) return fail("CreateTopics: " + ev.error());
  size_t n = 0;
  const auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.value().get()), &n);
  if (auto ok = check_topic_results(results, n); !ok) return fail(ok.error());
  std::printf("Created topic %s.\n", name.c_str());
  return 0;
}

int run_delete(const topic_args& a) {
  auto rk = admin_client(a.client);
  if (!rk) return fail(rk.error());
  std::vector<rd_kafka_DeleteTopic_t*> topics;
  for (const auto& name : a.names) topics.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  auto opts = make_admin_options(rk.value().get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, a.client.timeout_ms);
  if (!opts) {
    rd_kafka_DeleteTopic_destroy_array(topics.data(), topics.size());
    return fail(opts.error());
  }
  queue_ptr q(rd_kafka_queue_new(rk.value().get()));
  rd_kafka_DeleteTopics(rk.value().get(), topics.data(), topics.size(), opts.value().get(), q.get());
  rd_kafka_DeleteTopic_destroy_array(topics.data(), topics.size());
  auto ev = wait_admin_result(q.get(), a.client.timeout_ms);
  if (!ev) return fail("DeleteTopics: " + ev.error());
  size_t n = 0;
  const auto** results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.value().get()), &n);
  if (auto ok = check_topic_results(results, n); !ok) return fail(ok.error());
  for (const auto& name : a.names) std::printf("Deleted topic %s.\n", name.c_str());
  return 0;
}

int run_list(const topic_args& a) {
  auto rk = admin_client(a.client);
  if (!rk) return fail(rk.error());
  auto md = fetch_metadata(rk.value().get(), a.client.timeout_ms);
  if (!md) return fail(md.error());
  auto names = sorted_topic_names(*md.value());
  if (a.json) {
    json_writer w;
    w.begin_array();
    for (const auto& name : names) {
      const auto* t = find_topic(*md.value(), name);
      w.begin_object().key("name").value(name).key("partitions").value(t->partition_cnt);
      if (t->err) w.key("error").value(rd_kafka_err2name(t->err));
      w.end_object();
    }
    w.end_array();
    std::printf("%s\n", w.str().c_str());
  } else {
    for (const auto& name : names) std::printf("%s\n", name.c_str());
  }
  return 0;
}

template <class Ids>
void write_ids(json_writer& w, const Ids& ids) {
  w.begin_array();
  for (auto id : ids) w.value(static_cast<std::int64_t>(id));
  w.end_array();
}

template <class Ids>
std::string join_node_ids(const Ids& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

namespace mv1 = sluice::metadata::v1;

/// The partitions `describe` shows: all, or only the under-replicated ones.
std::vector<const mv1::PartitionInfo*> shown_partitions(const mv1::TopicInfo& t, bool only_under_replicated) {
  std::vector<const mv1::PartitionInfo*> out;
  for (const auto& p : t.partitions())
    if (!only_under_replicated || under_replicated(p)) out.push_back(&p);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->partition() < b->partition(); });
  return out;
}

void write_partition(json_writer& w, const mv1::PartitionInfo& p) {
  w.begin_object().key("partition").value(static_cast<std::int64_t>(p.partition()));
  w.key("leader").value(static_cast<std::int64_t>(p.leader()));
  w.key("leader_epoch").value(static_cast<std::int64_t>(p.leader_epoch()));
  w.key("replicas");
  write_ids(w, p.replicas());
  w.key("isr");
  write_ids(w, p.isr());
  w.key("offline").value(p.leader() < 0);
  if (p.adding_replicas_size() > 0 || p.removing_replicas_size() > 0) {
    w.key("adding_replicas");
    write_ids(w, p.adding_replicas());
    w.key("removing_replicas");
    write_ids(w, p.removing_replicas());
  }
  w.end_object();
}

int run_describe(const topic_args& a) {
  auto rk = admin_client(a.client);
  if (!rk) return fail(rk.error());
  auto md = fetch_metadata(rk.value().get(), a.client.timeout_ms);
  if (!md) return fail(md.error());
  std::vector<std::string> names = a.names.empty() ? sorted_topic_names(*md.value()) : a.names;
  for (const auto& name : names) {
    auto t = require_topic(*md.value(), name);
    if (!t) return fail(t.error());
  }
  // Placement comes from the coordinator: Kafka metadata names gateways,
  // while operators need the partition servers that hold the data.
  auto snapshot = fetch_cluster_snapshot(a.coordinator);
  if (!snapshot) return fail(snapshot.error());
  std::map<std::string, const mv1::TopicInfo*> placed;
  for (const auto& t : snapshot.value().topics()) placed[t.name()] = &t;
  for (const auto& name : names)
    if (!placed.count(name)) return fail("topic '" + name + "' is not known to the coordinator at " + a.coordinator);
  auto configs = describe_configs(rk.value().get(), names, a.client.timeout_ms);
  if (!configs) return fail(configs.error());

  if (a.json) {
    json_writer w;
    w.begin_object().key("topics").begin_array();
    for (const auto& name : names) {
      const auto& t = *placed[name];
      auto shown = shown_partitions(t, a.under_replicated);
      if (a.under_replicated && shown.empty()) continue;
      w.begin_object().key("name").value(name).key("partitions").begin_array();
      for (const auto* p : shown) write_partition(w, *p);
      w.end_array().key("configs").begin_object();
      for (const auto& [key, v] : configs.value()[name]) {
        w.key(key).begin_object().key("value");
        if (v.value) {
          w.value(*v.value);
        } else {
          w.null();
        }
        w.key("source").value(v.source).key("default").value(v.is_default);
        w.key("read_only").value(v.read_only).key("sensitive").value(v.sensitive);
        w.end_object();
      }
      w.end_object().end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }

  // The layout of kafka-topics.sh --describe: overrides only on the topic
  // line; with --under-replicated, only the partition lines.
  for (const auto& name : names) {
    const auto& t = *placed[name];
    if (!a.under_replicated) {
      std::string overrides;
      for (const auto& [key, v] : configs.value()[name]) {
        if (!v.is_override) continue;
        if (!overrides.empty()) overrides += ",";
        overrides += key + "=" + (v.value ? *v.value : std::string("<hidden>"));
      }
      const int rf = t.partitions_size() > 0 ? t.partitions(0).replicas_size() : 0;
      std::printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n", name.c_str(),
                  t.partitions_size(), rf, overrides.c_str());
    }
    for (const auto* p : shown_partitions(t, a.under_replicated)) {
      std::printf("\tTopic: %s\tPartition: %d\tLeader: %s\tLeaderEpoch: %d\tReplicas: %s\tIsr: %s%s\n", name.c_str(),
                  p->partition(), p->leader() < 0 ? "none" : std::to_string(p->leader()).c_str(), p->leader_epoch(),
                  join_node_ids(p->replicas()).c_str(), join_node_ids(p->isr()).c_str(),
                  p->adding_replicas_size() > 0 || p->removing_replicas_size() > 0
                      ? ("\tAdding: " + join_node_ids(p->adding_replicas()) + "\tRemoving: " +
                         join_node_ids(p->removing_replicas()))
                            .c_str()
                      : "");
    }
  }
  return 0;
}

cli_result<void> add_partitions(rd_kafka_t* rk, const std::string& name, int total, int timeout_ms) {
  char errstr[512];
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(name.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
  if (!np) return cli_error(std::string("--partitions: ") + errstr);
  std::unique_ptr<rd_kafka_NewPartitions_t, void (*)(rd_kafka_NewPartitions_t*)> owned(np, rd_kafka_NewPartitions_destroy);
  auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout_ms);
  if (!opts) return cli_error(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk));
  rd_kafka_CreatePartitions(rk, &np, 1, opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), timeout_ms);
  if (!ev) return cli_error("CreatePartitions: " + ev.error());
  size_t n = 0;
  const auto** results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.value().get()), &n);
  return check_topic_results(results, n);
}

// AlterConfigs replaces the topic's whole set of overrides, so the request
// carries the current overrides with the changes applied.
cli_result<void> alter_configs(rd_kafka_t* rk, const std::string& name, const std::vector<key_value>& set,
                               const std::vector<std::string>& remove, int timeout_ms) {
  auto current = describe_configs(rk, {name}, timeout_ms);
  if (!current) return cli_error(current.error());
  std::map<std::string, std::string> desired;
  for (const auto& [k, v] : current.value()[name]) {
    if (!v.is_override) continue;
    if (!v.value) return cli_error("cannot keep override " + k + ": the cluster hides its value");
    desired[k] = *v.value;
  }
  for (const auto& k : remove) {
    if (!desired.erase(k)) return cli_error("--delete-config " + k + ": the topic has no such override");
  }
  for (const auto& [k, v] : set) desired[k] = v;

  config_resource_ptr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
  for (const auto& [k, v] : desired) {
    if (auto err = rd_kafka_ConfigResource_set_config(resource.get(), k.c_str(), v.c_str())) {
      return cli_error("config " + k + ": " + kafka_error_text(err));
    }
  }
  auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout_ms);
  if (!opts) return cli_error(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_AlterConfigs(rk, resources, 1, opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), timeout_ms);
  if (!ev) return cli_error("AlterConfigs: " + ev.error());
  size_t n = 0;
  const auto** res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.value().get()), &n);
  for (size_t i = 0; i < n; ++i) {
    if (auto err = rd_kafka_ConfigResource_error(res[i])) {
      return cli_error("AlterConfigs of topic '" + name + "': " +
                       kafka_error_text(err, rd_kafka_ConfigResource_error_string(res[i])));
    }
  }
  return success();
}

int run_alter(const topic_args& a) {
  const std::string& name = a.names.front();
  auto set = parse_key_values(a.configs);
  if (!set) return fail("--config: " + set.error());
  if (a.partitions < 0 && set.value().empty() && a.delete_configs.empty()) {
    return fail("nothing to alter: give --partitions, --config or --delete-config");
  }
  auto rk = admin_client(a.client);
  if (!rk) return fail(rk.error());
  if (a.partitions >= 0) {
    if (auto ok = add_partitions(rk.value().get(), name, a.partitions, a.client.timeout_ms); !ok) return fail(ok.error());
    std::printf("Topic %s now has %d partitions.\n", name.c_str(), a.partitions);
  }
  if (!set.value().empty() || !a.delete_configs.empty()) {
    auto ok = alter_configs(rk.value().get(), name, set.value(), a.delete_configs, a.client.timeout_ms);
    if (!ok) return fail(ok.error());
    std::printf("Updated the configs of topic %s.\n", name.c_str());
  }
  return 0;
}

}  // namespace

void add_topics_command(CLI::App& app, command_action& action) {
  auto* topics = app.add_subcommand("topics", "Create, list, describe, alter and delete topics");
  topics->require_subcommand(1);
  auto args = std::make_shared<topic_args>();

  auto* create = topics->add_subcommand("create", "Create a topic (CreateTopics)");
  add_client_options(*create, args->client);
  create->add_option("name", args->names, "Topic name")->required()->expected(1);
  create->add_option("--partitions,-p", args->partitions, "Partition count (default: the cluster's num.partitions)")
      ->check(CLI::Range(1, 1000000));
  create->add_option("--replication-factor,-r", args->replication_factor,
                     "Replication factor (default: the cluster's default.replication.factor)")
      ->check(CLI::Range(1, 1000));
  create->add_option("--config,-c", args->configs, "Topic config key=value (repeatable)");
  create->callback([&action, args] { action = [args] { return run_create(*args); }; });

  auto* list = topics->add_subcommand("list", "List topic names (Metadata)");
  add_client_options(*list, args->client);
  list->add_flag("--json", args->json, "Print [{\"name\":..,\"partitions\":..}] instead of names");
  list->callback([&action, args] { action = [args] { return run_list(*args); }; });

  auto* describe = topics->add_subcommand("describe", "Partitions (leader, replicas, isr) and configs of topics");
  add_client_options(*describe, args->client);
  describe->add_option("name", args->names, "Topic names (default: every topic)");
  describe->add_flag("--json", args->json, "Print JSON");
  describe->add_flag("--under-replicated", args->under_replicated,
                     "Only partitions whose ISR is smaller than their replica set");
  describe->add_option("--coordinator", args->coordinator,
                       "NNG url of the coordinator (placement: partition-server ids; env SLUICE_COORDINATOR)")
      ->capture_default_str();
  describe->callback([&action, args] { action = [args] { return run_describe(*args); }; });

  auto* del = topics->add_subcommand("delete", "Delete topics (DeleteTopics)");
  add_client_options(*del, args->client);
  del->add_option("name", args->names, "Topic names")->required();
  del->callback([&action, args] { action = [args] { return run_delete(*args); }; });

  auto* alter = topics->add_subcommand("alter", "Add partitions (CreatePartitions) or change configs (AlterConfigs)");
  add_client_options(*alter, args->client);
  alter->add_option("name", args->names, "Topic name")->required()->expected(1);
  alter->add_option("--partitions,-p", args->partitions, "New total partition count")->check(CLI::Range(1, 1000000));
  alter->add_option("--config,-c", args->configs, "Set a topic config key=value (repeatable)");
  alter->add_option("--delete-config", args->delete_configs, "Remove a topic config override (repeatable)");
  alter->callback([&action, args] { action = [args] { return run_alter(*args); }; });
}

}  // namespace sluice::tools
