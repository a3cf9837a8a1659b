#pragma once
// A small streaming JSON writer for `--json` output and the `.cmd` files of
// `sluice up`. Debian has no JSON library among the project's build
// dependencies, and the command only ever writes JSON, never parses it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tools {

/// `s` as a JSON string literal, quotes included. Control characters are
/// escaped; bytes >= 0x80 pass through (the input is taken to be UTF-8).
std::string json_quote(std::string_view s);

/// `["a","b"]`: how `sluice up` records a child's command line.
std::string json_string_array(const std::vector<std::string>& items);

/// Builds one JSON document. Commas are placed by the writer; the caller
/// only opens and closes containers and alternates key()/value() inside
/// objects. Misuse (a value without a key inside an object) is a caller bug
/// that produces invalid JSON rather than a crash.
class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view(s)); }
  json_writer& value(const std::string& s) { return value(std::string_view(s)); }
  json_writer& value(std::int64_t n);
  json_writer& value(int n) { return value(static_cast<std::int64_t>(n)); }
  json_writer& value(double d);
  json_writer& value(bool b);
  json_writer& null();

  const std::string& str() const { return out_; }

 private:
  void before_value();

  std::string out_;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace sluice::tools
