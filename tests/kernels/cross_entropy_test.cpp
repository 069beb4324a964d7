// kernels/cross_entropy.h: fused fast path vs the double-precision reference,
// numerical stability, thread invariance. A skipped benchmark case times
// [4096 x 10000] forward + backward (run with --no-skip -tc='*bench*').
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <vector>

#include "common/rng.h"
#include "common/threads.h"
#include "kernels/cross_entropy.h"
#include "kernels/ref/cross_entropy.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(lo, hi);
  return t;
}
// Targets in [0, v), about a fifth set to pad.
Tensor randomTargets(int64_t n, int64_t v, int pad, Rng& rng) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (auto& x : t) x = rng.uniform() < 0.2f ? pad : int32_t(rng.below(uint64_t(v)));
  return Tensor::fromVector({n}, t);
}
double maxAbs(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.elements(); ++i)
    m = std::max(m, std::fabs(double(a.data<float>()[i]) - double(b.data<float>()[i])));
  return m;
}
}  // namespace

TEST_CASE("kernels/cross_entropy: fused fast path equals the reference") {
  Rng rng(31);
  struct Case { int64_t n, v; int pad; float eps; float scale; };
  std::vector<Case> cases = {{1, 1, -1, 0.f, 1.f},   {1, 2, -1, 0.1f, 1.f},  {3, 5, 0, 0.1f, 3.f},
                             {7, 33, 1, 0.2f, 10.f}, {17, 1001, 2, 0.1f, 5.f},
                             {64, 4097, 0, 0.1f, 8.f}, {2, 40000, 3, 0.1f, 4.f}};
  for (int k = 0; k < 4; ++k)  // plus random N in [1, 40], V in [2, 3000]
    cases.push_back({int64_t(1 + rng.below(40)), int64_t(2 + rng.below(2999)), int(rng.below(2)), 0.1f, 6.f});
  for (const Case& c : cases) {
    Tensor x = uniformTensor({c.n, c.v}, rng, -c.scale, c.scale);
    Tensor t = randomTargets(c.n, c.v, c.pad, rng);
    if (c.n == 1 && c.pad < 0) t.data<int32_t>()[0] = int32_t(c.v - 1);
    Tensor lf = Tensor::empty({c.n}), lr = Tensor::empty({c.n});
    auto sf = kernels::crossEntropyForward(x, t, c.eps, c.pad, lf);
    auto sr = kernels::ref::crossEntropyForward(x, t, c.eps, c.pad, lr);
    INFO("N=" << c.n << " V=" << c.v);
    CHECK(sf.tokens == sr.tokens);
    CHECK(sf.loss == doctest::Approx(sr.loss).epsilon(2e-6));
    CHECK(sf.nll == doctest::Approx(sr.nll).epsilon(2e-6));
    CHECK(maxAbs(lf, lr) < 2e-5);
    for (bool acc : {false, true}) {
      Tensor df = Tensor::full({c.n, c.v}, 0.5f), dr = Tensor::full({c.n, c.v}, 0.5f);
      kernels::crossEntropyBackward(x, t, lf, c.eps, c.pad, 1.5f, df, acc);
      kernels::ref::crossEntropyBackward(x, t, lr, c.eps, c.pad, 1.5f, dr, acc);
      CHECK(maxAbs(df, dr) < 2e-6);
      // Pad rows: 0 (or untouched when accumulating).
      for (int64_t i = 0; i < c.n; ++i)
        if (t.data<int32_t>()[i] == c.pad) CHECK(df.data<float>()[i * c.v] == (acc ? 0.5f : 0.f));
    }
  }
}

