#include "services/partition-server/storage/cleaner_checkpoint.h"

#include <fstream>
#include <string>

#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

std::optional<offset> cleaner_checkpoint::load(const std::filesystem::path& dir) {
  std::ifstream in(dir / file_name);
  if (!in) return std::nullopt;
  int version = -1;
  offset::type value = -1;
  if (!(in >> version >> value) || version != 0 || value < 0) return std::nullopt;
  return offset{value};
}

result<void> cleaner_checkpoint::persist(const std::filesystem::path& dir, offset first_dirty_offset) {
  const std::string text = "0\n" + std::to_string(first_dirty_offset()) + "\n";
  return write_file_atomically(dir / file_name, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace sluice::storage
