#include "eval/score_commands.h"

#include "common/error.h"
#include "eval/bleu.h"
#include "eval/chrf.h"
#include "eval/json_writer.h"
#include "eval/paper_bleu.h"
#include "eval/significance.h"
#include "eval/text_io.h"
#include "eval/unicode_text.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <memory>

namespace lt::eval {
namespace {

struct Corpus {
  std::vector<std::vector<std::string>> hyps;  // [system][line]
  std::vector<std::vector<std::string>> refs;  // [reference set][line]
};

void checkFormat(const std::string& format) {
  LT_CHECK(format == "text" || format == "json", ConfigError, "--format: expected text or json, got '{}'", format);
}

// Reads every file and checks that all have the same number of lines.
Corpus loadCorpus(const std::vector<std::string>& hypPaths, const std::vector<std::string>& refPaths,
                  std::istream& in) {
  LT_CHECK(!hypPaths.empty(), ConfigError, "--hyp: no hypothesis file given");
  LT_CHECK(!refPaths.empty(), ConfigError, "--ref: no reference file given");
  size_t stdinUses = 0;
  for (const auto& p : hypPaths) stdinUses += p == "-";
  LT_CHECK(stdinUses <= 1, ConfigError, "--hyp: '-' (stdin) may be given only once");
  for (const auto& p : refPaths)
    LT_CHECK(p != "-", ConfigError, "--ref: references must be files, stdin ('-') is only for --hyp");
  Corpus c;
  for (const auto& p : hypPaths) c.hyps.push_back(readTextLines(p, in));
  for (const auto& p : refPaths) c.refs.push_back(readTextLines(p, in));
  const size_t n = c.hyps[0].size();
  for (size_t s = 0; s < c.hyps.size(); ++s)
    LT_CHECK(c.hyps[s].size() == n, DataError,
             "line counts differ: hypothesis '{}' has {} lines but hypothesis '{}' has {} lines", hypPaths[0], n,
             hypPaths[s], c.hyps[s].size());
  for (size_t r = 0; r < c.refs.size(); ++r)
    LT_CHECK(c.refs[r].size() == n, DataError,
             "line counts differ: hypothesis '{}' has {} lines but reference '{}' has {} lines", hypPaths[0], n,
             refPaths[r], c.refs[r].size());
  LT_CHECK(n > 0, DataError, "hypothesis '{}' is empty: nothing to score", hypPaths[0]);
  return c;
}

// Splits "nrefs:1|case:...|version:x" into key/value pairs for JSON output.
void addSignatureFields(JsonObject& j, const std::string& sig) {
  size_t start = 0;
  while (start <= sig.size()) {
    size_t end = sig.find('|', start);
    if (end == std::string::npos) end = sig.size();
    std::string_view part(sig.data() + start, end - start);
    size_t colon = part.find(':');
    if (colon != std::string_view::npos) j.add(part.substr(0, colon), part.substr(colon + 1));
    start = end + 1;
  }
}

std::string bleuJson(const BleuScore& s, const std::string& name, const std::string& sig,
                     std::optional<size_t> line) {
  JsonObject j;
  j.add("name", name);
  if (line) j.add("line", *line);
  j.add("score", s.score)
      .add("counts", s.counts)
      .add("totals", s.totals)
      .add("precisions", s.precisions)
      .add("bp", s.bp)
      .add("sys_len", s.sysLen)
      .add("ref_len", s.refLen)
      .add("ratio", s.ratio())
      .add("signature", sig);
  addSignatureFields(j, sig);
  return j.str();
}

std::string chrfJson(double score, const std::string& name, const std::string& sig, std::optional<size_t> line) {
  JsonObject j;
  j.add("name", name);
  if (line) j.add("line", *line);
  j.add("score", score).add("signature", sig);
  addSignatureFields(j, sig);
  return j.str();
}

void runPaperBleu(const BleuCommandOptions& opt, std::istream& in, std::ostream& out) {
  LT_CHECK(opt.refs.size() == 1, ConfigError, "--paper: takes exactly one reference file, got {}", opt.refs.size());
  LT_CHECK(!opt.sentence, ConfigError, "--paper: corpus-level only, it cannot be combined with --sentence");
  Corpus c = loadCorpus({opt.hyp}, opt.refs, in);
  PaperBleuOptions p;
  p.lowercase = opt.lowercase;
  p.splitCompounds = opt.splitCompounds;
  BleuScore s = paperBleu(c.hyps[0], c.refs[0], p);
  const std::string sig = paperBleuSignature(p);
  if (opt.format == "json")
    out << bleuJson(s, "BLEU", sig, std::nullopt) << '\n';
  else
    out << formatBleuText(s, sig) << '\n';
  if (opt.onScore) opt.onScore(s.score, sig);
}

}  // namespace

void runBleuCommand(const BleuCommandOptions& opt, std::istream& in, std::ostream& out) {
  checkFormat(opt.format);
  if (opt.paper) return runPaperBleu(opt, in, out);
  LT_CHECK(!opt.splitCompounds, ConfigError, "--split-compounds: only valid with --paper");
  BleuOptions bo;
  bo.tokenizer = parseTokenizer(opt.tokenize);
  bo.lowercase = opt.lowercase;
  bo.smooth = parseSmoothMethod(opt.smooth);
  bo.smoothValue = opt.smoothValue;
  // sacreBLEU's command line turns effective order on for sentence scores.
  bo.effectiveOrder = opt.effectiveOrder || opt.sentence;
  Corpus c = loadCorpus({opt.hyp}, opt.refs, in);
  Bleu bleu(bo);
  bleu.setReferences(c.refs);
  const std::string sig = bleu.signature();
  const bool json = opt.format == "json";
  if (opt.sentence) {
    const auto& hyps = c.hyps[0];
    for (size_t i = 0; i < hyps.size(); ++i) {
      BleuScore s = bleu.sentenceScore(hyps[i], i);
      out << (json ? bleuJson(s, "BLEU", sig, i + 1) : formatBleuText(s, sig)) << '\n';
    }
    return;
  }
  BleuScore s = bleu.corpusScore(c.hyps[0]);
  out << (json ? bleuJson(s, "BLEU", sig, std::nullopt) : formatBleuText(s, sig)) << '\n';
  if (opt.onScore) opt.onScore(s.score, sig);
}

void runChrfCommand(const ChrfCommandOptions& opt, std::istream& in, std::ostream& out) {
  checkFormat(opt.format);
  LT_CHECK(opt.beta >= 0, ConfigError, "--beta: must be >= 0, got {}", opt.beta);
  ChrfOptions co;
  co.charOrder = opt.charOrder;
  co.wordOrder = opt.wordOrder;
  co.beta = opt.beta;
  co.lowercase = opt.lowercase;
  co.whitespace = opt.whitespace;
  co.epsSmoothing = opt.epsSmoothing;
  Chrf chrf(co);
  Corpus c = loadCorpus({opt.hyp}, opt.refs, in);
  chrf.setReferences(c.refs);
  const std::string sig = chrf.signature();
  const std::string name = chrf.name();
  const bool json = opt.format == "json";
  auto text = [&](double score) { return fmt::format("{}|{} = {:.2f}", name, sig, score); };
  if (opt.sentence) {
    const auto& hyps = c.hyps[0];
    for (size_t i = 0; i < hyps.size(); ++i) {
      double s = chrf.sentenceScore(hyps[i], i);
      out << (json ? chrfJson(s, name, sig, i + 1) : text(s)) << '\n';
    }
    return;
  }
  double s = chrf.corpusScore(c.hyps[0]);
  out << (json ? chrfJson(s, name, sig, std::nullopt) : text(s)) << '\n';
}

void runCompareCommand(const CompareCommandOptions& opt, std::istream& in, std::ostream& out) {
  checkFormat(opt.format);
  LT_CHECK(opt.hyps.size() >= 2, ConfigError, "compare: give at least two systems (--hyp A --hyp B), got {}",
           opt.hyps.size());
  std::unique_ptr<CorpusMetric> metric;
  Corpus c = loadCorpus(opt.hyps, opt.refs, in);
  if (opt.metric == "bleu") {
    BleuOptions bo;
    bo.tokenizer = parseTokenizer(opt.tokenize);
    bo.lowercase = opt.lowercase;
    auto b = std::make_unique<Bleu>(bo);
    b->setReferences(c.refs);
    metric = std::move(b);
  } else if (opt.metric == "chrf") {
    ChrfOptions co;
    co.lowercase = opt.lowercase;
    co.wordOrder = opt.wordOrder;
    auto ch = std::make_unique<Chrf>(co);
    ch->setReferences(c.refs);
    metric = std::move(ch);
  } else {
    LT_THROW(ConfigError, "--metric: expected bleu or chrf, got '{}'", opt.metric);
  }
  BootstrapOptions bo;
  bo.samples = opt.samples;
  bo.seed = opt.seed;
  std::vector<SystemResult> res = pairedBootstrap(*metric, c.hyps, bo);

  // sacreBLEU adds the resampling fields after nrefs.
  std::string sig = metric->signature();
  const size_t bar = sig.find('|');
  sig.insert(bar == std::string::npos ? sig.size() : bar, fmt::format("|bs:{}|seed:{}", opt.samples, opt.seed));
  const std::string name = metric->name();

  if (opt.format == "json") {
    std::string systems = "[";
    for (size_t s = 0; s < res.size(); ++s) {
      JsonObject j;
      j.add("name", opt.hyps[s]).add("baseline", s == 0);
      j.add("score", res[s].score).add("mean", res[s].mean).add("ci", res[s].ci);
      if (res[s].pValue)
        j.add("p_value", *res[s].pValue);
      else
        j.addNull("p_value");
      if (s) systems += ", ";
      systems += j.str();
    }
    systems += "]";
    JsonObject top;
    top.add("metric", name).add("signature", sig).add("samples", opt.samples);
    top.add("seed", static_cast<int64_t>(opt.seed)).addRaw("systems", systems);
    out << top.str() << '\n';
    return;
  }
  // Plain-text table; widths count code points ("±" is one column).
  std::vector<std::array<std::string, 3>> rows;
  rows.push_back({"System", name + " (mean ± 95% CI)", "p-value"});
  for (size_t s = 0; s < res.size(); ++s) {
    std::string p;
    if (res[s].pValue) p = fmt::format("{:.4f}{}", *res[s].pValue, *res[s].pValue < 0.05 ? "*" : "");
    rows.push_back({s == 0 ? "Baseline: " + opt.hyps[s] : opt.hyps[s],
                    fmt::format("{:.2f} ({:.2f} ± {:.2f})", res[s].score, res[s].mean, res[s].ci), p});
  }
  size_t w[3] = {0, 0, 0};
  for (const auto& r : rows)
    for (int k = 0; k < 3; ++k) w[k] = std::max(w[k], codePointCount(r[k]));
  out << fmt::format("{}: {}\n", name, sig);
  for (const auto& r : rows) {
    std::string line;
    for (int k = 0; k < 3; ++k) {
      line += r[k];
      if (k < 2) line += std::string(w[k] - codePointCount(r[k]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  out << "* p < 0.05: the system differs from the baseline (paired bootstrap resampling, " << opt.samples
      << " samples, seed " << opt.seed << ")\n";
}

void runTokenizeCommand(const TokenizeCommandOptions& opt, std::istream& in, std::ostream& out) {
  BleuOptions bo;
  bo.tokenizer = parseTokenizer(opt.tokenize);
  bo.lowercase = opt.lowercase;
  Bleu bleu(bo);
  for (const std::string& line : readTextLines(opt.input, in)) out << bleu.preprocess(line) << '\n';
}

}  // namespace lt::eval
