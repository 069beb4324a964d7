// Typed option table: each option is declared once (kebab-case name = long
// flag = YAML key, bound struct field, help, allowed values) and the table
// applies, in order of precedence (Marian's common/config_parser.h):
//     defaults (the struct's initial values)
//   < --config files, left to right
//   < command-line flags.
// Errors are ConfigError messages naming the file:line (yaml-cpp Mark) or the
// flag, the key, and the expected type or the allowed values.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace lt::cli {

// Where a value came from, for messages: "defaults", "file.yml:12", "--flag".
struct Origin {
  std::string where = "defaults";
};

// A custom option: parses a node (scalar, list or map) itself.
struct CustomBinding {
  std::function<void(const YAML::Node& value, const std::string& where)> set;
  std::function<YAML::Node()> get;
  std::string typeName;  // for help: "map", "{mult-adds, params}"
};

using Binding = std::variant<bool*, int*, int64_t*, uint64_t*, float*, double*, std::string*,
                             std::vector<int>*, std::vector<double>*, std::vector<std::string>*,
                             YAML::Node*, CustomBinding>;

struct Option {
  std::string name;                  // "max-updates"
  std::string help;
  std::string group;                 // help / dump section
  Binding target;
  std::vector<std::string> allowed;  // string options: the allowed values (empty = any)
  bool yaml = true;                  // false: command-line only (--config, --dump-config)
  bool duration = false;             // double seconds given as "90s", "45m", "1h30m" or a number
  Origin origin;
  bool set = false;                  // given by a file or flag
};

class OptionTable {
public:
  // Declares an option bound to `field`. Names must be unique kebab-case.
  Option& add(const std::string& group, const std::string& name, Binding field,
              const std::string& help, std::vector<std::string> allowed = {});

  // Applies a YAML map (a parsed --config file). Unknown keys and bad values throw
  // ConfigError "<file>:<line>: ...".
  void applyYaml(const YAML::Node& root, const std::string& file);
  void applyYamlFile(const std::string& path);  // IoError when missing, ConfigError on syntax

  // Applies one command-line flag (name without "--") with its raw values.
  void applyFlag(const std::string& name, const std::vector<std::string>& values);

  // Parses argv: first every --config file (left to right), then all other
  // flags in order. Returns the names of the flags seen (for --help etc.).
  std::vector<std::string> parseCommandLine(int argc, const char* const* argv);

  // The effective configuration as YAML (yaml options only, declaration order).
  std::string dumpYaml() const;
  std::string helpText(const std::string& program, const std::string& intro) const;

  const Option* find(const std::string& name) const;
  Option* find(const std::string& name);
  bool isSet(const std::string& name) const;
  const std::vector<Option>& options() const { return options_; }

  // Closest declared name within edit distance 3, or "".
  std::string suggest(const std::string& unknown) const;

private:
  void applyNode(Option& opt, const YAML::Node& value, const std::string& where);
  std::vector<Option> options_;
  std::map<std::string, size_t> index_;
};

// Converts a scalar with a message naming `where` and `key`.
// Accepted: bool true/false/yes/no/on/off/1/0; integers (also 4e3 if exact);
// numbers with optional k/M/G suffix for counts (e.g. "90M").
bool parseBool(const std::string& s, const std::string& where, const std::string& key);
int64_t parseInt(const std::string& s, const std::string& where, const std::string& key);
double parseDouble(const std::string& s, const std::string& where, const std::string& key);
double parseCount(const std::string& s, const std::string& where, const std::string& key);
double parseDuration(const std::string& s, const std::string& where, const std::string& key);

// "file.yml:12" for a node of a YAML file (1-based line).
std::string markOf(const std::string& file, const YAML::Node& node);

}  // namespace lt::cli
