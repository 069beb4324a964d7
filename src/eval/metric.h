// What a corpus metric must provide for paired bootstrap resampling: per-line
// sufficient statistics whose column sums determine the corpus score.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lt::eval {

// One row per hypothesis line; the corpus statistics are the column sums.
using SegmentStats = std::vector<int64_t>;

// A score as sacreBLEU's resampling code produces it: NumPy sums the
// statistics in float32, and under NumPy 2 promotion rules the arithmetic on
// those sums stays in float32 wherever a float32 value meets a Python float.
// `isFloat32` records whether the Python value would be a numpy.float32 (it
// decides the dtype of the array of resampled scores).
struct ResampledScore {
  double value = 0.0;
  bool isFloat32 = false;
};

class CorpusMetric {
public:
  virtual ~CorpusMetric() = default;
  // Display name, e.g. "BLEU" or "chrF2++".
  virtual std::string name() const = 0;
  // Statistics of every hypothesis line against the cached references.
  virtual std::vector<SegmentStats> segmentStats(const std::vector<std::string>& hyps) const = 0;
  // Corpus score from exact integer column sums.
  virtual double scoreFromTotals(const SegmentStats& totals) const = 0;
  // Score from float32 column sums, following sacreBLEU's arithmetic there.
  virtual ResampledScore resampledScore(const std::vector<float>& totals) const = 0;
  // sacreBLEU-style signature (without bootstrap fields).
  virtual std::string signature() const = 0;
};

// Column sums of `stats` (all rows must have the same width).
SegmentStats sumStats(const std::vector<SegmentStats>& stats);

}  // namespace lt::eval
