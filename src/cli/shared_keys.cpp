#include "cli/shared_keys.h"

#include <optional>

#include "common/error.h"

namespace lt::cli {

namespace {

struct Spec {
  const char* name;
  const char* help;
  std::optional<double> lo, hi;
  std::vector<Alias> aliases;
};

const std::vector<Spec>& catalogue() {
  static const std::vector<Spec> k = {
      {"threads", "compute threads, OpenMP and oneDNN (0 = the runtime default: all cores or OMP_NUM_THREADS)",
       0, 4096, {}},
      {"workers", "batches decoded at once, each with threads/workers threads (the output does not depend on it)",
       1, 4096, {}},
      {"seed", "random seed", std::nullopt, std::nullopt, {}},
      {"beam-size", "beam size (1 = greedy)", 1, std::nullopt, {{"-b", {}}, {"--beam", {}}}},
      {"n-best", "hypotheses per input: tab-separated index, score, text (at most the beam size)", 1,
       std::nullopt, {}},
      {"length-penalty", "length-penalty exponent x of fairseq's score = logprob / length^x", std::nullopt,
       std::nullopt, {{"--lenpen", {}}}},
      {"max-length-a", "longest output = a * source length + b tokens", 0, std::nullopt, {}},
      {"max-length-b", "see --max-length-a", 0, std::nullopt, {}},
      {"batch-size", "sentences per batch", 0, std::nullopt, {}},
      {"max-tokens", "tokens per batch, padding included", 0, std::nullopt, {}},
      {"input", "input text, one sentence per line ('-' = stdin)", std::nullopt, std::nullopt, {{"-i", {}}}},
      {"output", "output file ('-' = stdout)", std::nullopt, std::nullopt, {{"-o", {}}}},
      {"model", "model file written by lt-train", std::nullopt, std::nullopt, {{"-m", {}}}},
      {"vocab-size", "vocabulary size", 8, std::nullopt, {}},
      {"profile", "time every op and print the table (common/profiler.h)", std::nullopt, std::nullopt, {}},
      {"memory-limit", "refuse work whose estimated memory exceeds this: auto (this machine's memory) or a "
                       "size such as 16G, 512MiB (docs/reliability.md)",
       std::nullopt, std::nullopt, {}},
  };
  return k;
}

}  // namespace

Option& addShared(OptionTable& table, const std::string& group, const std::string& name, Binding field) {
  for (const Spec& s : catalogue()) {
    if (name != s.name) continue;
    Option& o = table.add(group, name, std::move(field), s.help).range(s.lo, s.hi);
    o.aliases = s.aliases;
    return o;
  }
  LT_THROW(Error, "internal: '{}' is not a shared key (cli/shared_keys.cpp)", name);
}

std::vector<std::string> sharedKeyNames() {
  std::vector<std::string> v;
  for (const Spec& s : catalogue()) v.push_back(s.name);
  return v;
}

Option& addPrecision(OptionTable& table, const std::string& group, InferencePrecision* field,
                     const std::string& help) {
  CustomBinding b;
  b.set = [field](const YAML::Node& v, const std::string& where) {
    const std::string s = v.IsScalar() ? v.Scalar() : std::string();
    auto p = precisionFromName(s);
    LT_CHECK(p.has_value(), ConfigError, "{}: '{}' is not allowed (allowed values: fp32, int8)",
             valueName(where, "precision"), s);
    *field = *p;
  };
  b.get = [field] { return YAML::Node(std::string(name(*field))); };
  b.typeName = "enum";
  Option& o = table.add(group, "precision", b, help, {"fp32", "int8"});
  o.defaultText = std::string(name(*field));
  return o;
}

}  // namespace lt::cli