TEST_CASE("kernels/cross_entropy: stable for huge logits, identical at 1 and 2 threads") {
  Rng rng(6);
  const int64_t n = 300, v = 517;
  Tensor x = uniformTensor({n, v}, rng, -5.f, 5.f);
  Tensor shifted = x.clone();
  for (int64_t i = 0; i < x.elements(); ++i) shifted.data<float>()[i] += 5000.f;  // exp overflows naively
  Tensor t = randomTargets(n, v, 0, rng);
  Tensor l1 = Tensor::empty({n}), l2 = Tensor::empty({n});
  auto a = kernels::crossEntropyForward(x, t, 0.1f, 0, l1);
  auto b = kernels::crossEntropyForward(shifted, t, 0.1f, 0, l2);
  CHECK(std::isfinite(b.loss));
  CHECK(b.loss == doctest::Approx(a.loss).epsilon(1e-3));  // shift-invariant (up to fp32 spacing at 5000)

  int saved = numThreads();
  Tensor d1 = Tensor::empty({n, v}), d2 = Tensor::empty({n, v});
  setThreads(1);
  auto s1 = kernels::crossEntropyForward(x, t, 0.1f, 0, l1);
  kernels::crossEntropyBackward(x, t, l1, 0.1f, 0, 1.f, d1, false);
  setThreads(2);
  auto s2 = kernels::crossEntropyForward(x, t, 0.1f, 0, l2);
  kernels::crossEntropyBackward(x, t, l2, 0.1f, 0, 1.f, d2, false);
  setThreads(saved);
  CHECK(s1.loss == s2.loss);
  CHECK(s1.nll == s2.nll);
  CHECK(std::memcmp(d1.rawData(), d2.rawData(), d1.bytes()) == 0);
  // Each non-pad gradient row sums to 0 (softmax and smoothed target both sum to 1).
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int64_t j = 0; j < v; ++j) s += d1.data<float>()[i * v + j];
    CHECK(std::fabs(s) < 1e-5);
  }
}

TEST_CASE("kernels/cross_entropy: benchmark [4096 x 10000] forward + backward" * doctest::skip()) {
  Rng rng(1);
  const int64_t n = 4096, v = 10000;
  Tensor x = uniformTensor({n, v}, rng, -8.f, 8.f);
  Tensor t = randomTargets(n, v, 1, rng);
  Tensor l = Tensor::empty({n});
  Tensor d = Tensor::empty({n, v});
  using Clock = std::chrono::steady_clock;
  for (int threads : {1, 2}) {
    setThreads(threads);
    kernels::crossEntropyForward(x, t, 0.1f, 1, l);  // warm-up (page faults on d below)
    kernels::crossEntropyBackward(x, t, l, 0.1f, 1, 1.f, d, false);
    // Best of 5 by wall clock; CPU time (all threads) of that run shows the cost when the
    // machine is shared.
    double fwd = 1e9, bwd = 1e9, cpuF = 0, cpuB = 0;
    for (int rep = 0; rep < 5; ++rep) {
      std::clock_t c0 = std::clock();
      auto t0 = Clock::now();
      kernels::crossEntropyForward(x, t, 0.1f, 1, l);
      auto t1 = Clock::now();
      std::clock_t c1 = std::clock();
      kernels::crossEntropyBackward(x, t, l, 0.1f, 1, 1.f, d, false);
      auto t2 = Clock::now();
      std::clock_t c2 = std::clock();
      double f = std::chrono::duration<double, std::milli>(t1 - t0).count();
      double b = std::chrono::duration<double, std::milli>(t2 - t1).count();
      if (f < fwd) fwd = f, cpuF = 1000.0 * double(c1 - c0) / CLOCKS_PER_SEC;
      if (b < bwd) bwd = b, cpuB = 1000.0 * double(c2 - c1) / CLOCKS_PER_SEC;
    }
    MESSAGE("threads " << threads << ": forward " << fwd << " ms (cpu " << cpuF << "), backward "
                       << bwd << " ms (cpu " << cpuB << "), total " << fwd + bwd << " ms");
  }
  {
    auto t0 = Clock::now();
    kernels::ref::crossEntropyForward(x, t, 0.1f, 1, l);
    kernels::ref::crossEntropyBackward(x, t, l, 0.1f, 1, 1.f, d, false);
    MESSAGE("reference (1 thread): "
            << std::chrono::duration<double, std::milli>(Clock::now() - t0).count() << " ms");
  }
}
