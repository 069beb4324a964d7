// Typed option table: each option is declared once (kebab-case name = long
// flag = YAML key, bound struct field, help, allowed values or range, other
// spellings) and the table applies, in order of precedence (Marian's
// common/config_parser.h):
//     defaults (the struct's initial values)
//   < --config files, left to right
//   < command-line flags.
// Errors are ConfigError messages naming the file:line (yaml-cpp Mark) or the
// flag, the key, and the expected type, range or allowed values. Every lt
// program parses its command line with one of these (cli/program.h), and keys
// that several programs read come from one declaration (cli/shared_keys.h).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
                             std::optional<double>*, YAML::Node*, CustomBinding>;

// Another spelling of an option: "-b" (a short flag), "--beam" (an old name, also accepted as
// a YAML key "beam"), optionally standing for a fixed value ("--int8" = "--precision int8").
struct Alias {
  std::string spelling;
  std::optional<std::string> value;
};

struct Option {
  std::string name;                  // "max-updates"
  std::string help;
  std::string group;                 // help / dump section
  Binding target;
  std::vector<std::string> allowed;  // string options: the allowed values (empty = any)
  bool yaml = true;                  // false: command-line only (--config, --dump-config)
  bool duration = false;             // double seconds given as "90s", "45m", "1h30m" or a number
  bool required = false;             // must be given by a file or a flag
  std::optional<double> lo, hi;      // numbers (and list elements): inclusive bounds
  std::vector<Alias> aliases;
  std::string defaultText;           // the declared default, for --help ("" = none shown)
  Origin origin;
  bool set = false;                  // given by a file or flag

  // Declaration helpers: t.add(...).range(1, 64).alias("-b").
  Option& range(std::optional<double> low, std::optional<double> high = std::nullopt) {
    lo = low;
    hi = high;
    return *this;
  }
  Option& alias(std::string spelling, std::optional<std::string> value = std::nullopt) {
    aliases.push_back({std::move(spelling), std::move(value)});
    return *this;
  }
  Option& require() {
    required = true;
    return *this;
  }
  Option& commandLineOnly() {
    yaml = false;
    return *this;
  }
};

class OptionTable {
public:
  // Declares an option bound to `field`. Names must be unique kebab-case.
  Option& add(const std::string& group, const std::string& name, Binding field,
              const std::string& help, std::vector<std::string> allowed = {});

  // Applies a YAML map (a parsed --config file). Unknown keys and bad values throw
  // ConfigError "<file>:<line>: ...". A file with no keys at all is refused (a wrong or
  // empty file would otherwise train on the defaults).
  void applyYaml(const YAML::Node& root, const std::string& file);
  void applyYamlFile(const std::string& path);  // IoError when missing, ConfigError on syntax

  // Applies one command-line flag (name without "--", or an alias spelling) with its values.
  void applyFlag(const std::string& name, const std::vector<std::string>& values);

  // Parses argv from argv[first]: every --config file (left to right), then all other flags
  // in order. A list option given several times on the command line collects the values of
  // all its flags. Tokens starting with "--", and declared short aliases ("-b"), are flags;
  // the tokens after a flag up to the next flag are its values ("-5" and "-" are values).
  // Returns the canonical names of the flags seen. Throws ConfigError.
  std::vector<std::string> parseCommandLine(int argc, const char* const* argv, int first = 1);

  // ConfigError naming the first required option that no file or flag gave.
  void checkRequired() const;

  // The effective configuration as YAML (yaml options only, declaration order).
  std::string dumpYaml() const;
  // Generated help: usage line, intro, then per group each option with its type, aliases,
  // allowed values or range, default, and help text.
  std::string helpText(const std::string& usage, const std::string& intro) const;

  const Option* find(const std::string& name) const;  // by name or alias spelling
  Option* find(const std::string& name);
  bool isSet(const std::string& name) const;
  const std::vector<Option>& options() const { return options_; }

  // Closest declared name within edit distance 3, or "".
  std::string suggest(const std::string& unknown) const;

private:
  void applyNode(Option& opt, const YAML::Node& value, const std::string& where);
  std::vector<Option> options_;
  std::map<std::string, size_t> index_;  // by name (aliases are searched in options_)
};

// "file.yml:12" for a node of a YAML file (1-based line).
std::string markOf(const std::string& file, const YAML::Node& node);

// How a message names a value: "--beam-size" for a flag, "a.yml:3: key 'beam-size'" else.
std::string valueName(const std::string& where, const std::string& key);

// Renders the bound value as YAML text ("4", "[0.9, 0.98]", "fairseq"); "" for an unset
// optional or an empty string.
std::string valueText(const Option& o);
// "integer", "number", "bool", "string", "duration", ... for help and messages.
std::string typeName(const Option& o);

}  // namespace lt::cli
