#include "cli/eval_options.h"

#include <iostream>

#include "cli/shared_keys.h"
#include "cli/train_config.h"
#include "common/error.h"

namespace lt::cli {

namespace {

const std::vector<std::string> kTokenizers = {"13a", "intl", "zh", "char", "none"};

void addFormat(OptionTable& t, const std::string& g, std::string* field, std::vector<std::string> allowed) {
  t.add(g, "format", field, "output format", std::move(allowed));
}

// The run of a score command: stdin in, stdout out.
template <class Options>
Run withStdio(void (*command)(const Options&, std::istream&, std::ostream&), const Options& o) {
  return [command, &o] {
    command(o, std::cin, std::cout);
    return 0;
  };
}

}  // namespace

Run bindBleu(OptionTable& t, BleuConfig& c) {
  auto& o = c.bleu;
  std::string g = "Scoring";
  t.add(g, "hyp", &o.hyp, "hypothesis file ('-' reads stdin)").require();
  t.add(g, "ref", &o.refs, "reference file(s), line-aligned with the hypothesis").require();
  t.add(g, "tokenize", &o.tokenize, "tokenizer", kTokenizers);
  t.add(g, "lowercase", &o.lowercase, "case-insensitive BLEU");
  t.add(g, "smooth", &o.smooth, "smoothing", {"exp", "floor", "add-k", "none"});
  t.add(g, "smooth-value", &o.smoothValue, "value for floor (default 0.1) and add-k (default 1)").range(0);
  t.add(g, "effective-order", &o.effectiveOrder, "leave out n-gram orders with no hypothesis n-grams");
  t.add(g, "sentence", &o.sentence, "one score per line (turns on effective order, as sacreBLEU does)");
  addFormat(t, g, &o.format, {"text", "json"});
  t.add(g, "paper", &o.paper,
        "tokenized corpus BLEU on whitespace tokens, no smoothing (fairseq score.py), as the papers report");
  t.add(g, "split-compounds", &o.splitCompounds,
        "with --paper: split X-Y into X ##AT##-##AT## Y on both sides (WMT En-De)");
  g = "Results file";
  auto& r = c.results;
  t.add(g, "append-results", &r.file, "append the score as a JSON line to this results file (docs/cost.md)");
  t.add(g, "name", &r.name, "the row's name");
  addShared(t, g, "model", &r.model).help = "model file whose #Params / #Mult-Adds to record";
  t.add(g, "model-config", &c.modelConfig, "or an lt-train config whose #Params / #Mult-Adds to record");
  t.add(g, "variant", &r.variant, "series name in the plot (default: from the model)");
  t.add(g, "test-set", &r.testSet, "test-set name (default: the reference path)");
  return [&c] {
    if (!c.modelConfig.empty()) c.results.config = {c.modelConfig, loadModelConfig(c.modelConfig)};
    c.bleu.onScore = [&c](double score, const std::string& sig) {
      if (c.results.file.empty()) return;
      auto rec = report::bleuResultRecord(c.results, score, c.bleu.paper ? "bleu-paper" : "sacrebleu", sig,
                                          c.bleu.refs.empty() ? std::string() : c.bleu.refs[0]);
      report::appendResults(c.results.file, {rec});
    };
    eval::runBleuCommand(c.bleu, std::cin, std::cout);
    return 0;
  };
}

Run bindChrf(OptionTable& t, eval::ChrfCommandOptions& o) {
  const std::string g = "Scoring";
  t.add(g, "hyp", &o.hyp, "hypothesis file ('-' reads stdin)").require();
  t.add(g, "ref", &o.refs, "reference file(s)").require();
  t.add(g, "char-order", &o.charOrder, "character n-gram order").range(1);
  t.add(g, "word-order", &o.wordOrder, "word n-gram order (2 = chrF++)").range(0);
  t.add(g, "beta", &o.beta, "weight of recall against precision").range(0);
  t.add(g, "lowercase", &o.lowercase, "case-insensitive");
  t.add(g, "whitespace", &o.whitespace, "keep whitespace inside character n-grams");
  t.add(g, "eps-smoothing", &o.epsSmoothing, "chrF++.py-style eps smoothing instead of effective order");
  t.add(g, "sentence", &o.sentence, "one score per line");
  addFormat(t, g, &o.format, {"text", "json"});
  return withStdio(eval::runChrfCommand, o);
}

Run bindCompare(OptionTable& t, eval::CompareCommandOptions& o) {
  const std::string g = "Comparison";
  t.add(g, "ref", &o.refs, "reference file(s)").require();
  t.add(g, "hyp", &o.hyps, "system outputs, the first is the baseline (repeat the flag or list them)").require();
  t.add(g, "metric", &o.metric, "metric", {"bleu", "chrf"});
  t.add(g, "samples", &o.samples, "bootstrap samples").range(1);
  addShared(t, g, "seed", &o.seed).help = "seed of the resampling (sacreBLEU's SACREBLEU_SEED)";
  t.add(g, "tokenize", &o.tokenize, "BLEU tokenizer", kTokenizers);
  t.add(g, "lowercase", &o.lowercase, "case-insensitive");
  t.add(g, "word-order", &o.wordOrder, "chrF word n-gram order (2 = chrF++)").range(0);
  addFormat(t, g, &o.format, {"text", "json"});
  return withStdio(eval::runCompareCommand, o);
}

Run bindTokenize(OptionTable& t, eval::TokenizeCommandOptions& o) {
  const std::string g = "Tokenization";
  addShared(t, g, "input", &o.input);
  t.add(g, "tokenize", &o.tokenize, "tokenizer", kTokenizers);
  t.add(g, "lowercase", &o.lowercase, "lowercase first (Python str.lower)");
  return withStdio(eval::runTokenizeCommand, o);
}

Run bindCost(OptionTable& t, CostConfig& c) {
  auto& o = c.cost;
  std::string g = "Rows";
  t.add(g, "model-config", &c.modelConfigs, "lt-train YAML config(s), one row each (training keys are read and ignored)");
  addShared(t, g, "model", &o.models).help = "model file(s) written by lt-train, one row each";
  t.add(g, "seq-len", &o.seqLen, "source and target length N = T").range(1);
  addFormat(t, g, &o.format, {"markdown", "csv", "json"});
  addShared(t, g, "vocab-size", &o.vocabSize).help =
      "--model-config rows without tgt-vocab-size: target vocabulary (6632 = the paper's IWSLT'14 English)";
  t.add(g, "src-vocab-size", &o.srcVocabSize,
        "--model-config rows without src-vocab-size: source vocabulary (0 = --vocab-size)")
      .range(0);
  addShared(t, g, "beam-size", &o.beam).help =
      "beam size of the decoding-cost column and of --measure (1 = greedy)";
  t.add(g, "append-results", &o.appendResults, "append one JSON line per row to this results file");
  addShared(t, g, "memory-limit", &o.memoryLimit).help =
      "refuse a --model-config row whose network (at least 4 bytes per parameter) would not fit: "
      "auto (this machine's memory) or a size such as 16G, 512MiB";
  g = "Measurement";
  t.add(g, "measure", &o.measure, "also time decoding on this machine (random weights for --model-config)");
  addShared(t, g, "threads", &o.threads);
  addPrecision(t, g, &o.precision, "fp32 or int8 linears (as lt-translate --precision)");
  t.add(g, "measure-sentences", &o.measureSentences, "sentences timed at batch 1 (median)").range(1);
  t.add(g, "measure-batch", &o.measureBatch, "batch size of the throughput run").range(1);
  addShared(t, g, "seed", &o.seed).help = "seed of the random weights and sources";
  return [&c] {
    for (const auto& p : c.modelConfigs) c.cost.configs.push_back({p, loadModelConfig(p)});
    report::runCostCommand(c.cost, std::cout);
    return 0;
  };
}

Run bindPlot(OptionTable& t, report::PlotCommandOptions& o) {
  const std::string g = "Plot";
  t.add(g, "results", &o.results, "results file (JSON lines, docs/cost.md)").require();
  addShared(t, g, "output", &o.output).require().help = "SVG file to write ('-' = stdout)";
  t.add(g, "x", &o.plot.x, "cost axis", {"mult-adds", "params"});
  t.add(g, "title", &o.plot.title, "chart title");
  t.add(g, "width", &o.plot.width, "width in pixels").range(1);
  t.add(g, "height", &o.plot.height, "height in pixels").range(1);
  t.add(g, "labels", &o.plot.labels, "print BLEU values next to the markers").alias("--no-labels", "false");
  return [&o] {
    report::runPlotCommand(o, std::cout, std::cerr);
    return 0;
  };
}

}  // namespace lt::cli
