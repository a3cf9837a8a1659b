#include "tools/sluice/kafka_client.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace sluice::tools {

namespace {

// librdkafka logs connection refusals and retries at error level even when
// it recovers (e.g. trying ::1 before 127.0.0.1 for "localhost"); the
// command reports failures itself, so its log lines are shown only with --debug.
void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

void debug_log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  std::fprintf(stderr, "librdkafka %d %s: %s\n", level, fac, buf);
}

}  // namespace

void add_client_options(CLI::App& cmd, client_options& options) {
  cmd.add_option("--bootstrap-server,-b", options.bootstrap, "Kafka bootstrap address host:port[,host:port...]")
      ->capture_default_str();
  cmd.add_option("-X,--property", options.properties, "librdkafka setting key=value (repeatable; applied last)");
  cmd.add_option("--request-timeout-ms", options.timeout_ms, "Timeout of admin and metadata requests")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  cmd.add_flag("--debug", options.debug, "Show librdkafka's log lines on stderr");
}

std::string kafka_error_text(rd_kafka_resp_err_t err, const char* message) {
  std::string name = rd_kafka_err2name(err);
  std::string text = (message && *message) ? std::string(message) : std::string(rd_kafka_err2str(err));
  return name + ": " + text;
}

cli_result<kafka_handle> make_client(rd_kafka_type_t type, const client_options& options,
                                     const std::vector<key_value>& settings,
                                     void (*delivery_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*),
                                     void* opaque) {
  auto user = parse_key_values(options.properties);
  if (!user) return cli_error("-X: " + user.error());

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  auto set = [&](const std::string& k, const std::string& v) -> cli_result<void> {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      return cli_error("librdkafka setting " + k + "=" + v + ": " + errstr);
    }
    return success();
  };
  std::vector<key_value> all = {{"bootstrap.servers", options.bootstrap}, {"client.id", "sluice-cli"}};
  all.insert(all.end(), settings.begin(), settings.end());
  all.insert(all.end(), user.value().begin(), user.value().end());
  for (const auto& [k, v] : all) {
    if (auto r = set(k, v); !r) {
      rd_kafka_conf_destroy(conf);
      return cli_error(r.error());
    }
  }
  rd_kafka_conf_set_log_cb(conf, options.debug ? debug_log : quiet_log);
  if (delivery_cb) rd_kafka_conf_set_dr_msg_cb(conf, delivery_cb);
  if (opaque) rd_kafka_conf_set_opaque(conf, opaque);

  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes ownership only on success
    return cli_error(std::string("cannot create the Kafka client: ") + errstr);
  }
  return kafka_handle(rk);
}

cli_result<metadata_ptr> fetch_metadata(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err) return cli_error("metadata request failed: " + kafka_error_text(err));
  return metadata_ptr(md);
}

const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& md, const std::string& name) {
  for (int i = 0; i < md.topic_cnt; ++i) {
    if (name == md.topics[i].topic) return &md.topics[i];
  }
  return nullptr;
}

cli_result<const rd_kafka_metadata_topic_t*> require_topic(const rd_kafka_metadata_t& md, const std::string& name) {
  const auto* t = find_topic(md, name);
  if (!t) return cli_error("topic '" + name + "': " + kafka_error_text(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
  if (t->err) return cli_error("topic '" + name + "': " + kafka_error_text(t->err));
  return t;
}

cli_result<admin_options_ptr> make_admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t api, int timeout_ms) {
  admin_options_ptr opts(rd_kafka_AdminOptions_new(rk, api));
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(opts.get(), timeout_ms, errstr, sizeof errstr)) {
    return cli_error(std::string("admin request timeout: ") + errstr);
  }
  // Operation timeout applies to CreateTopics/DeleteTopics/CreatePartitions:
  // the broker waits this long for the change to take effect.
  if (api == RD_KAFKA_ADMIN_OP_CREATETOPICS || api == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
      api == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS) {
    if (rd_kafka_AdminOptions_set_operation_timeout(opts.get(), timeout_ms, errstr, sizeof errstr)) {
      return cli_error(std::string("admin operation timeout: ") + errstr);
    }
  }
  return opts;
}

cli_result<event_ptr> wait_admin_result(rd_kafka_queue_t* queue, int timeout_ms) {
  // A little beyond the request timeout: librdkafka reports its own timeout
  // as an event, which carries the better message.
  event_ptr ev(rd_kafka_queue_poll(queue, timeout_ms + 5000));
  if (!ev) return cli_error(kafka_error_text(RD_KAFKA_RESP_ERR__TIMED_OUT, "no answer from the cluster"));
  if (auto err = rd_kafka_event_error(ev.get())) {
    return cli_error(kafka_error_text(err, rd_kafka_event_error_string(ev.get())));
  }
  return ev;
}

}  // namespace sluice::tools
