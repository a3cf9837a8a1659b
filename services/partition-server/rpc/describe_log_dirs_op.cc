#include "services/partition-server/rpc/describe_log_dirs_op.h"

#include "services/partition-server/data_dir_usage.h"
#include "services/partition-server/partition_state.h"

namespace sluice::partition_server {

void describe_log_dirs_op::start(const messaging::message& request, messaging::responder reply_to,
                                 const routes& table, const std::filesystem::path& data_dir) {
  auto op = std::make_shared<describe_log_dirs_op>(std::move(reply_to));
  if (!request.parse_header(op->header_)) {
    op->reply_to_.fail(messaging::rpc_status::bad_request);
    return;
  }
  const auto usage = inspect_data_dir(data_dir);
  op->response_.set_log_dir(usage.path);
  op->response_.set_total_bytes(usage.total_bytes);
  op->response_.set_usable_bytes(usage.usable_bytes);
  if (!usage.error.empty()) {
    op->response_.set_error(pv1::STORAGE_ERROR);
    op->response_.set_error_message("log directory " + usage.path + " cannot be read: " + usage.error);
    op->header_.clear_partitions();  // nothing of an unreadable directory is listed
  } else if (op->header_.all_partitions()) {
    op->header_.clear_partitions();
    for (auto& [topic, partition] : table.hosted()) {
      auto* ref = op->header_.add_partitions();
      ref->set_topic(topic);
      ref->set_partition(partition);
    }
  }
  dispatch(std::move(op), table);
}

void describe_log_dirs_op::answer_at(std::uint32_t index, const partition_state& p) {
  *response_.mutable_partitions(static_cast<int>(index)) = p.describe_log_dir();
  complete_one();
}

}  // namespace sluice::partition_server
