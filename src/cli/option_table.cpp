#include "cli/option_table.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/parse.h"

namespace lt::cli {

namespace {

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

// The shortest text that reads back as the same float (0.6f prints "0.6", not 0.6000000238).
YAML::Node floatNode(float v) { return YAML::Node(fmt::format("{}", v)); }

std::string boundText(double v) { return fmt::format("{}", v); }

// ConfigError unless lo <= x <= hi.
void checkRange(const Option& o, double x, const std::string& what, const char* kind) {
  const bool low = o.lo && x < *o.lo, high = o.hi && x > *o.hi;
  if (!low && !high) return;
  if (o.lo && o.hi)
    LT_THROW(ConfigError, "{}: expected {} between {} and {}, got {}", what, kind, boundText(*o.lo),
             boundText(*o.hi), boundText(x));
  LT_THROW(ConfigError, "{}: expected {} {} {}, got {}", what, kind, low ? ">=" : "<=",
           boundText(low ? *o.lo : *o.hi), boundText(x));
}

}  // namespace

std::string markOf(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return file;
  return file + ":" + std::to_string(m.line + 1);
}

std::string valueName(const std::string& where, const std::string& key) {
  if (!where.empty() && where[0] == '-') return where;  // a flag names itself
  return where + ": key '" + key + "'";
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
  o.defaultText = valueText(o);
  index_[name] = options_.size();
  options_.push_back(std::move(o));
  return options_.back();
}

namespace {

// The option and alias a spelling names: "beam-size" or "beam" (long, without "--"), "-b".
template <class Options>
auto resolve(Options& options, const std::map<std::string, size_t>& index, const std::string& name)
    -> std::pair<decltype(&options[0]), const Alias*> {
  auto it = index.find(name);
  if (it != index.end()) return {&options[it->second], nullptr};
  const std::string asLong = "--" + name;
  for (auto& o : options)
    for (const Alias& a : o.aliases)
      if (a.spelling == name || a.spelling == asLong) return {&o, &a};
  return {nullptr, nullptr};
}

}  // namespace

const Option* OptionTable::find(const std::string& name) const { return resolve(options_, index_, name).first; }
Option* OptionTable::find(const std::string& name) { return resolve(options_, index_, name).first; }
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
  const std::string what = valueName(where, opt.name);
  auto needScalar = [&](const char* kind) {
    LT_CHECK(v.IsScalar(), ConfigError, "{}: expected {}, got {}", what, kind, nodeKind(v));
  };
  auto listItems = [&](const char* kind) {
    std::vector<std::string> items;
    if (v.IsSequence()) {
      for (const auto& e : v) {
        LT_CHECK(e.IsScalar(), ConfigError, "{}: expected {}, got a nested {}", what, kind,
                 e.IsMap() ? "map" : "list");
        items.push_back(e.Scalar());
      }
    } else if (v.IsScalar() && std::holds_alternative<std::vector<std::string>*>(opt.target) &&
               opt.allowed.empty()) {
      items.push_back(v.Scalar());  // one file name, spaces and commas included
    } else if (v.IsScalar()) {
      // "0.9,0.98" or "0.9 0.98" or a single value
      std::string s = v.Scalar();
      std::replace(s.begin(), s.end(), ',', ' ');
      std::istringstream is(s);
      for (std::string t; is >> t;) items.push_back(t);
    } else if (!v.IsNull()) {
      LT_THROW(ConfigError, "{}: expected {}, got {}", what, kind, nodeKind(v));
    }
    return items;
  };
  auto checkAllowed = [&](const std::string& s) {
    if (!opt.allowed.empty())
      LT_CHECK(std::find(opt.allowed.begin(), opt.allowed.end(), s) != opt.allowed.end(), ConfigError,
               "{}: '{}' is not allowed (allowed values: {})", what, s, joinAllowed(opt.allowed));
  };
  auto integer = [&](const std::string& s) {
    int64_t x = parseInt(s, what);
    checkRange(opt, double(x), what, "an integer");
    return x;
  };
  auto number = [&](const std::string& s) {
    double x = opt.duration ? parseDuration(s, what) : parseDouble(s, what);
    checkRange(opt, x, what, opt.duration ? "a duration" : "a number");
    return x;
  };

