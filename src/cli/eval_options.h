// lt-eval's subcommands as option tables: bleu, chrf, compare, tokenize (src/eval) and cost,
// plot (src/report). Each bind* declares the subcommand's keys bound to its options struct
// and returns the function that runs it; lt-eval's main only registers them.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "cli/option_table.h"
#include "eval/score_commands.h"
#include "report/cost_command.h"
#include "report/plot.h"

namespace lt::cli {

struct BleuConfig {
  eval::BleuCommandOptions bleu;
  report::BleuResultOptions results;  // --append-results and what to record with the score
  std::string modelConfig;            // --model-config: its model keys are read at run time
};
struct CostConfig {
  report::CostCommandOptions cost;
  std::vector<std::string> modelConfigs;  // --model-config files, read at run time
};

using Run = std::function<int()>;
Run bindBleu(OptionTable& table, BleuConfig& cfg);
Run bindChrf(OptionTable& table, eval::ChrfCommandOptions& opt);
Run bindCompare(OptionTable& table, eval::CompareCommandOptions& opt);
Run bindTokenize(OptionTable& table, eval::TokenizeCommandOptions& opt);
Run bindCost(OptionTable& table, CostConfig& cfg);
Run bindPlot(OptionTable& table, report::PlotCommandOptions& opt);

}  // namespace lt::cli
