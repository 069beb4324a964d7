#include "common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "common/error.h"

namespace lt {

void initLogging(const std::string& level, const std::string& logFile) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!logFile.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(logFile, false));
    } catch (const spdlog::spdlog_ex& e) {
      LT_THROW(IoError, "cannot open log file '{}': {}", logFile, e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("lt", sinks.begin(), sinks.end());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S] [%l] %v");
  auto lvl = spdlog::level::from_str(level);
  LT_CHECK(lvl != spdlog::level::off || level == "off", ConfigError,
           "--log-level: unknown level '{}' (expected trace, debug, info, warn, error, off)", level);
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

}  // namespace lt
