#pragma once
// What the files of `sluice groups` share: the options every groups
// subcommand takes, the client they use, and how each file registers its
// own subcommand under `groups`.
#include <string>

#include "tools/sluice/commands.h"
#include "tools/sluice/kafka_client.h"
#include "tools/sluice/partition_layout.h"

namespace sluice::tools {

struct groups_options {
  client_options client;
  bool json = false;
};

/// A consumer handle without a group.id: it never joins a group, and only a
/// consumer honours isolation.level, which must be read_uncommitted so that
/// log end offsets (and hence lag) are the high watermark, as in Kafka's tool.
cli_result<kafka_handle> groups_client(const client_options& options);

/// Adds --json ("Print JSON") to `cmd`.
void add_json_flag(CLI::App& cmd, bool& json);

void add_groups_describe_command(CLI::App& groups, command_action& action);
void add_groups_reset_command(CLI::App& groups, command_action& action);

}  // namespace sluice::tools
