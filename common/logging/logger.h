#pragma once
// Named loggers, one per module, so a log line says which part of a service
// wrote it and each module's level can be set alone: logging::get("gateway"),
// logging::get("storage"). All share one stderr sink set up by init().
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace sluice::logging {

/// Call once at start: names the process in every line and sets the level
/// (trace, debug, info, warn, error, off).
void init(std::string_view process_name, std::string_view level = "info");

/// The logger for `module`, created on first use.
std::shared_ptr<spdlog::logger> get(const std::string& module);

/// For lifecycle lines others wait for ("ready", "stopping"): it logs at
/// info even when the process level is warn or error (only "off" silences
/// it), so `sluice up --log-level warn` still sees its children start.
std::shared_ptr<spdlog::logger> lifecycle();

}  // namespace sluice::logging
