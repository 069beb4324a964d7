#include "cli/decode_options.h"

#include <fmt/format.h>

#include "cli/shared_keys.h"
#include "common/error.h"
#include "common/parse.h"

namespace lt::cli {

void bindSearchOptions(OptionTable& t, const std::string& g, decode::SearchOptions& s) {
  addShared(t, g, "beam-size", &s.beamSize);
  addShared(t, g, "n-best", &s.nBest);
  CustomBinding lp;
  lp.set = [&s](const YAML::Node& v, const std::string& where) {
    const std::string what = valueName(where, "length-penalty");
    LT_CHECK(v.IsScalar(), ConfigError, "{}: expected a number", what);
    if (v.Scalar() == "fairseq" || v.Scalar() == "gnmt")  // lt-translate's old spelling of the type
      s.penalty = v.Scalar() == "gnmt" ? decode::LengthPenalty::Gnmt : decode::LengthPenalty::Fairseq;
    else
      s.lenpen = float(parseDouble(v.Scalar(), what));
  };
  lp.get = [&s] { return YAML::Node(fmt::format("{}", s.lenpen)); };
  lp.typeName = "number";
  addShared(t, g, "length-penalty", lp).defaultText = fmt::format("{}", s.lenpen);
  CustomBinding type;
  type.set = [&s](const YAML::Node& v, const std::string& where) {
    const std::string x = v.IsScalar() ? v.Scalar() : std::string();
    LT_CHECK(x == "fairseq" || x == "gnmt", ConfigError, "{}: '{}' is not allowed (allowed values: fairseq, gnmt)",
             valueName(where, "length-penalty-type"), x);
    s.penalty = x == "gnmt" ? decode::LengthPenalty::Gnmt : decode::LengthPenalty::Fairseq;
  };
  type.get = [&s] { return YAML::Node(s.penalty == decode::LengthPenalty::Gnmt ? "gnmt" : "fairseq"); };
  type.typeName = "enum";
  t.add(g, "length-penalty-type", type,
        "fairseq: score = logprob / length^length-penalty; gnmt: logprob / ((5 + length) / 6)^alpha "
        "(--length-penalty fairseq|gnmt, the old form, sets it too)",
        {"fairseq", "gnmt"})
      .defaultText = "fairseq";
  t.add(g, "length-penalty-alpha", &s.alpha, "alpha of the gnmt length penalty").alias("--alpha");
  addShared(t, g, "max-length-a", &s.maxLenA);
  addShared(t, g, "max-length-b", &s.maxLenB);
}

void bindTranslateConfig(OptionTable& t, TranslateConfig& c) {
  std::string g = "Model and files";
  addShared(t, g, "model", &c.model).require();
  addShared(t, g, "input", &c.input);
  addShared(t, g, "output", &c.output);
  g = "Decoding";
  bindSearchOptions(t, g, c.decoding.search);
  addPrecision(t, g, &c.precision,
               "fp32, or int8: linear layers multiply int8 weights (one scale per output) by int8 "
               "activations (one scale per row) on VNNI; about 3x faster GEMMs, see docs/results.md "
               "for the BLEU cost");
  t.add(g, "kernels", &c.kernels, "fast, or ref: plain-loop reference kernels (for debugging)", {"fast", "ref"});
  t.add(g, "max-input-length", &c.maxInputLength,
        "longest source line in subword tokens (0 = the model's max-positions - 1)");
  t.add(g, "max-input-length-policy", &c.maxInputLengthPolicy,
        "a line over --max-input-length (or over 1 MiB): error (names file:line), truncate "
        "(translate its first tokens), or skip (an empty output line, so the output stays "
        "line-aligned with the input)",
        {"error", "truncate", "skip"});
  g = "Batching and threads";
  addShared(t, g, "batch-size", &c.decoding.batching.maxSentences)
      .help = "sentences per batch (0 = no limit; then --max-tokens must be set)";
  addShared(t, g, "max-tokens", &c.decoding.batching.maxTokens)
      .alias("--batch-tokens")
      .help = "source tokens per batch, padding included (0 = no limit)";
  addShared(t, g, "threads", &c.threads);
  addShared(t, g, "workers", &c.decoding.workers);
  t.add(g, "chunk-lines", &c.chunkLines, "lines read and translated at a time").range(1);
  addShared(t, g, "memory-limit", &c.memoryLimit).help =
      "refuse a beam/batch whose decoding-memory estimate (docs/reliability.md) exceeds this: "
      "auto (this machine's memory) or a size such as 8G, 512MiB";
  t.add(g, "quiet", &c.quiet, "no statistics on stderr").alias("-q");
}

void validateTranslateConfig(const TranslateConfig& c) {
  const auto& s = c.decoding.search;
  LT_CHECK(s.nBest <= s.beamSize, ConfigError, "--n-best {} exceeds --beam-size {}", s.nBest, s.beamSize);
  LT_CHECK(c.decoding.batching.maxSentences > 0 || c.decoding.batching.maxTokens > 0, ConfigError,
           "--batch-size 0 needs a --max-tokens limit");
}

}  // namespace lt::cli
