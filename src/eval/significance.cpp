#include "eval/significance.h"

#include "common/error.h"
#include "eval/numpy_random.h"

#include <algorithm>
#include <cmath>

namespace lt::eval {
namespace {

// An array of resampled scores with the dtype NumPy would give it.
struct ScoreArray {
  std::vector<double> v;  // values (exact float32 values when isFloat32)
  bool isFloat32 = true;
};

ScoreArray resample(const CorpusMetric& metric, const std::vector<SegmentStats>& stats,
                    const std::vector<uint32_t>& idx, size_t samples) {
  const size_t n = stats.size();
  const size_t k = stats.empty() ? 0 : stats[0].size();
  // float32 copy of the statistics, summed row by row in float32 as NumPy does.
  std::vector<float> flat(n * k);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < k; ++j) flat[i * k + j] = static_cast<float>(stats[i][j]);
  ScoreArray out;
  out.v.resize(samples);
  std::vector<float> sum(k);
  for (size_t s = 0; s < samples; ++s) {
    std::fill(sum.begin(), sum.end(), 0.0f);
    const uint32_t* row = idx.data() + s * n;
    for (size_t i = 0; i < n; ++i) {
      const float* src = flat.data() + static_cast<size_t>(row[i]) * k;
      for (size_t j = 0; j < k; ++j) sum[j] += src[j];
    }
    ResampledScore r = metric.resampledScore(sum);
    out.v[s] = r.value;
    out.isFloat32 = out.isFloat32 && r.isFloat32;
  }
  if (samples == 0) out.isFloat32 = false;
  return out;
}

double mean(const ScoreArray& a) {
  if (a.isFloat32) {
    std::vector<float> f(a.v.begin(), a.v.end());
    const float s = numpyPairwiseSum(f.data(), f.size());
    return static_cast<float>(static_cast<double>(s) / static_cast<double>(f.size()));
  }
  return numpyPairwiseSum(a.v.data(), a.v.size()) / static_cast<double>(a.v.size());
}

// sacreBLEU's estimate_ci: mean of the sorted scores and half the distance
// between the n//40-th smallest and largest.
void estimateCi(const ScoreArray& scores, double& meanOut, double& ciOut) {
  ScoreArray sorted = scores;
  std::sort(sorted.v.begin(), sorted.v.end());
  const size_t n = sorted.v.size();
  const size_t lo = n / 40, hi = n - lo - 1;
  if (scores.isFloat32) {
    const float d = static_cast<float>(sorted.v[hi]) - static_cast<float>(sorted.v[lo]);
    ciOut = 0.5f * d;
  } else {
    ciOut = 0.5 * (sorted.v[hi] - sorted.v[lo]);
  }
  meanOut = mean(sorted);
}

double pValue(const ScoreArray& sys, const ScoreArray& base, double realDiff) {
  const bool f32 = sys.isFloat32 && base.isFloat32;
  ScoreArray diffs;
  diffs.isFloat32 = f32;
  diffs.v.resize(sys.v.size());
  for (size_t i = 0; i < sys.v.size(); ++i) {
    if (f32)
      diffs.v[i] = std::fabs(static_cast<float>(sys.v[i]) - static_cast<float>(base.v[i]));
    else
      diffs.v[i] = std::fabs(sys.v[i] - base.v[i]);
  }
  const double m = mean(diffs);
  size_t count = 0;
  for (double d : diffs.v) {
    if (f32) {
      const float centred = static_cast<float>(d) - static_cast<float>(m);
      count += centred > static_cast<float>(realDiff);
    } else {
      count += (d - m) > realDiff;
    }
  }
  return static_cast<double>(count + 1) / static_cast<double>(diffs.v.size() + 1);
}

}  // namespace

std::vector<SystemResult> pairedBootstrap(const CorpusMetric& metric,
                                          const std::vector<std::vector<std::string>>& systems,
                                          const BootstrapOptions& opt) {
  LT_CHECK(systems.size() >= 2, ConfigError, "compare: need at least two systems (--hyp A --hyp B), got {}",
           systems.size());
  LT_CHECK(opt.samples >= 1, ConfigError, "compare: --samples must be >= 1, got {}", opt.samples);
  const size_t n = systems[0].size();
  LT_CHECK(n >= 1, DataError, "compare: the systems have no lines");
  const std::vector<uint32_t> idx = bootstrapIndices(opt.seed, opt.samples, n);

  std::vector<SystemResult> results;
  ScoreArray baseScores;
  double baseScore = 0.0;
  for (size_t s = 0; s < systems.size(); ++s) {
    const std::vector<SegmentStats> stats = metric.segmentStats(systems[s]);
    SystemResult r;
    r.score = metric.scoreFromTotals(sumStats(stats));
    ScoreArray scores = resample(metric, stats, idx, opt.samples);
    estimateCi(scores, r.mean, r.ci);
    if (s == 0) {
      baseScores = std::move(scores);
      baseScore = r.score;
    } else {
      r.pValue = pValue(scores, baseScores, std::fabs(baseScore - r.score));
    }
    results.push_back(r);
  }
  return results;
}

}  // namespace lt::eval
