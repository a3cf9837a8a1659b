#pragma once
// librdkafka C API in RAII form, plus the options every client subcommand
// shares (--bootstrap-server, -X). All of `sluice` speaks to Sluice only
// through the Kafka protocol, via these handles.
#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "tools/sluice/cli_args.h"
#include "tools/sluice/cli_result.h"

namespace CLI {
class App;
}

namespace sluice::tools {

struct client_options {
  std::string bootstrap = "localhost:9092";
  std::vector<std::string> properties;  // -X k=v, librdkafka settings applied last
  int timeout_ms = 30000;               // admin and metadata requests
  bool debug = false;                   // show librdkafka's own log lines
};

/// Adds --bootstrap-server, -X/--property, --timeout-ms and --debug to `cmd`.
void add_client_options(CLI::App& cmd, client_options& options);

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using kafka_handle = std::unique_ptr<rd_kafka_t, handle_deleter>;

struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

struct topic_deleter {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, topic_deleter>;

struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, queue_deleter>;

struct event_deleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;

struct admin_options_deleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using admin_options_ptr = std::unique_ptr<rd_kafka_AdminOptions_t, admin_options_deleter>;

struct message_deleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;

/// "TOPIC_ALREADY_EXISTS: Topic 'a' already exists." — the Kafka error name
/// (librdkafka's local errors start with '_') and the most specific message.
std::string kafka_error_text(rd_kafka_resp_err_t err, const char* message = nullptr);

/// A client of `type` for `options.bootstrap`. `settings` are the
/// subcommand's own defaults, applied before the user's -X properties so
/// the user can override them. `opaque` is passed to the callbacks.
cli_result<kafka_handle> make_client(rd_kafka_type_t type, const client_options& options,
                                     const std::vector<key_value>& settings,
                                     void (*delivery_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                                     void* opaque = nullptr);

/// Metadata of every topic (never a topic list: asking for a named topic
/// could auto-create it).
cli_result<metadata_ptr> fetch_metadata(rd_kafka_t* rk, int timeout_ms);

/// The topic's entry in `md`, or nullptr.
const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& md, const std::string& name);

/// Like find_topic, but an absent topic or one the broker reports an error
/// for is an error.
cli_result<const rd_kafka_metadata_topic_t*> require_topic(const rd_kafka_metadata_t& md, const std::string& name);

/// Admin options for `api` with the request and operation timeouts set.
cli_result<admin_options_ptr> make_admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t api, int timeout_ms);

/// Waits for the result event of an admin call posted to `queue`. A
/// request-level error (timeout, broker down) is an error here; per-topic
/// results are for the caller to check.
cli_result<event_ptr> wait_admin_result(rd_kafka_queue_t* queue, int timeout_ms);

}  // namespace sluice::tools
