// NumPy-compatible random draws (values recorded from NumPy 2.4 in Python)
// and the paired bootstrap test.
#include "eval/significance.h"

#include "eval/numpy_random.h"

#include <cmath>
#include <doctest/doctest.h>
#include <string>

using namespace lt::eval;

TEST_CASE("SeedSequence and PCG64 reproduce NumPy") {
  // np.random.SeedSequence(12345).generate_state(4, np.uint64)
  auto st = seedSequenceState64(12345, 4);
  CHECK(st[0] == 0xb5ae6482a03d837cull);
  CHECK(st[1] == 0xbbe2996ffa1f7a2full);
  CHECK(st[2] == 0x64e39a9f37158f94ull);
  CHECK(st[3] == 0x3ebb0f96a013fd73ull);
  // np.random.default_rng(12345).integers(0, 2**64 - 1, 3, dtype=np.uint64, endpoint=True)
  Pcg64 rng(12345);
  CHECK(rng.next64() == 4193609425186963869ull);
  CHECK(rng.next64() == 5843160025838961886ull);
  CHECK(rng.next64() == 14708796524633321433ull);
}

TEST_CASE("bootstrap indices are Generator.choice(n, size=(k, n))") {
  // np.random.default_rng(12345).choice(6750, size=(2, 6750), replace=True)[:, :8]
  auto idx = bootstrapIndices(12345, 2, 6750);
  const uint32_t row0[] = {4719, 1534, 5323, 2138, 1378, 5382, 4338, 4564};
  const uint32_t row1[] = {3278, 835, 4992, 6136, 3779, 5241, 422, 2877};
  for (int i = 0; i < 8; ++i) {
    CHECK(idx[i] == row0[i]);
    CHECK(idx[6750 + i] == row1[i]);
  }
  // np.random.default_rng(7).choice(10, size=(1, 12), replace=True)[0, :10]
  auto small = bootstrapIndices(7, 1, 10);
  const uint32_t expect[] = {9, 6, 6, 8, 5, 7, 8, 2, 0, 3};
  for (int i = 0; i < 10; ++i) CHECK(small[i] == expect[i]);
}

TEST_CASE("pairwise summation matches np.add.reduce, not a running sum") {
  std::vector<double> a(1000);
  std::vector<float> f(1000);
  for (int i = 0; i < 1000; ++i) {
    a[i] = 1.0 / (i + 1);
    f[i] = static_cast<float>(a[i]);
  }
  CHECK(numpyPairwiseSum(a.data(), a.size()) == 7.485470860550345);  // running sum: ...343
  CHECK(numpyPairwiseSum(f.data(), f.size()) == 7.485471725463867f);  // running float sum: ...478401
}

namespace {
// Each line is a number; the "score" is the mean of the numbers.
class MeanMetric : public CorpusMetric {
public:
  std::string name() const override { return "mean"; }
  std::vector<SegmentStats> segmentStats(const std::vector<std::string>& hyps) const override {
    std::vector<SegmentStats> out;
    for (const auto& h : hyps) out.push_back({std::stoll(h), 1});
    return out;
  }
  double scoreFromTotals(const SegmentStats& t) const override {
    return static_cast<double>(t[0]) / static_cast<double>(t[1]);
  }
  ResampledScore resampledScore(const std::vector<float>& t) const override {
    return {static_cast<double>(t[0]) / static_cast<double>(t[1]), false};
  }
  std::string signature() const override { return "mean"; }
};

std::vector<std::string> numbers(int n, int offset) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(std::to_string(i + offset));
  return v;
}
}  // namespace

TEST_CASE("paired bootstrap: statistics of the resampled means") {
  MeanMetric m;
  BootstrapOptions opt;
  opt.samples = 1000;
  // Baseline 0..99 (mean 49.5, sd 28.87); system shifted by +1 on every line.
  auto res = pairedBootstrap(m, {numbers(100, 0), numbers(100, 1)}, opt);
  REQUIRE(res.size() == 2);
  CHECK(res[0].score == doctest::Approx(49.5));
  CHECK(res[1].score == doctest::Approx(50.5));
  // The bootstrap mean is within a few standard errors (2.887 / sqrt(1000)) of 49.5.
  CHECK(std::fabs(res[0].mean - 49.5) < 0.5);
  // The 95% half-width approximates 1.96 * 28.87 / sqrt(100) = 5.66.
  CHECK(res[0].ci > 4.5);
  CHECK(res[0].ci < 6.8);
  CHECK_FALSE(res[0].pValue.has_value());
  // Shared resamples: the difference is exactly 1 in every sample, so the
  // centred statistic is 0 everywhere and never exceeds 1: p = 1 / 1001.
  REQUIRE(res[1].pValue.has_value());
  CHECK(*res[1].pValue == doctest::Approx(1.0 / 1001));
  CHECK(res[1].mean - res[0].mean == doctest::Approx(1.0));
  // Identical systems give the same p = 1/1001 in sacreBLEU's formula (0 > 0 never counts).
  auto same = pairedBootstrap(m, {numbers(50, 0), numbers(50, 0)}, opt);
  CHECK(*same[1].pValue == doctest::Approx(1.0 / 1001));
}

TEST_CASE("paired bootstrap: a noisy difference is not significant") {
  MeanMetric m;
  BootstrapOptions opt;
  opt.samples = 500;
  opt.seed = 3;
  // System = baseline with lines permuted: same corpus score, different lines.
  std::vector<std::string> base = numbers(200, 0), sys;
  for (int i = 0; i < 200; ++i) sys.push_back(std::to_string((i * 7) % 200));
  auto res = pairedBootstrap(m, {base, sys}, opt);
  CHECK(res[1].score == doctest::Approx(res[0].score));
  CHECK(*res[1].pValue > 0.3);
}
