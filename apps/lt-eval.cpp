// lt-eval: scores and comparisons of translation outputs.
//
//   lt-eval bleu     sacreBLEU-exact BLEU (or --paper: fairseq tokenized BLEU)
//   lt-eval chrf     sacreBLEU-exact chrF / chrF++
//   lt-eval compare  paired bootstrap resampling between systems
//   lt-eval tokenize print lines as BLEU's tokenizer sees them
//   lt-eval cost     #Params / #Mult-Adds table (paper convention), decoding cost, speed
//   lt-eval plot     BLEU-against-cost trade-off chart (SVG) from a results file
//
// Each subcommand is registered by its own add*Command function that binds
// flags to an options struct and runs a library function; further
// subcommands (cost, plot) are added the same way in main().
#include "cli/train_config.h"
#include "common/memory.h"
#include "common/error.h"
#include "common/output_file.h"
#include "decode/beam_search.h"
#include "decode/model_scorer.h"
#include "eval/score_commands.h"
#include "report/cost_command.h"
#include "report/plot.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

namespace {

using lt::eval::BleuCommandOptions;
using lt::eval::ChrfCommandOptions;
using lt::eval::CompareCommandOptions;
using lt::eval::TokenizeCommandOptions;

// The selected subcommand's work, run after parsing succeeded.
using Action = std::function<void()>;

void addBleuResultsOptions(CLI::App* cmd, BleuCommandOptions& opt);

void addBleuCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<BleuCommandOptions>();
  auto smoothValue = std::make_shared<double>(0.0);
  CLI::App* cmd = app.add_subcommand("bleu", "BLEU exactly as sacreBLEU 2.6.0, or the papers' tokenized BLEU (--paper)");
  cmd->add_option("--hyp", opt->hyp, "Hypothesis file ('-' reads stdin)")->required();
  cmd->add_option("--ref", opt->refs, "Reference file(s), line-aligned with the hypothesis")->required();
  cmd->add_option("--tokenize", opt->tokenize, "Tokenizer: 13a, intl, zh, char or none")
      ->check(CLI::IsMember({"13a", "intl", "zh", "char", "none"}))
      ->capture_default_str();
  cmd->add_flag("--lowercase", opt->lowercase, "Case-insensitive BLEU");
  cmd->add_option("--smooth", opt->smooth, "Smoothing: exp, floor, add-k or none")
      ->check(CLI::IsMember({"exp", "floor", "add-k", "none"}))
      ->capture_default_str();
  CLI::Option* sv = cmd->add_option("--smooth-value", *smoothValue,
                                    "Value for floor (default 0.1) and add-k (default 1)");
  cmd->add_flag("--effective-order", opt->effectiveOrder, "Leave out n-gram orders with no hypothesis n-grams");
  cmd->add_flag("--sentence", opt->sentence, "One score per line (turns on effective order, as sacreBLEU does)");
  cmd->add_option("--format", opt->format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--paper", opt->paper,
                "Tokenized corpus BLEU on whitespace tokens, no smoothing (fairseq score.py), as the papers report");
  cmd->add_flag("--split-compounds", opt->splitCompounds,
                "With --paper: split X-Y into X ##AT##-##AT## Y on both sides (WMT En-De)");
  addBleuResultsOptions(cmd, *opt);
  cmd->callback([&action, opt, smoothValue, sv] {
    if (sv->count() > 0) opt->smoothValue = *smoothValue;
    action = [opt] { lt::eval::runBleuCommand(*opt, std::cin, std::cout); };
  });
}

void addChrfCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<ChrfCommandOptions>();
  CLI::App* cmd = app.add_subcommand("chrf", "chrF / chrF++ exactly as sacreBLEU 2.6.0");
  cmd->add_option("--hyp", opt->hyp, "Hypothesis file ('-' reads stdin)")->required();
  cmd->add_option("--ref", opt->refs, "Reference file(s)")->required();
  cmd->add_option("--char-order", opt->charOrder, "Character n-gram order")->capture_default_str();
  cmd->add_option("--word-order", opt->wordOrder, "Word n-gram order (2 = chrF++)")->capture_default_str();
  cmd->add_option("--beta", opt->beta, "Weight of recall against precision")->capture_default_str();
  cmd->add_flag("--lowercase", opt->lowercase, "Case-insensitive");
  cmd->add_flag("--whitespace", opt->whitespace, "Keep whitespace inside character n-grams");
  cmd->add_flag("--eps-smoothing", opt->epsSmoothing, "chrF++.py-style eps smoothing instead of effective order");
  cmd->add_flag("--sentence", opt->sentence, "One score per line");
  cmd->add_option("--format", opt->format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([&action, opt] { action = [opt] { lt::eval::runChrfCommand(*opt, std::cin, std::cout); }; });
}

void addCompareCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<CompareCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Systems side by side with paired bootstrap resampling (sacreBLEU --paired-bs); first --hyp is the baseline");
  cmd->add_option("--ref", opt->refs, "Reference file(s)")->required();
  cmd->add_option("--hyp", opt->hyps, "System output; repeat for each system, the first is the baseline")
      ->required();
  cmd->add_option("--metric", opt->metric, "bleu or chrf")
      ->check(CLI::IsMember({"bleu", "chrf"}))
      ->capture_default_str();
  cmd->add_option("--samples", opt->samples, "Bootstrap samples")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Seed of the resampling (sacreBLEU's SACREBLEU_SEED)")->capture_default_str();
  cmd->add_option("--tokenize", opt->tokenize, "BLEU tokenizer")
      ->check(CLI::IsMember({"13a", "intl", "zh", "char", "none"}))
      ->capture_default_str();
  cmd->add_flag("--lowercase", opt->lowercase, "Case-insensitive");
  cmd->add_option("--word-order", opt->wordOrder, "chrF word n-gram order (2 = chrF++)")->capture_default_str();
  cmd->add_option("--format", opt->format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([&action, opt] { action = [opt] { lt::eval::runCompareCommand(*opt, std::cin, std::cout); }; });
}

void addTokenizeCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<TokenizeCommandOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print each line as BLEU sees it after lowercasing and tokenization");
  cmd->add_option("--input", opt->input, "Input file ('-' reads stdin)")->capture_default_str();
  cmd->add_option("--tokenize", opt->tokenize, "Tokenizer: 13a, intl, zh, char or none")
      ->check(CLI::IsMember({"13a", "intl", "zh", "char", "none"}))
      ->capture_default_str();
  cmd->add_flag("--lowercase", opt->lowercase, "Lowercase first (Python str.lower)");
  cmd->callback([&action, opt] { action = [opt] { lt::eval::runTokenizeCommand(*opt, std::cin, std::cout); }; });
}


// What src/report cannot reach itself: lt-train's config reader (src/cli) and the real beam
// search (src/decode).
lt::report::CostHooks costHooks() {
  lt::report::CostHooks h;
  h.loadConfig = [](const std::string& path) {
    lt::cli::TrainCommandLine cl;  // tolerates the training keys of a shipped config
    cl.table().applyYamlFile(path);
    return cl.config().model;
  };
  // Forced length: EOS is neither allowed before nor avoided at steps - 1 tokens.
  h.decode = [](lt::models::EncoderDecoder& net, const lt::data::Batch& batch, int beam, int steps) {
    lt::decode::SearchOptions so;
    so.beamSize = beam;
    so.maxLenA = 0;
    so.maxLenB = steps - 1;
    so.minLen = steps - 1;
    so.maxLenCap = net.config().maxPositions - 1;
    lt::decode::ModelScorer scorer(net, batch, beam, steps);
    std::vector<int> lens(batch.srcLengths.begin(), batch.srcLengths.end());
    lt::decode::beamSearch(scorer, lens, so);
  };
  return h;
}

// lt-eval bleu --append-results FILE --name X [--model M | --config C] [--variant V] [--test-set T]
void addBleuResultsOptions(CLI::App* cmd, BleuCommandOptions& opt) {
  auto ro = std::make_shared<lt::report::BleuResultOptions>();
  cmd->add_option("--append-results", ro->file, "Append the score as a JSON line to this results file (docs/cost.md)");
  cmd->add_option("--name", ro->name, "With --append-results: the row's name");
  cmd->add_option("--model", ro->model, "With --append-results: model file whose #Params / #Mult-Adds to record");
  cmd->add_option("--config", ro->config, "With --append-results: config whose #Params / #Mult-Adds to record");
  cmd->add_option("--variant", ro->variant, "With --append-results: series name in the plot (default: from the model)");
  cmd->add_option("--test-set", ro->testSet, "With --append-results: test-set name (default: the reference path)");
  BleuCommandOptions* o = &opt;
  opt.onScore = [ro, o](double score, const std::string& sig) {
    if (ro->file.empty()) return;
    auto rec = lt::report::bleuResultRecord(*ro, score, o->paper ? "bleu-paper" : "sacrebleu", sig,
                                            o->refs.empty() ? std::string() : o->refs[0], costHooks());
    lt::report::appendResults(ro->file, {rec});
  };
}

void addCostCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<lt::report::CostCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cost", "#Params and #Mult-Adds in the Lite Transformer paper's convention, decoding cost, and speed");
  cmd->add_option("--config", opt->configs, "lt-train YAML config(s), one row each");
  cmd->add_option("--model", opt->models, "Model file(s) written by lt-train, one row each");
  cmd->add_option("--seq-len", opt->seqLen, "Source and target length N = T")->capture_default_str();
  cmd->add_option("--format", opt->format, "Output: markdown, csv or json")->capture_default_str();
  cmd->add_option("--vocab-size", opt->vocabSize,
                  "--config rows without tgt-vocab-size: target vocabulary (6632 = the paper's IWSLT'14 English)")
      ->capture_default_str();
  cmd->add_option("--src-vocab-size", opt->srcVocabSize,
                  "--config rows without src-vocab-size: source vocabulary (0 = --vocab-size)")
      ->capture_default_str();
  cmd->add_option("--beam", opt->beam, "Beam size of the decoding-cost column and of --measure (1 = greedy)")
      ->capture_default_str();
  cmd->add_flag("--measure", opt->measure, "Also time decoding on this machine (random weights for --config)");
  cmd->add_option("--threads", opt->threads, "--measure: threads (0 = runtime default)")->capture_default_str();
  cmd->add_option_function<std::string>(
         "--precision",
         [opt](const std::string& p) {
           opt->precision = lt::precisionFromName(p).value();  // checked by CLI11 (IsMember)
         },
         "--measure: fp32 or int8 linears (as lt-translate --precision)")
      ->check(CLI::IsMember({"fp32", "int8"}));
  cmd->add_option("--measure-sentences", opt->measureSentences, "--measure: sentences timed at batch 1 (median)")
      ->capture_default_str();
  cmd->add_option("--measure-batch", opt->measureBatch, "--measure: batch size of the throughput run")
      ->capture_default_str();
  cmd->add_option("--seed", opt->seed, "--measure: seed of the random weights and sources")->capture_default_str();
  cmd->add_option("--append-results", opt->appendResults, "Append one JSON line per row to this results file");
  cmd->add_option("--memory-limit", opt->memoryLimit,
                  "Refuse a --config row whose network (at least 4 bytes per parameter) would not fit: "
                  "auto (this machine's memory) or a size such as 16G, 512MiB")
      ->capture_default_str();
  cmd->callback([&action, opt] {
    action = [opt] { lt::report::runCostCommand(*opt, costHooks(), std::cout); };
  });
}

void addPlotCommand(CLI::App& app, Action& action) {
  auto opt = std::make_shared<lt::report::PlotCommandOptions>();
  auto noLabels = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("plot", "BLEU-against-cost trade-off chart (SVG) from a results file");
  cmd->add_option("--results", opt->results, "Results file (JSON lines, docs/cost.md)")->required();
  cmd->add_option("--output", opt->output, "SVG file to write ('-' = stdout)")->required();
  cmd->add_option("--x", opt->plot.x, "Cost axis: mult-adds or params")->capture_default_str();
  cmd->add_option("--title", opt->plot.title, "Chart title");
  cmd->add_option("--width", opt->plot.width, "Width in pixels")->capture_default_str();
  cmd->add_option("--height", opt->plot.height, "Height in pixels")->capture_default_str();
  cmd->add_flag("--no-labels", *noLabels, "Do not print BLEU values next to the markers");
  cmd->callback([&action, opt, noLabels] {
    opt->plot.labels = !*noLabels;
    action = [opt] { lt::report::runPlotCommand(*opt, std::cout, std::cerr); };
  });
}

}  // namespace

int main(int argc, char** argv) {
  lt::tuneHeapForTensors();
  lt::installOutputSignalHandlers();
  CLI::App app{"lt-eval: translation quality scores, comparisons, and cost tables"};
  app.require_subcommand(1);
  Action action;
  addBleuCommand(app, action);
  addChrfCommand(app, action);
  addCompareCommand(app, action);
  addTokenizeCommand(app, action);
  addCostCommand(app, action);
  addPlotCommand(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lt-eval: %s\n", e.what());
    return 2;
  }
  try {
    std::ios::sync_with_stdio(false);
    if (action) action();
    lt::flushStandardOutput();  // a closed stdout is an error, not silence
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lt-eval: error: %s\n", e.what());
    return lt::exitCodeFor(e);
  }
}
