#include "services/partition-server/storage/offset_checkpoint.h"

#include <fstream>
#include <string>

#include "services/partition-server/storage/posix_file.h"

namespace sluice::storage {

std::optional<offset> offset_checkpoint::load(const std::filesystem::path& dir, std::string_view name) {
  std::ifstream in(dir / name);
  if (!in) return std::nullopt;
  int version = -1;
  offset::type value = -1;
  if (!(in >> version >> value) || version != 0 || value < 0) return std::nullopt;
  return offset{value};
}

result<void> offset_checkpoint::persist(const std::filesystem::path& dir, std::string_view name, offset value) {
  const std::string text = "0\n" + std::to_string(value()) + "\n";
  return write_file_atomically(dir / name, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace sluice::storage
