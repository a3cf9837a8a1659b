#include "tools/sluice/ready_line.h"

#include <cctype>

namespace sluice::tools {

bool is_ready_line(std::string_view line) {
  constexpr std::string_view word = "ready";
  for (auto at = line.find(word); at != std::string_view::npos; at = line.find(word, at + 1)) {
    if (at == 0 || !std::isalpha(static_cast<unsigned char>(line[at - 1]))) return true;
  }
  return false;
}

}  // namespace sluice::tools
