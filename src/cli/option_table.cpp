#include "cli/option_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace lt::cli {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string joinAllowed(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string typeName(const Option& o) {
  return std::visit(
      [&](auto&& t) -> std::string {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, bool*>) return "bool";
        else if constexpr (std::is_same_v<T, int*> || std::is_same_v<T, int64_t*> ||
                           std::is_same_v<T, uint64_t*>) return "integer";
        else if constexpr (std::is_same_v<T, float*> || std::is_same_v<T, double*>)
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

const char* nodeKind(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "nothing (null)";
  return "a scalar";
}

YAML::Node numberNode(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return YAML::Node(os.str());
}

}  // namespace

std::string markOf(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return file;
  return file + ":" + std::to_string(m.line + 1);
}

bool parseBool(const std::string& s0, const std::string& where, const std::string& key) {
  std::string s = trim(s0);
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  LT_THROW(ConfigError, "{}: key '{}': expected a bool (true or false), got '{}'", where, key, s0);
}

int64_t parseInt(const std::string& s0, const std::string& where, const std::string& key) {
  std::string s = trim(s0);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
  // Also accept exact integers written as 4e3 or 50000.0.
  double d = 0;
  auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec2 == std::errc() && p2 == s.data() + s.size() && !s.empty() && std::floor(d) == d &&
      std::fabs(d) < 9e18)
    return int64_t(d);
  LT_THROW(ConfigError, "{}: key '{}': expected an integer, got '{}'", where, key, s0);
}

double parseDouble(const std::string& s0, const std::string& where, const std::string& key) {
  std::string s = trim(s0);
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty() && std::isfinite(d)) return d;
  LT_THROW(ConfigError, "{}: key '{}': expected a number, got '{}'", where, key, s0);
}

double parseCount(const std::string& s0, const std::string& where, const std::string& key) {
  std::string s = trim(s0);
  double mult = 1;
  if (!s.empty()) {
    char c = s.back();
    if (c == 'k' || c == 'K') mult = 1e3;
    else if (c == 'M' || c == 'm') mult = 1e6;
    else if (c == 'G' || c == 'g' || c == 'B') mult = 1e9;
    if (mult != 1) s.pop_back();
  }
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty() && std::isfinite(d) && d >= 0)
    return d * mult;
  LT_THROW(ConfigError, "{}: key '{}': expected a non-negative count such as 90000000, 90M or 3.5e6, got '{}'",
           where, key, s0);
}

double parseDuration(const std::string& s0, const std::string& where, const std::string& key) {
  std::string s = trim(s0);
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + j, v);
    if (ec != std::errc() || p != s.data() + j || j == i) {
      any = false;
      break;
    }
    double unit = 1;
    if (j < s.size()) {
      char u = s[j++];
      if (u == 's') unit = 1;
      else if (u == 'm') unit = 60;
      else if (u == 'h') unit = 3600;
      else if (u == 'd') unit = 86400;
      else {
        any = false;
        break;
      }
    }
    total += v * unit;
    any = true;
    i = j;
  }
  LT_CHECK(any, ConfigError,
           "{}: key '{}': expected a duration such as 3600, 90s, 45m, 2h or 1h30m, got '{}'", where,
           key, s0);
  return total;
}

Option& OptionTable::add(const std::string& group, const std::string& name, Binding field,
                         const std::string& help, std::vector<std::string> allowed) {
  LT_CHECK(!index_.count(name), Error, "option '{}' declared twice", name);
  Option o;
  o.name = name;
  o.help = help;
  o.group = group;
  o.target = std::move(field);
  o.allowed = std::move(allowed);
  index_[name] = options_.size();
  options_.push_back(std::move(o));
  return options_.back();
}

const Option* OptionTable::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &options_[it->second];
}
Option* OptionTable::find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &options_[it->second];
}
bool OptionTable::isSet(const std::string& name) const {
  const Option* o = find(name);
  return o && o->set;
}

std::string OptionTable::suggest(const std::string& unknown) const {
  std::string best;
  size_t bestD = 4;
  for (const auto& o : options_) {
    size_t d = editDistance(unknown, o.name);
    if (d < bestD) {
      bestD = d;
      best = o.name;
    }
  }
  return best;
}

