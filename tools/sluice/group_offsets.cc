#include "tools/sluice/group_offsets.h"

#include <algorithm>
#include <memory>

#include "tools/sluice/kafka_client.h"

namespace sluice::tools {

namespace {

struct list_offsets_deleter {
  void operator()(rd_kafka_ListConsumerGroupOffsets_t* l) const { rd_kafka_ListConsumerGroupOffsets_destroy(l); }
};
struct alter_offsets_deleter {
  void operator()(rd_kafka_AlterConsumerGroupOffsets_t* a) const { rd_kafka_AlterConsumerGroupOffsets_destroy(a); }
};

partition_list_ptr to_partition_list(const std::vector<topic_partition>& partitions) {
  partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& [topic, p] : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  return list;
}

std::string partition_name(const rd_kafka_topic_partition_t& p) {
  return std::string(p.topic) + "-" + std::to_string(p.partition);
}

/// The one group result of a group offsets call, with its group-level error checked.
cli_result<const rd_kafka_topic_partition_list_t*> single_group_result(const rd_kafka_group_result_t** groups,
                                                                       size_t n, const std::string& what) {
  if (n != 1) return cli_error(what + ": expected one group result, got " + std::to_string(n));
  if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[0]))
    return cli_error(what + ": " + kafka_error_text(rd_kafka_error_code(e), rd_kafka_error_string(e)));
  return rd_kafka_group_result_partitions(groups[0]);
}

}  // namespace

cli_result<offset_map> fetch_committed_offsets(rd_kafka_t* rk, const std::string& group, int timeout_ms) {
  // No partition list: the coordinator answers with every committed offset.
  std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, list_offsets_deleter> request(
      rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr));
  auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
  if (!opts) return cli_error(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk));
  rd_kafka_ListConsumerGroupOffsets_t* requests[] = {request.get()};
  rd_kafka_ListConsumerGroupOffsets(rk, requests, 1, opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), timeout_ms);
  if (!ev) return cli_error("OffsetFetch of group '" + group + "': " + ev.error());
  size_t n = 0;
  const auto** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.value().get()), &n);
  auto list = single_group_result(groups, n, "OffsetFetch of group '" + group + "'");
  if (!list) return cli_error(list.error());
  offset_map out;
  if (!list.value()) return out;
  for (int i = 0; i < list.value()->cnt; ++i) {
    const auto& p = list.value()->elems[i];
    if (p.err) return cli_error("committed offset of " + partition_name(p) + ": " + kafka_error_text(p.err));
    // A partition listed without an offset (-1) has nothing committed.
    if (p.offset >= 0) out[{p.topic, p.partition}] = p.offset;
  }
  return out;
}

std::map<topic_partition, log_range> fetch_log_ranges(rd_kafka_t* rk, const std::vector<topic_partition>& partitions,
                                                      int timeout_ms) {
  std::map<topic_partition, log_range> out;
  for (const auto& tp : partitions) {
    log_range r;
    auto err = rd_kafka_query_watermark_offsets(rk, tp.first.c_str(), tp.second, &r.start, &r.end, timeout_ms);
    if (err) r = log_range{-1, -1, kafka_error_text(err)};
    out[tp] = r;
  }
  return out;
}

cli_result<offset_map> fetch_offsets_for_time(rd_kafka_t* rk, const std::vector<topic_partition>& partitions,
                                              std::int64_t timestamp_ms, int timeout_ms) {
  offset_map out;
  if (partitions.empty()) return out;
  auto list = to_partition_list(partitions);
  // The query takes the timestamps in the offset fields and answers in place.
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = timestamp_ms;
  if (auto err = rd_kafka_offsets_for_times(rk, list.get(), timeout_ms))
    return cli_error("offsets for time " + std::to_string(timestamp_ms) + ": " + kafka_error_text(err));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& p = list->elems[i];
    if (p.err) return cli_error("offset for time of " + partition_name(p) + ": " + kafka_error_text(p.err));
    out[{p.topic, p.partition}] = p.offset;
  }
  return out;
}

cli_result<void> alter_committed_offsets(rd_kafka_t* rk, const std::string& group, const offset_map& offsets,
                                         int timeout_ms) {
  partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets)
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, alter_offsets_deleter> request(
      rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get()));
  auto opts = make_admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout_ms);
  if (!opts) return cli_error(opts.error());
  queue_ptr q(rd_kafka_queue_new(rk));
  rd_kafka_AlterConsumerGroupOffsets_t* requests[] = {request.get()};
  rd_kafka_AlterConsumerGroupOffsets(rk, requests, 1, opts.value().get(), q.get());
  auto ev = wait_admin_result(q.get(), timeout_ms);
  if (!ev) return cli_error("OffsetCommit to group '" + group + "': " + ev.error());
  size_t n = 0;
  const auto** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(ev.value().get()), &n);
  auto result = single_group_result(groups, n, "OffsetCommit to group '" + group + "'");
  if (!result) return cli_error(result.error());
  std::string errors;
  for (int i = 0; result.value() && i < result.value()->cnt; ++i) {
    const auto& p = result.value()->elems[i];
    if (!p.err) continue;
    errors += (errors.empty() ? "" : "; ") + partition_name(p) + ": " + kafka_error_text(p.err);
  }
  if (!errors.empty()) return cli_error("OffsetCommit to group '" + group + "' failed for " + errors);
  return success();
}

cli_result<std::vector<topic_partition>> topic_partitions(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                                          int timeout_ms) {
  auto md = fetch_metadata(rk, timeout_ms);
  if (!md) return cli_error(md.error());
  std::vector<topic_partition> out;
  for (const auto& name : topics) {
    auto t = require_topic(*md.value(), name);
    if (!t) return cli_error(t.error());
    for (int i = 0; i < t.value()->partition_cnt; ++i) out.emplace_back(name, t.value()->partitions[i].id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sluice::tools
