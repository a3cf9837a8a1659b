#include "common/logging/logger.h"

#include <algorithm>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sluice::logging {
namespace {

std::mutex registry_mutex;
std::string process_label = "sluice";
spdlog::level::level_enum process_level = spdlog::level::info;

constexpr const char* lifecycle_name = "lifecycle";

spdlog::level::level_enum lifecycle_level() {
  return process_level == spdlog::level::off ? spdlog::level::off : std::min(process_level, spdlog::level::info);
}

spdlog::sink_ptr shared_sink() {
  static spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

}  // namespace

void init(std::string_view process_name, std::string_view level) {
  std::lock_guard lock(registry_mutex);
  process_label = std::string(process_name);
  process_level = spdlog::level::from_str(std::string(level));
  shared_sink()->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [" + process_label + "] %n: %v");
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) {
    l->set_level(l->name() == lifecycle_name ? lifecycle_level() : process_level);
  });
}

std::shared_ptr<spdlog::logger> get(const std::string& module) {
  std::lock_guard lock(registry_mutex);
  if (auto existing = spdlog::get(module)) return existing;
  auto logger = std::make_shared<spdlog::logger>(module, shared_sink());
  logger->set_level(module == lifecycle_name ? lifecycle_level() : process_level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

std::shared_ptr<spdlog::logger> lifecycle() { return get(lifecycle_name); }

}  // namespace sluice::logging
