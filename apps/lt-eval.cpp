// lt-eval: scores and comparisons of translation outputs, and cost tables.
//
//   lt-eval bleu     sacreBLEU-exact BLEU (or --paper: fairseq tokenized BLEU)
//   lt-eval chrf     sacreBLEU-exact chrF / chrF++
//   lt-eval compare  paired bootstrap resampling between systems
//   lt-eval tokenize print lines as BLEU's tokenizer sees them
//   lt-eval cost     #Params / #Mult-Adds table (paper convention), decoding cost, speed
//   lt-eval plot     BLEU-against-cost trade-off chart (SVG) from a results file
//
// Each subcommand's keys and run function: src/cli/eval_options.h.
#include <iostream>

#include "cli/eval_options.h"
#include "cli/program.h"
#include "common/memory.h"

int main(int argc, char** argv) {
  using namespace lt::cli;
  lt::tuneHeapForTensors();
  std::ios::sync_with_stdio(false);
  Program program("lt-eval", "Translation quality scores, comparisons, and cost tables.");
  BleuConfig bleu;
  lt::eval::ChrfCommandOptions chrf;
  lt::eval::CompareCommandOptions compare;
  lt::eval::TokenizeCommandOptions tokenize;
  CostConfig cost;
  lt::report::PlotCommandOptions plot;
  auto add = [&](const char* name, const char* summary, auto bind, auto& options) {
    Command& c = program.command(name, summary);
    c.run = bind(c.table, options);
  };
  add("bleu", "BLEU exactly as sacreBLEU 2.6.0, or the papers' tokenized BLEU (--paper)", bindBleu, bleu);
  add("chrf", "chrF / chrF++ exactly as sacreBLEU 2.6.0", bindChrf, chrf);
  add("compare", "systems side by side with paired bootstrap resampling (sacreBLEU --paired-bs)",
      bindCompare, compare);
  add("tokenize", "print each line as BLEU sees it after lowercasing and tokenization", bindTokenize, tokenize);
  add("cost", "#Params and #Mult-Adds in the Lite Transformer paper's convention, decoding cost, and speed",
      bindCost, cost);
  add("plot", "BLEU-against-cost trade-off chart (SVG) from a results file", bindPlot, plot);
  const int code = program.main(argc, argv);
  std::cout.flush();
  return code;
}
