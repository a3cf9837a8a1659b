// sluice consume: the console consumer. Assigns partitions directly (no
// consumer group) and prints one line per record.
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "tools/sluice/commands.h"
#include "tools/sluice/console_format.h"
#include "tools/sluice/kafka_client.h"

namespace sluice::tools {

namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

struct consume_args {
  client_options client;
  std::string topic;
  bool from_beginning = false;
  std::int64_t offset = -1;
  int partition = -1;
  std::int64_t max_messages = -1;
  int timeout_ms = -1;
  print_options print;
};

std::optional<std::string> bytes_or_null(const void* data, size_t len) {
  if (!data) return std::nullopt;
  return std::string(static_cast<const char*>(data), len);
}

consumed_record to_record(const rd_kafka_message_t& m) {
  consumed_record r;
  r.partition = m.partition;
  r.offset = m.offset;
  r.key = bytes_or_null(m.key, m.key_len);
  r.value = bytes_or_null(m.payload, m.len);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(&m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      r.headers.emplace_back(name, bytes_or_null(value, size));
    }
  }
  return r;
}

int run_consume(const consume_args& a) {
  // An explicit offset that does not exist is an error; otherwise start
  // where asked and follow the log.
  std::string reset = a.offset >= 0 ? "error" : (a.from_beginning ? "earliest" : "latest");
  auto rk = make_client(RD_KAFKA_CONSUMER, a.client,
                        {{"enable.partition.eof", "false"}, {"auto.offset.reset", reset}, {"fetch.wait.max.ms", "100"}});
  if (!rk) return fail(rk.error());
  rd_kafka_t* consumer = rk.value().get();

  auto md = fetch_metadata(consumer, a.client.timeout_ms);
  if (!md) return fail(md.error());
  auto topic = require_topic(*md.value(), a.topic);
  if (!topic) return fail(topic.error());
  std::vector<int32_t> partitions;
  for (int i = 0; i < topic.value()->partition_cnt; ++i) {
    int32_t id = topic.value()->partitions[i].id;
    if (a.partition < 0 || a.partition == id) partitions.push_back(id);
  }
  if (partitions.empty()) {
    return fail("topic '" + a.topic + "' partition " + std::to_string(a.partition) + ": " +
                kafka_error_text(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION));
  }

  const std::int64_t start =
      a.offset >= 0 ? a.offset : (a.from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END);
  topic_ptr rkt(rd_kafka_topic_new(consumer, a.topic.c_str(), nullptr));
  queue_ptr queue(rd_kafka_queue_new(consumer));
  for (auto p : partitions) {
    if (rd_kafka_consume_start_queue(rkt.get(), p, start, queue.get()) != 0) {
      return fail("start consuming partition " + std::to_string(p) + ": " + kafka_error_text(rd_kafka_last_error()));
    }
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  using clock = std::chrono::steady_clock;
  auto last_activity = clock::now();
  std::int64_t count = 0;
  int exit_code = 0;
  while (!interrupted && (a.max_messages < 0 || count < a.max_messages)) {
    message_ptr msg(rd_kafka_consume_queue(queue.get(), 100));
    if (!msg) {
      if (a.timeout_ms >= 0 && clock::now() - last_activity >= std::chrono::milliseconds(a.timeout_ms)) break;
      continue;
    }
    if (msg->err) {
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      std::string text = kafka_error_text(msg->err, rd_kafka_message_errstr(msg.get()));
      if (msg->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || msg->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
        exit_code = fail("partition " + std::to_string(msg->partition) + ": " + text);
        break;
      }
      // Anything else (a broker restarting, a leader moving) is retried by librdkafka.
      std::fprintf(stderr, "warning: partition %d: %s\n", msg->partition, text.c_str());
      continue;
    }
    last_activity = clock::now();
    std::string line = format_record(to_record(*msg), a.print);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    ++count;
  }
  std::fflush(stdout);
  for (auto p : partitions) rd_kafka_consume_stop(rkt.get(), p);
  std::fprintf(stderr, "Processed a total of %lld messages\n", static_cast<long long>(count));
  return exit_code;
}

}  // namespace

void add_consume_command(CLI::App& app, command_action& action) {
  auto args = std::make_shared<consume_args>();
  auto* cmd = app.add_subcommand("consume", "Print records of a topic, one per line (no consumer group)");
  add_client_options(*cmd, args->client);
  cmd->add_option("topic", args->topic, "Topic to read")->required();
  auto* begin = cmd->add_flag("--from-beginning", args->from_beginning, "Start at the earliest offset");
  cmd->add_option("--offset", args->offset, "Start at this offset (in every assigned partition)")
      ->check(CLI::NonNegativeNumber)
      ->excludes(begin);
  cmd->add_option("--partition,-p", args->partition, "Read only this partition (default: all)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--max-messages,-n", args->max_messages, "Exit after this many records")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timeout-ms", args->timeout_ms, "Exit after this long without a record (default: never)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--print-key", args->print.key, "Print the key before the value");
  cmd->add_flag("--print-headers", args->print.headers, "Print the headers (k:v,k2:v2 or NO_HEADERS)");
  cmd->add_flag("--print-partition", args->print.partition, "Print Partition:<p>");
  cmd->add_flag("--print-offset", args->print.offset, "Print Offset:<o>");
  cmd->add_option("--separator", args->print.separator, "Between printed fields (default: a tab)");
  cmd->callback([&action, args] { action = [args] { return run_consume(*args); }; });
}

}  // namespace sluice::tools
