// Scalar parsers of configuration values (YAML keys and command-line flags), shared by the
// option tables (src/cli) and the model keys (src/models). `what` names the value in the
// ConfigError message, e.g. "a.yml:12: key 'max-updates'" or "--max-updates".
#pragma once
#include <cstdint>
#include <string>

namespace lt {

// true/false/yes/no/on/off/1/0, any case.
bool parseBool(const std::string& s, const std::string& what);
// An integer; also exact integers written 4e3 or 50000.0.
int64_t parseInt(const std::string& s, const std::string& what);
// A finite number (nan and inf are refused).
double parseDouble(const std::string& s, const std::string& what);
// A non-negative count with an optional k/K, M/m, G/g/B/b suffix: "90M", "3.5e6", "64k".
double parseCount(const std::string& s, const std::string& what);
// Seconds as a number or with units: "90s", "45m", "2h", "1h30m", "1d".
double parseDuration(const std::string& s, const std::string& what);

}  // namespace lt
