#include "tools/sluice/bench_topic.h"

#include <chrono>
#include <thread>

namespace sluice::tools {

cli_result<int> ensure_topic(rd_kafka_t* rk, const bench_topic& topic, int timeout_ms) {
  auto md = fetch_metadata(rk, timeout_ms);
  if (!md) return cli_error(md.error());
  if (!find_topic(*md.value(), topic.name)) {
    char errstr[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, topic.replication_factor, errstr, sizeof errstr);
    if (!nt) return cli_error(errstr);
    if (topic.min_insync_replicas > 0)
      rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", std::to_string(topic.min_insync_replicas).c_str());
    auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    if (!opts) {
      rd_kafka_NewTopic_destroy(nt);
      return cli_error(opts.error());
    }
    queue_ptr q(rd_kafka_queue_new(rk));
    rd_kafka_CreateTopics(rk, &nt, 1, opts.value().get(), q.get());
    rd_kafka_NewTopic_destroy(nt);
    auto ev = wait_admin_result(q.get(), timeout_ms);
    if (!ev) return cli_error("CreateTopics: " + ev.error());
    size_t n = 0;
    const auto** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.value().get()), &n);
    for (size_t i = 0; i < n; ++i) {
      auto err = rd_kafka_topic_result_error(res[i]);
      // Someone else creating it meanwhile is as good as creating it.
      if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        return cli_error("CreateTopics: " + kafka_error_text(err, rd_kafka_topic_result_error_string(res[i])));
      }
    }
  }
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    md = fetch_metadata(rk, timeout_ms);
    if (!md) return cli_error(md.error());
    if (const auto* t = find_topic(*md.value(), topic.name); t && !t->err && t->partition_cnt > 0) {
      bool leaders = true;
      for (int i = 0; i < t->partition_cnt; ++i) leaders &= t->partitions[i].leader >= 0;
      if (leaders) return t->partition_cnt;
    }
    if (clock::now() >= deadline) return cli_error("topic '" + topic.name + "' has no leaders yet");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace sluice::tools