  std::visit(
      [&](auto&& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, bool*>) {
          needScalar("a bool (true or false)");
          *t = parseBool(v.Scalar(), what);
        } else if constexpr (std::is_same_v<T, int*>) {
          needScalar("an integer");
          int64_t x = integer(v.Scalar());
          LT_CHECK(x >= INT32_MIN && x <= INT32_MAX, ConfigError, "{}: {} is out of range", what, x);
          *t = int(x);
        } else if constexpr (std::is_same_v<T, int64_t*>) {
          needScalar("an integer");
          *t = integer(v.Scalar());
        } else if constexpr (std::is_same_v<T, uint64_t*>) {
          needScalar("a non-negative integer");
          int64_t x = integer(v.Scalar());
          LT_CHECK(x >= 0, ConfigError, "{}: expected a non-negative integer, got {}", what, x);
          *t = uint64_t(x);
        } else if constexpr (std::is_same_v<T, float*> || std::is_same_v<T, double*>) {
          needScalar(opt.duration ? "a duration" : "a number");
          *t = static_cast<std::remove_pointer_t<T>>(number(v.Scalar()));
        } else if constexpr (std::is_same_v<T, std::optional<double>*>) {
          if (v.IsNull()) {  // "key: ~" (as --dump-config writes an unset value): unset
            t->reset();
          } else {
            needScalar("a number");
            *t = number(v.Scalar());
          }
        } else if constexpr (std::is_same_v<T, std::string*>) {
          needScalar(opt.allowed.empty() ? "a string" : "one of the allowed values");
          checkAllowed(v.Scalar());
          *t = v.Scalar();
        } else if constexpr (std::is_same_v<T, std::vector<int>*>) {
          std::vector<int> out;
          for (const auto& s : listItems("a list of integers")) out.push_back(int(integer(s)));
          *t = out;
        } else if constexpr (std::is_same_v<T, std::vector<double>*>) {
          std::vector<double> out;
          for (const auto& s : listItems("a list of numbers")) out.push_back(number(s));
          *t = out;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>*>) {
          auto items = listItems("a list of strings");
          for (const auto& s : items) checkAllowed(s);
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
  LT_CHECK(root && !root.IsNull() && !(root.IsMap() && root.size() == 0), ConfigError,
           "{}: the config file has no keys (it is empty or all comments); give a file of "
           "'key: value' lines",
           file);
  LT_CHECK(root.IsMap(), ConfigError, "{}: a config file must be a map of 'key: value' lines, got {}",
           markOf(file, root), nodeKind(root));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    auto [opt, alias] = resolve(options_, index_, key);
    if (!opt || !opt->yaml || (alias && alias->spelling.rfind("--", 0) != 0)) {
      std::string s = suggest(key);
      LT_THROW(ConfigError, "{}: unknown key '{}'{}", markOf(file, it->first), key,
               s.empty() ? std::string(" (see --help for the keys)")
                         : " (did you mean '" + s + "'?)");
    }
    const std::string where = markOf(file, it->second.IsNull() ? it->first : it->second);
    if (alias && alias->value) {
      // A value alias as a key ("int8: true"): true applies the alias' value.
      LT_CHECK(it->second.IsScalar() && parseBool(it->second.Scalar(), valueName(where, key)),
               ConfigError, "{}: key '{}' stands for '{}: {}'; write that instead", where, key,
               opt->name, *alias->value);
      applyNode(*opt, YAML::Node(*alias->value), where);
      continue;
    }
    applyNode(*opt, it->second, where);
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
  auto [opt, alias] = resolve(options_, index_, name);
  const std::string typed = name.rfind("-", 0) == 0 ? name : "--" + name;
  if (!opt) {
    std::string s = suggest(name);
    LT_THROW(ConfigError, "unknown option {}{}", typed,
             s.empty() ? std::string(" (see --help)") : " (did you mean --" + s + "?)");
  }
  // Messages name the flag as typed, and the option it stands for when that differs.
  const std::string where = alias ? typed + " (--" + opt->name + ")" : typed;
  if (alias && alias->value) {
    LT_CHECK(values.empty(), ConfigError, "{} takes no value (it stands for --{} {})", typed, opt->name,
             *alias->value);
    applyNode(*opt, YAML::Node(*alias->value), where);
    return;
  }
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
    // File names and other free strings are taken whole (they may hold spaces and commas);
    // numbers and allowed values may also be written "0.9,0.98" or "[0.9, 0.98]".
    const bool verbatim = std::holds_alternative<std::vector<std::string>*>(opt->target) && opt->allowed.empty();
    for (const auto& v : values) {
      if (verbatim) {
        node.push_back(YAML::Node(v));
      } else if (!v.empty() && v.front() == '[') {
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

void OptionTable::checkRequired() const {
  for (const auto& o : options_)
    LT_CHECK(!o.required || o.set, ConfigError, "--{} is required ({})", o.name, o.help);
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
      if (!group.empty()) out << YAML::Newline;
      group = o.group;
      out << YAML::Comment(group);
    }
    out << YAML::Key << o.name << YAML::Value;
    std::visit(
        [&](auto&& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, bool*>) out << (*t ? "true" : "false");
          else if constexpr (std::is_same_v<T, float*>)
            out << floatNode(*t);
          else if constexpr (std::is_same_v<T, double*>)
            out << numberNode(*t);
          else if constexpr (std::is_same_v<T, std::optional<double>*>) {
            if (*t) out << numberNode(**t);
            else out << YAML::Null;
          } else if constexpr (std::is_same_v<T, std::vector<double>*>) {
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

}  // namespace lt::cli
