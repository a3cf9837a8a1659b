#pragma once
// Each subcommand lives in its own file and registers itself on the root
// CLI11 app. A subcommand's callback stores the work to do in `action`;
// main() runs it after parsing and returns its exit code.
#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sluice::tools {

using command_action = std::function<int()>;

void add_up_command(CLI::App& app, command_action& action);
void add_topics_command(CLI::App& app, command_action& action);
void add_produce_command(CLI::App& app, command_action& action);
void add_consume_command(CLI::App& app, command_action& action);
void add_bench_command(CLI::App& app, command_action& action);
/// `bench transactions`, a subcommand of `bench` (app is the bench command).
void add_bench_transactions_command(CLI::App& bench, command_action& action);
void add_reassign_command(CLI::App& app, command_action& action);
void add_elect_leaders_command(CLI::App& app, command_action& action);
void add_groups_command(CLI::App& app, command_action& action);
void add_transactions_command(CLI::App& app, command_action& action);

/// Prints "error: <message>" on stderr and returns the exit code 1.
int fail(const std::string& message);

}  // namespace sluice::tools
