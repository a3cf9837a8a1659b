// sluice: run a local Sluice stack and talk to it over the Kafka protocol.
// One file per subcommand (tools/README.md); this file only wires them.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tools/sluice/commands.h"

namespace sluice::tools {

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

}  // namespace sluice::tools

int main(int argc, char** argv) {
  using namespace sluice::tools;
  CLI::App app{"sluice: run a local Sluice stack (up) and administer, produce to, consume from and benchmark it"};
  app.require_subcommand(1);
  command_action action;
  add_up_command(app, action);
  add_topics_command(app, action);
  add_produce_command(app, action);
  add_consume_command(app, action);
  add_bench_command(app, action);
  add_reassign_command(app, action);
  add_elect_leaders_command(app, action);
  add_groups_command(app, action);
  add_transactions_command(app, action);
  CLI11_PARSE(app, argc, argv);
  if (!action) return fail("no command given (see --help)");
  return action();
}
