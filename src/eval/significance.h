// Paired bootstrap resampling (Koehn 2004) as sacreBLEU 2.6.0's `--paired-bs`
// runs it: one set of resampled line indices drawn with NumPy's
// default_rng(seed) is shared by every system; each system's resampled
// scores give its mean and 95% confidence half-width, and a system's p-value
// against the baseline is (1 + #{centred |score difference| > observed
// difference}) / (samples + 1).
#pragma once
#include "eval/metric.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lt::eval {

struct BootstrapOptions {
  size_t samples = 1000;
  uint64_t seed = 12345;  // sacreBLEU's default SACREBLEU_SEED
};

struct SystemResult {
  double score = 0.0;              // corpus score on the real data
  double mean = 0.0;               // mean of the resampled scores
  double ci = 0.0;                 // half-width of the 95% interval
  std::optional<double> pValue;    // absent for the baseline
};

// systems[0] is the baseline; every system has metric.numLines() lines.
std::vector<SystemResult> pairedBootstrap(const CorpusMetric& metric,
                                          const std::vector<std::vector<std::string>>& systems,
                                          const BootstrapOptions& opt);

}  // namespace lt::eval
