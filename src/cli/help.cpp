// Rendering of an option table: value texts, type names and the generated --help.
#include <sstream>

#include <fmt/format.h>

#include "cli/option_table.h"

namespace lt::cli {

std::string typeName(const Option& o) {
  return std::visit(
      [&](auto&& t) -> std::string {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, bool*>) return "bool";
        else if constexpr (std::is_same_v<T, int*> || std::is_same_v<T, int64_t*> ||
                           std::is_same_v<T, uint64_t*>) return "integer";
        else if constexpr (std::is_same_v<T, float*> || std::is_same_v<T, double*> ||
                           std::is_same_v<T, std::optional<double>*>)
          return o.duration ? "duration" : "number";
        else if constexpr (std::is_same_v<T, std::string*>) return o.allowed.empty() ? "string" : "enum";
        else if constexpr (std::is_same_v<T, std::vector<int>*>) return "integer list";
        else if constexpr (std::is_same_v<T, std::vector<double>*>) return "number list";
        else if constexpr (std::is_same_v<T, std::vector<std::string>*>) return "string list";
        else if constexpr (std::is_same_v<T, YAML::Node*>) return "yaml";
        else return t.typeName;
      },
      o.target);
}

std::string valueText(const Option& o) {
  auto join = [](const auto& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + fmt::format("{}", x);
    return "[" + s + "]";
  };
  return std::visit(
      [&](auto&& t) -> std::string {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, bool*>) return *t ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::optional<double>*>) return *t ? fmt::format("{}", **t) : "";
        else if constexpr (std::is_same_v<T, std::string*>) return *t;
        else if constexpr (std::is_same_v<T, std::vector<int>*> || std::is_same_v<T, std::vector<double>*> ||
                           std::is_same_v<T, std::vector<std::string>*>)
          return t->empty() ? "" : join(*t);
        else if constexpr (std::is_same_v<T, YAML::Node*>) return "";
        else if constexpr (std::is_same_v<T, CustomBinding>) return "";
        else return fmt::format("{}", *t);
      },
      o.target);
}

std::string OptionTable::helpText(const std::string& usage, const std::string& intro) const {
  std::ostringstream os;
  os << "Usage: " << usage << "\n" << intro << "\n";
  std::string group;
  for (const auto& o : options_) {
    if (o.group != group) {
      group = o.group;
      os << "\n" << group << ":\n";
    }
    std::string lhs = "  --" + o.name;
    for (const Alias& a : o.aliases)
      if (a.spelling.size() == 2 && !a.value) lhs += ", " + a.spelling;  // short flags
    const bool isFlag = std::holds_alternative<bool*>(o.target);
    if (!isFlag) lhs += " <" + typeName(o) + ">";
    os << lhs << std::string(lhs.size() < 36 ? 36 - lhs.size() : 1, ' ') << o.help;
    std::vector<std::string> notes;
    if (!o.allowed.empty()) {
      std::string a;
      for (const auto& v : o.allowed) a += (a.empty() ? "" : ", ") + v;
      notes.push_back("{" + a + "}");
    }
    if (o.lo && o.hi) notes.push_back(fmt::format("{} to {}", *o.lo, *o.hi));
    else if (o.lo) notes.push_back(fmt::format(">= {}", *o.lo));
    else if (o.hi) notes.push_back(fmt::format("<= {}", *o.hi));
    if (o.required) notes.push_back("required");
    else if (!o.defaultText.empty() && !(isFlag && o.defaultText == "false"))
      notes.push_back("default: " + o.defaultText);
    for (const Alias& a : o.aliases) {
      if (a.spelling.size() == 2 && !a.value) continue;
      notes.push_back(a.value ? fmt::format("{} = --{} {}", a.spelling, o.name, *a.value)
                              : fmt::format("old spelling {}", a.spelling));
    }
    for (const auto& n : notes) os << " [" << n << "]";
    os << "\n";
  }
  return os.str();
}

}  // namespace lt::cli