void OptionTable::applyNode(Option& opt, const YAML::Node& v, const std::string& where) {
  const std::string& key = opt.name;
  auto needScalar = [&](const char* what) {
    LT_CHECK(v.IsScalar(), ConfigError, "{}: key '{}': expected {}, got {}", where, key, what,
             nodeKind(v));
  };
  auto listItems = [&](const char* what) {
    std::vector<std::string> items;
    if (v.IsSequence()) {
      for (const auto& e : v) {
        LT_CHECK(e.IsScalar(), ConfigError, "{}: key '{}': expected {}, got a nested {}", where, key,
                 what, e.IsMap() ? "map" : "list");
        items.push_back(e.Scalar());
      }
    } else if (v.IsScalar()) {
      // "0.9,0.98" or "0.9 0.98" or a single value
      std::string s = v.Scalar();
      std::replace(s.begin(), s.end(), ',', ' ');
      std::istringstream is(s);
      for (std::string t; is >> t;) items.push_back(t);
    } else if (!v.IsNull()) {
      LT_THROW(ConfigError, "{}: key '{}': expected {}, got {}", where, key, what, nodeKind(v));
    }
    return items;
  };

  std::visit(
      [&](auto&& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, bool*>) {
          needScalar("a bool (true or false)");
          *t = parseBool(v.Scalar(), where, key);
        } else if constexpr (std::is_same_v<T, int*>) {
          needScalar("an integer");
          int64_t x = parseInt(v.Scalar(), where, key);
          LT_CHECK(x >= INT32_MIN && x <= INT32_MAX, ConfigError, "{}: key '{}': {} is out of range",
                   where, key, x);
          *t = int(x);
        } else if constexpr (std::is_same_v<T, int64_t*>) {
          needScalar("an integer");
          *t = parseInt(v.Scalar(), where, key);
        } else if constexpr (std::is_same_v<T, uint64_t*>) {
          needScalar("a non-negative integer");
          int64_t x = parseInt(v.Scalar(), where, key);
          LT_CHECK(x >= 0, ConfigError, "{}: key '{}': expected a non-negative integer, got {}", where,
                   key, x);
          *t = uint64_t(x);
        } else if constexpr (std::is_same_v<T, float*> || std::is_same_v<T, double*>) {
          needScalar(opt.duration ? "a duration" : "a number");
          double x = opt.duration ? parseDuration(v.Scalar(), where, key)
                                  : parseDouble(v.Scalar(), where, key);
          *t = static_cast<std::remove_pointer_t<T>>(x);
        } else if constexpr (std::is_same_v<T, std::string*>) {
          needScalar(opt.allowed.empty() ? "a string" : "one of the allowed values");
          const std::string s = v.Scalar();
          if (!opt.allowed.empty())
            LT_CHECK(std::find(opt.allowed.begin(), opt.allowed.end(), s) != opt.allowed.end(),
                     ConfigError, "{}: key '{}': '{}' is not allowed (allowed values: {})", where, key,
                     s, joinAllowed(opt.allowed));
          *t = s;
        } else if constexpr (std::is_same_v<T, std::vector<int>*>) {
          std::vector<int> out;
          for (const auto& s : listItems("a list of integers"))
            out.push_back(int(parseInt(s, where, key)));
          *t = out;
        } else if constexpr (std::is_same_v<T, std::vector<double>*>) {
          std::vector<double> out;
          for (const auto& s : listItems("a list of numbers")) out.push_back(parseDouble(s, where, key));
          *t = out;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>*>) {
          auto items = listItems("a list of strings");
          if (!opt.allowed.empty())
            for (const auto& s : items)
              LT_CHECK(std::find(opt.allowed.begin(), opt.allowed.end(), s) != opt.allowed.end(),
                       ConfigError, "{}: key '{}': '{}' is not allowed (allowed values: {})", where,
                       key, s, joinAllowed(opt.allowed));
          *t = items;
        } else if constexpr (std::is_same_v<T, YAML::Node*>) {
          *t = YAML::Clone(v);
        } else {
          t.set(v, where);
        }
      },
      opt.target);
  opt.set = true;
  opt.origin.where = where;
}

void OptionTable::applyYaml(const YAML::Node& root, const std::string& file) {
  if (!root || root.IsNull()) return;  // empty file
  LT_CHECK(root.IsMap(), ConfigError, "{}: a config file must be a map of 'key: value' lines, got {}",
           markOf(file, root), nodeKind(root));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    Option* opt = find(key);
    if (!opt || !opt->yaml) {
      std::string s = suggest(key);
      LT_THROW(ConfigError, "{}: unknown key '{}'{}", markOf(file, it->first), key,
               s.empty() ? std::string(" (see --help for the keys)")
                         : " (did you mean '" + s + "'?)");
    }
    applyNode(*opt, it->second, markOf(file, it->second.IsNull() ? it->first : it->second));
  }
}

void OptionTable::applyYamlFile(const std::string& path) {
  std::ifstream in(path);
  LT_CHECK(in.good(), IoError, "--config: cannot open '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::Exception& e) {
    LT_THROW(ConfigError, "{}:{}:{}: YAML syntax error: {}", path, e.mark.line + 1,
             e.mark.column + 1, e.msg);
  }
  applyYaml(root, path);
}

