// lt-eval plot: a BLEU-against-cost trade-off chart as hand-written SVG, from a results
// file (report/results.h). One series per variant (line through its points sorted by cost,
// plus markers), axes with "nice" ticks and labels, a legend. Records without BLEU or
// without the chosen cost are left out (and counted in PlotStats).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "report/results.h"

namespace lt::report {

struct PlotOptions {
  std::string x = "mult-adds";  // mult-adds | params
  std::string title;            // "" = no title
  int width = 640, height = 420;
  bool labels = true;           // BLEU value next to each marker
};

struct PlotStats {
  size_t series = 0, points = 0, skipped = 0;
};

// ConfigError on a bad option or when no record can be drawn.
std::string plotTradeoffSvg(const std::vector<ResultRecord>& records, const PlotOptions& opt,
                            PlotStats* stats = nullptr);

struct PlotCommandOptions {
  std::string results;            // results file (JSON lines)
  std::string output;             // SVG file ("-" = stdout)
  PlotOptions plot;
};
// Reads the results, writes the SVG, and prints "wrote F: S series, P points (K skipped)"
// to `log` (unless the SVG went to stdout).
void runPlotCommand(const PlotCommandOptions& opt, std::ostream& out, std::ostream& log);

// Tick positions covering [lo, hi] with about `target` steps of 1, 2 or 5 × 10^k.
std::vector<double> niceTicks(double lo, double hi, int target = 5);

}  // namespace lt::report
