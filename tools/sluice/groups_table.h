#pragma once
// Left-aligned columns, as kafka-consumer-groups.sh prints its tables: a
// header row, every column as wide as its widest cell plus two spaces.
#include <string>
#include <vector>

namespace sluice::tools {

class text_table {
 public:
  explicit text_table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  /// Every row with its trailing newline; the last column is not padded.
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sluice::tools
