// lt-eval: scores and comparisons of translation outputs.
//
//   lt-eval bleu     sacreBLEU-exact BLEU (or --paper: fairseq tokenized BLEU)
//   lt-eval chrf     sacreBLEU-exact chrF / chrF++
//   lt-eval compare  paired bootstrap resampling between systems
//   lt-eval tokenize print lines as BLEU's tokenizer sees them
//
// Each subcommand is registered by its own add*Command function that binds
// flags to an options struct and runs a library function; further
// subcommands (cost, plot) are added the same way in main().
#include "common/error.h"
#include "eval/score_commands.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lt-eval: translation quality scores and comparisons"};
  app.require_subcommand(1);
  Action action;
  addBleuCommand(app, action);
  addChrfCommand(app, action);
  addCompareCommand(app, action);
  addTokenizeCommand(app, action);
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
    std::cout.flush();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lt-eval: error: %s\n", e.what());
    return lt::exitCodeFor(e);
  }
}