void OptionTable::applyFlag(const std::string& name, const std::vector<std::string>& values) {
  Option* opt = find(name);
  if (!opt) {
    std::string s = suggest(name);
    LT_THROW(ConfigError, "unknown option --{}{}", name,
             s.empty() ? std::string(" (see --help)") : " (did you mean --" + s + "?)");
  }
  const std::string where = "--" + name;
  YAML::Node node;
  bool isList = std::holds_alternative<std::vector<int>*>(opt->target) ||
                std::holds_alternative<std::vector<double>*>(opt->target) ||
                std::holds_alternative<std::vector<std::string>*>(opt->target);
  bool isYaml = std::holds_alternative<YAML::Node*>(opt->target) ||
                std::holds_alternative<CustomBinding>(opt->target);
  if (std::holds_alternative<bool*>(opt->target) && values.empty()) {
    node = YAML::Node("true");
  } else if (isList) {
    node = YAML::Node(YAML::NodeType::Sequence);
    for (const auto& v : values) {
      if (!v.empty() && v.front() == '[') {
        try {
          for (const auto& e : YAML::Load(v)) node.push_back(e);
        } catch (const YAML::Exception& e) {
          LT_THROW(ConfigError, "{}: cannot parse '{}' as a list: {}", where, v, e.msg);
        }
      } else {
        std::string s = v;
        std::replace(s.begin(), s.end(), ',', ' ');
        std::istringstream is(s);
        for (std::string t; is >> t;) node.push_back(t);
      }
    }
  } else {
    LT_CHECK(values.size() == 1, ConfigError, "{} takes one value, got {}", where, values.size());
    if (isYaml) {
      try {
        node = YAML::Load(values[0]);
      } catch (const YAML::Exception& e) {
        LT_THROW(ConfigError, "{}: cannot parse '{}' as YAML: {}", where, values[0], e.msg);
      }
      // A plain scalar carries no file position: messages then name just the flag.
      if (node.IsScalar()) node = YAML::Node(node.Scalar());
    } else {
      node = YAML::Node(values[0]);
    }
  }
  applyNode(*opt, node, where);
}

std::vector<std::string> OptionTable::parseCommandLine(int argc, const char* const* argv) {
  struct Flag {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Flag> flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    LT_CHECK(a.size() > 2 && a.compare(0, 2, "--") == 0, ConfigError,
             "unexpected argument '{}' (options are written --name value)", a);
    Flag f;
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      f.name = a.substr(2, eq - 2);
      f.values.push_back(a.substr(eq + 1));
    } else {
      f.name = a.substr(2);
      while (i + 1 < argc && std::string(argv[i + 1]).compare(0, 2, "--") != 0)
        f.values.push_back(argv[++i]);
    }
    flags.push_back(std::move(f));
  }
  std::vector<std::string> seen;
  // 1) config files, left to right
  for (const auto& f : flags) {
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
  for (const auto& f : flags) {
    seen.push_back(f.name);
    if (f.name == "config") continue;
    applyFlag(f.name, f.values);
  }
  return seen;
}

std::string OptionTable::dumpYaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string group;
  for (const auto& o : options_) {
    if (!o.yaml) continue;
    YAML::Node custom;
    if (const auto* c = std::get_if<CustomBinding>(&o.target)) {
      custom = c->get();
      if (!custom.IsDefined()) continue;  // the binding has nothing to say (key left at its default)
    }
    if (o.group != group) {
      group = o.group;
      out << YAML::Newline << YAML::Comment(group);
    }
    out << YAML::Key << o.name << YAML::Value;
    std::visit(
        [&](auto&& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, bool*>) out << (*t ? "true" : "false");
          else if constexpr (std::is_same_v<T, float*> || std::is_same_v<T, double*>)
            out << numberNode(double(*t));
          else if constexpr (std::is_same_v<T, std::vector<double>*>) {
            out << YAML::Flow << YAML::BeginSeq;
            for (double x : *t) out << numberNode(x);
            out << YAML::EndSeq;
          } else if constexpr (std::is_same_v<T, std::vector<int>*> ||
                               std::is_same_v<T, std::vector<std::string>*>) {
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& x : *t) out << x;
            out << YAML::EndSeq;
          } else if constexpr (std::is_same_v<T, YAML::Node*>) {
            if (t->IsDefined() && !t->IsNull()) out << *t;
            else out << YAML::Null;
          } else if constexpr (std::is_same_v<T, CustomBinding>) {
            out << custom;
          } else {
            out << *t;
          }
        },
        o.target);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string OptionTable::helpText(const std::string& program, const std::string& intro) const {
  std::ostringstream os;
  os << "Usage: " << program << " [--config FILE...] [--option value...]\n" << intro << "\n";
  std::string group;
  for (const auto& o : options_) {
    if (o.group != group) {
      group = o.group;
      os << "\n" << group << ":\n";
    }
    std::string lhs = "  --" + o.name + " <" + typeName(o) + ">";
    os << lhs;
    os << std::string(lhs.size() < 36 ? 36 - lhs.size() : 1, ' ') << o.help;
    if (!o.allowed.empty()) os << " {" << joinAllowed(o.allowed) << "}";
    os << "\n";
  }
  return os.str();
}

}  // namespace lt::cli
