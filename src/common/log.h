// Logging set-up (spdlog). Library code logs through spdlog's default logger;
// apps call initLogging() once to add a file sink and set the level.
#pragma once
#include <spdlog/spdlog.h>
#include <string>

namespace lt {

// level: "trace", "debug", "info", "warn", "error". logFile: empty = stderr only.
void initLogging(const std::string& level = "info", const std::string& logFile = "");

}  // namespace lt
