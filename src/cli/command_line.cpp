// OptionTable::parseCommandLine: argv -> flags (long names, declared short aliases, values),
// applied as --config files first, then the flags in order.
#include <cctype>

#include "cli/option_table.h"
#include "common/error.h"

namespace lt::cli {

namespace {

bool isListOption(const Option& o) {
  return std::holds_alternative<std::vector<int>*>(o.target) ||
         std::holds_alternative<std::vector<double>*>(o.target) ||
         std::holds_alternative<std::vector<std::string>*>(o.target);
}

}  // namespace

std::vector<std::string> OptionTable::parseCommandLine(int argc, const char* const* argv, int first) {
  struct Flag {
    std::string name;  // as typed, without "--" for long flags ("beam-size", "-b")
    std::vector<std::string> values;
  };
  // A token is a flag when it starts with "--", or is a declared short alias; "-x" for an
  // undeclared letter x is an unknown flag, while "-5", "-.5" and "-" are values.
  auto isFlag = [&](const std::string& a) {
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) return true;
    return a.size() == 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1]));
  };
  std::vector<Flag> flags;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    LT_CHECK(isFlag(a), ConfigError, "unexpected argument '{}' (options are written --name value)", a);
    Flag f;
    size_t eq = a.find('=');
    if (a[1] == '-' && eq != std::string::npos) {
      f.name = a.substr(2, eq - 2);
      f.values.push_back(a.substr(eq + 1));
    } else {
      f.name = a[1] == '-' ? a.substr(2) : a;
      while (i + 1 < argc && !isFlag(argv[i + 1])) f.values.push_back(argv[++i]);
    }
    flags.push_back(std::move(f));
  }
  // A list option given several times collects all its values at its first position.
  std::vector<Flag> merged;
  for (auto& f : flags) {
    const Option* o = find(f.name);
    bool joined = false;
    if (o && isListOption(*o))
      for (auto& m : merged)
        if (find(m.name) == o) {
          m.values.insert(m.values.end(), f.values.begin(), f.values.end());
          joined = true;
          break;
        }
    if (!joined) merged.push_back(std::move(f));
  }
  // 1) config files, left to right
  for (const auto& f : merged) {
    if (f.name != "config") continue;
    LT_CHECK(!f.values.empty(), ConfigError, "--config needs at least one file");
    for (const auto& path : f.values) applyYamlFile(path);
    if (Option* o = find("config")) {
      if (auto* v = std::get_if<std::vector<std::string>*>(&o->target))
        (*v)->insert((*v)->end(), f.values.begin(), f.values.end());
      o->set = true;
    }
  }
  // 2) flags in order
  std::vector<std::string> seen;
  for (const auto& f : merged) {
    const Option* o = find(f.name);
    seen.push_back(o ? o->name : f.name);
    if (f.name == "config") continue;
    applyFlag(f.name, f.values);
  }
  return seen;
}

}  // namespace lt::cli
