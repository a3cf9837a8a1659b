#pragma once
// How `sluice up` recognises that a child can serve: every service logs a
// line containing the word `ready` (the process contract in docs/).
#include <string_view>

namespace sluice::tools {

/// True when `line` contains "ready" as a word start: not preceded by a
/// letter, so "coordinator ready: ..." and "[x] ready" count but "topic
/// already exists" does not.
bool is_ready_line(std::string_view line);

}  // namespace sluice::tools
