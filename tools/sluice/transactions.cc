// sluice transactions list|describe|producers: what Kafka's kafka-transactions.sh
// shows — the transaction coordinators' transactional ids, one id's state, and
// the producer state a partition's leader keeps. librdkafka 2.0 has no API for
// these, so they go over the Kafka protocol directly (wire_client).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>

#include "common/protocol/error_code.h"
#include "common/protocol/messages/describe_producers.h"
#include "common/protocol/messages/describe_transactions.h"
#include "common/protocol/messages/list_transactions.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/groups_table.h"
#include "tools/sluice/json_writer.h"
#include "tools/sluice/kafka_client.h"
#include "tools/sluice/wire_client.h"

namespace sluice::tools {

namespace {

struct list_args {
  client_options client;
  std::vector<std::string> states;
  std::vector<std::int64_t> producer_ids;
  bool json = false;
};

struct describe_args {
  client_options client;
  std::vector<std::string> transactional_ids;
  bool json = false;
};

struct producers_args {
  client_options client;
  std::string topic;
  std::vector<std::int32_t> partitions;
  bool json = false;
};

std::string error_name(std::int16_t code) { return protocol::to_string(static_cast<protocol::error_code>(code)); }

cli_result<wire_client> connect(const client_options& client) {
  return wire_client::connect(client.bootstrap, std::chrono::milliseconds(client.timeout_ms));
}

/// "host:port" of every broker (gateway) the cluster advertises.
cli_result<std::vector<std::string>> broker_addresses(const client_options& client) {
  auto rk = make_client(RD_KAFKA_PRODUCER, client, {});
  if (!rk) return cli_error(rk.error());
  auto md = fetch_metadata(rk.value().get(), client.timeout_ms);
  if (!md) return cli_error(md.error());
  std::vector<std::string> out;
  for (int i = 0; i < md.value()->broker_cnt; ++i)
    out.push_back(std::string(md.value()->brokers[i].host) + ":" + std::to_string(md.value()->brokers[i].port));
  return out;
}

// Each broker lists the ids it coordinates, so the list is every broker's
// answer together, as Kafka's admin client builds it.
cli_result<protocol::list_transactions_response> list_everywhere(const list_args& a) {
  auto brokers = broker_addresses(a.client);
  if (!brokers) return cli_error(brokers.error());
  protocol::list_transactions_request req;
  req.state_filters = a.states;
  req.producer_id_filters = a.producer_ids;
  protocol::list_transactions_response all;
  std::set<std::string> seen;
  for (const auto& broker : brokers.value()) {
    auto conn = wire_client::connect(broker, std::chrono::milliseconds(a.client.timeout_ms));
    if (!conn) return cli_error(conn.error());
    auto resp = conn.value().call<protocol::list_transactions_request, protocol::list_transactions_response>(req, 0);
    if (!resp) return cli_error(resp.error());
    if (resp.value().error_code != 0)
      return cli_error("ListTransactions at " + broker + ": " + error_name(resp.value().error_code));
    all.unknown_state_filters = resp.value().unknown_state_filters;
    for (auto& t : resp.value().transaction_states)
      if (seen.insert(t.transactional_id).second) all.transaction_states.push_back(std::move(t));
  }
  return all;
}

int run_list(const list_args& a) {
  auto resp = list_everywhere(a);
  if (!resp) return fail(resp.error());
  for (const auto& s : resp.value().unknown_state_filters) std::fprintf(stderr, "warning: unknown state '%s'\n", s.c_str());
  const auto& listed = resp.value().transaction_states;
  if (a.json) {
    json_writer w;
    w.begin_array();
    for (const auto& t : listed) {
      w.begin_object().key("transactional_id").value(t.transactional_id);
      w.key("producer_id").value(t.producer_id).key("state").value(t.transaction_state).end_object();
    }
    w.end_array();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  text_table table({"TRANSACTIONAL-ID", "PRODUCER-ID", "STATE"});
  for (const auto& t : listed) table.add({t.transactional_id, std::to_string(t.producer_id), t.transaction_state});
  std::fputs(table.str().c_str(), stdout);
  return 0;
}

std::string partitions_text(const protocol::describe_transactions_response::described_transaction& t) {
  std::string out;
  for (const auto& topic : t.topics)
    for (auto p : topic.partitions) out += (out.empty() ? "" : ",") + topic.topic + "-" + std::to_string(p);
  return out.empty() ? "-" : out;
}

int run_describe(const describe_args& a) {
  auto conn = connect(a.client);
  if (!conn) return fail(conn.error());
  protocol::describe_transactions_request req;
  req.transactional_ids = a.transactional_ids;
  auto resp =
      conn.value().call<protocol::describe_transactions_request, protocol::describe_transactions_response>(req, 0);
  if (!resp) return fail(resp.error());
  int status = 0;
  if (a.json) {
    json_writer w;
    w.begin_array();
    for (const auto& t : resp.value().transaction_states) {
      w.begin_object().key("transactional_id").value(t.transactional_id).key("error").value(error_name(t.error_code));
      w.key("state").value(t.transaction_state).key("producer_id").value(t.producer_id);
      w.key("producer_epoch").value(static_cast<int>(t.producer_epoch));
      w.key("timeout_ms").value(t.transaction_timeout_ms).key("start_time_ms").value(t.transaction_start_time_ms);
      w.key("partitions").value(partitions_text(t)).end_object();
      if (t.error_code != 0) status = 1;
    }
    w.end_array();
    std::printf("%s\n", w.str().c_str());
    return status;
  }
  text_table table({"TRANSACTIONAL-ID", "STATE", "PRODUCER-ID", "EPOCH", "TIMEOUT-MS", "START-TIME-MS", "PARTITIONS"});
  for (const auto& t : resp.value().transaction_states) {
    if (t.error_code != 0) {
      std::fprintf(stderr, "error: %s: %s\n", t.transactional_id.c_str(), error_name(t.error_code).c_str());
      status = 1;
      continue;
    }
    table.add({t.transactional_id, t.transaction_state, std::to_string(t.producer_id),
               std::to_string(t.producer_epoch), std::to_string(t.transaction_timeout_ms),
               std::to_string(t.transaction_start_time_ms), partitions_text(t)});
  }
  std::fputs(table.str().c_str(), stdout);
  return status;
}

int run_producers(const producers_args& a) {
  auto conn = connect(a.client);
  if (!conn) return fail(conn.error());
  protocol::describe_producers_request req;
  req.topics.push_back({.name = a.topic, .partition_indexes = a.partitions});
  auto resp = conn.value().call<protocol::describe_producers_request, protocol::describe_producers_response>(req, 0);
  if (!resp) return fail(resp.error());
  int status = 0;
  json_writer w;
  w.begin_array();
  text_table table({"PARTITION", "PRODUCER-ID", "EPOCH", "LAST-SEQUENCE", "LAST-TIMESTAMP", "COORDINATOR-EPOCH",
                    "TXN-START-OFFSET"});
  for (const auto& topic : resp.value().topics) {
    for (const auto& p : topic.partitions) {
      if (p.error_code != 0) {
        std::fprintf(stderr, "error: %s-%d: %s\n", topic.name.c_str(), p.partition_index,
                     error_name(p.error_code).c_str());
        status = 1;
        continue;
      }
      for (const auto& s : p.active_producers) {
        table.add({std::to_string(p.partition_index), std::to_string(s.producer_id), std::to_string(s.producer_epoch),
                   std::to_string(s.last_sequence), std::to_string(s.last_timestamp),
                   std::to_string(s.coordinator_epoch), std::to_string(s.current_txn_start_offset)});
        w.begin_object().key("partition").value(p.partition_index).key("producer_id").value(s.producer_id);
        w.key("producer_epoch").value(s.producer_epoch).key("last_sequence").value(s.last_sequence);
        w.key("last_timestamp").value(s.last_timestamp).key("coordinator_epoch").value(s.coordinator_epoch);
        w.key("current_txn_start_offset").value(s.current_txn_start_offset).end_object();
      }
    }
  }
  w.end_array();
  std::fputs(a.json ? (w.str() + "\n").c_str() : table.str().c_str(), stdout);
  return status;
}

}  // namespace

void add_transactions_command(CLI::App& app, command_action& action) {
  auto* txn = app.add_subcommand("transactions", "List and describe transactions and producers (kafka-transactions)");
  txn->require_subcommand(1);

  auto la = std::make_shared<list_args>();
  auto* list = txn->add_subcommand("list", "Transactional ids the transaction coordinators know, with their state");
  add_client_options(*list, la->client);
  list->add_option("--state", la->states, "Only these states (Ongoing, PrepareCommit, CompleteAbort, ...)");
  list->add_option("--producer-id", la->producer_ids, "Only these producer ids");
  list->add_flag("--json", la->json, "Print the result as JSON");
  list->callback([&action, la] { action = [la] { return run_list(*la); }; });

  auto da = std::make_shared<describe_args>();
  auto* describe = txn->add_subcommand("describe", "One or more transactional ids: state, producer, open partitions");
  add_client_options(*describe, da->client);
  describe->add_option("--transactional-id", da->transactional_ids, "Transactional id")->required();
  describe->add_flag("--json", da->json, "Print the result as JSON");
  describe->callback([&action, da] { action = [da] { return run_describe(*da); }; });

  auto pa = std::make_shared<producers_args>();
  auto* producers =
      txn->add_subcommand("producers", "The producer state a partition's leader keeps (kafka-transactions describe-producers)");
  add_client_options(*producers, pa->client);
  producers->add_option("--topic,-t", pa->topic, "Topic")->required();
  producers->add_option("--partition,-p", pa->partitions, "Partition (repeatable)")->required();
  producers->add_flag("--json", pa->json, "Print the result as JSON");
  producers->callback([&action, pa] { action = [pa] { return run_producers(*pa); }; });
}

}  // namespace sluice::tools
