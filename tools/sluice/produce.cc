// sluice produce: the console producer. One record per stdin line, waits
// for every delivery report, exits non-zero if any record failed.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>

#include "tools/sluice/cli_args.h"
#include "tools/sluice/commands.h"
#include "tools/sluice/console_format.h"
#include "tools/sluice/kafka_client.h"

namespace sluice::tools {

namespace {

struct produce_args {
  client_options client;
  std::string topic;
  std::string key_separator;
  std::vector<std::string> headers;
  int partition = -1;
  std::string acks = "all";
};

// Filled by the delivery report callback, which runs inside rd_kafka_poll
// and rd_kafka_flush on this thread.
struct delivery_tally {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::map<std::string, std::uint64_t> errors;  // error text → count
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* tally = static_cast<delivery_tally*>(opaque);
  if (msg->err) {
    ++tally->failed;
    ++tally->errors[kafka_error_text(msg->err)];
  } else {
    ++tally->delivered;
  }
}

int run_produce(const produce_args& a) {
  auto headers = parse_key_values(a.headers);
  if (!headers) return fail("--header: " + headers.error());
  auto acks = parse_acks(a.acks);
  if (!acks) return fail(acks.error());

  delivery_tally tally;
  auto rk = make_client(RD_KAFKA_PRODUCER, a.client,
                        {{"acks", acks.value()},
                         {"linger.ms", "5"},
                         // A mistyped topic should fail in seconds, not after librdkafka's 5 minutes.
                         {"message.timeout.ms", "30000"},
                         {"topic.metadata.propagation.max.ms", "10000"}},
                        on_delivery, &tally);
  if (!rk) return fail(rk.error());
  rd_kafka_t* producer = rk.value().get();

  std::uint64_t line_no = 0;
  std::uint64_t rejected = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    ++line_no;
    auto record = split_record_line(line, a.key_separator);
    if (!record) {
      std::fprintf(stderr, "error: line %llu: %s\n", static_cast<unsigned long long>(line_no), record.error().c_str());
      ++rejected;
      continue;
    }
    const auto& r = record.value();
    // librdkafka's V_ macros cast their arguments without parentheses.
    const void* key_data = r.key ? r.key->data() : nullptr;
    const size_t key_size = r.key ? r.key->size() : 0;
    for (;;) {
      rd_kafka_headers_t* hdrs = nullptr;
      if (!headers.value().empty()) {
        hdrs = rd_kafka_headers_new(headers.value().size());
        for (const auto& [k, v] : headers.value()) rd_kafka_header_add(hdrs, k.data(), -1, v.data(), -1);
      }
      auto err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(a.topic.c_str()), RD_KAFKA_V_PARTITION(a.partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
          RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_HEADERS(hdrs),
          RD_KAFKA_V_END);
      if (!err) break;
      // The headers are ours again when producev fails.
      if (hdrs) rd_kafka_headers_destroy(hdrs);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer, 100);
        continue;
      }
      std::fprintf(stderr, "error: line %llu: %s\n", static_cast<unsigned long long>(line_no),
                   kafka_error_text(err).c_str());
      ++rejected;
      break;
    }
    rd_kafka_poll(producer, 0);
  }

  // message.timeout.ms bounds how long any record can stay queued.
  while (rd_kafka_outq_len(producer) > 0) rd_kafka_flush(producer, 1000);

  for (const auto& [text, count] : tally.errors) {
    std::fprintf(stderr, "error: %llu record(s) not delivered: %s\n", static_cast<unsigned long long>(count),
                 text.c_str());
  }
  if (tally.failed + rejected > 0) {
    std::fprintf(stderr, "error: %llu of %llu line(s) not produced\n",
                 static_cast<unsigned long long>(tally.failed + rejected), static_cast<unsigned long long>(line_no));
    return 1;
  }
  return 0;
}

}  // namespace

void add_produce_command(CLI::App& app, command_action& action) {
  auto args = std::make_shared<produce_args>();
  auto* cmd = app.add_subcommand("produce", "Produce one record per stdin line");
  add_client_options(*cmd, args->client);
  cmd->add_option("topic", args->topic, "Topic to produce to")->required();
  cmd->add_option("--key-separator,-K", args->key_separator,
                  "Split each line at the first SEP into key and value (a line without SEP is an error)");
  cmd->add_option("--header,-H", args->headers, "Header key=value added to every record (repeatable)");
  cmd->add_option("--partition,-p", args->partition, "Partition (default: librdkafka's partitioner)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--acks", args->acks, "all, -1, 0 or 1")->capture_default_str();
  cmd->callback([&action, args] { action = [args] { return run_produce(*args); }; });
}

}  // namespace sluice::tools
