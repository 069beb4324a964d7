// lightConv / lightConvStep ops: finite-difference gradients (incl. DropConnect), the
// DropConnect semantics against a direct computation, causality, step == last time step of
// the causal conv, reference mode, shape errors. Plus a skipped benchmark (bench-conv).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/timer.h"
#include "kernels/backend.h"
#include "ops/lightconv.h"
#include "support/gradcheck.h"
#include "support/ring_window.h"

using namespace lt;
using lt::test::gradCheck;
using lt::test::GradCheckOptions;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

std::string minMedian(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f / %.3f", v.front(), v[v.size() / 2]);
  return buf;
}

struct Case {
  int64_t B, T, C, H, k;
  int pad;
  float p;
  bool softmax;
};

// odd C, C/H = 3 or 5, T = 1, k > T, even/odd k, centred and causal, DropConnect on/off
const Case kCases[] = {
    {2, 5, 6, 2, 3, 1, 0.f, true},   {1, 1, 5, 1, 4, 3, 0.f, true},  {2, 4, 9, 3, 6, 2, 0.3f, true},
    {1, 3, 10, 2, 7, 6, 0.2f, true}, {2, 6, 15, 5, 5, 2, 0.f, false}, {1, 7, 4, 4, 2, 0, 0.5f, true},
};

Tensor sliceTime(const Tensor& x, int64_t t) {  // x [B, T, C] -> [B, C] at time t
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2);
  Tensor r = Tensor::empty({B, C});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c) r.data<float>()[b * C + c] = x.data<float>()[(b * T + t) * C + c];
  return r;
}

// The decoder's window after feeding x[:, 0..t]: the last k inputs, zeros before the start.
Tensor windowAt(const Tensor& x, int64_t t, int64_t k) {
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2);
  Tensor w = Tensor::zeros({B, k, C});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < k; ++j) {
      const int64_t s = t - (k - 1) + j;
      if (s < 0) continue;
      for (int64_t c = 0; c < C; ++c)
        w.data<float>()[(b * k + j) * C + c] = x.data<float>()[(b * T + s) * C + c];
    }
  return w;
}

}  // namespace

TEST_CASE("lightConv: finite-difference gradients of x and weight") {
  Rng rng(101);
  // Declared: central differences with eps 1e-2 on fp32 forwards; |a - n| <= 2e-3 + 2e-2 max.
  GradCheckOptions opt;
  opt.eps = 1e-2f;
  opt.atol = 2e-3;
  opt.rtol = 2e-2;
  for (const Case& cs : kCases) {
    CAPTURE(cs.T);
    CAPTURE(cs.C);
    CAPTURE(cs.k);
    CAPTURE(cs.pad);
    CAPTURE(cs.p);
    Tensor x = randomTensor({cs.B, cs.T, cs.C}, rng);
    Tensor w = randomTensor({cs.H, cs.k}, rng, -1.5f, 1.5f);
    gradCheck(
        "lightConv",
        [&](const std::vector<Var>& in) {
          return ops::lightConv(in[0], in[1], cs.pad, cs.p, 77, 3, cs.softmax);
        },
        {x, w}, opt);
  }
}

TEST_CASE("lightConv: DropConnect drops softmaxed weights by philox and rescales") {
  Rng rng(5);
  const int64_t B = 2, T = 6, C = 8, H = 2, k = 5;
  const float p = 0.4f;
  Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({H, k}, rng);
  Var y = ops::lightConv(Var(x), Var(w), 2, p, 1234, 7);
  // expected effective weights, computed here from the definition
  std::vector<double> we(size_t(H * k));
  int dropped = 0;
  for (int64_t h = 0; h < H; ++h) {
    double mx = -1e30, s = 0;
    for (int64_t j = 0; j < k; ++j) mx = std::max(mx, double(w.data<float>()[h * k + j]));
    for (int64_t j = 0; j < k; ++j) s += std::exp(w.data<float>()[h * k + j] - mx);
    for (int64_t j = 0; j < k; ++j) {
      const bool drop = philoxUniform(1234, 7, uint64_t(h * k + j)) < p;
      dropped += drop;
      we[size_t(h * k + j)] = drop ? 0.0 : std::exp(w.data<float>()[h * k + j] - mx) / s / (1 - p);
    }
  }
  REQUIRE(dropped > 0);
  REQUIRE(dropped < H * k);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t c = 0; c < C; ++c) {
        double e = 0;
        for (int64_t j = 0; j < k; ++j) {
          const int64_t s = t + j - 2;
          if (s >= 0 && s < T) e += we[size_t((c / (C / H)) * k + j)] * x.data<float>()[(b * T + s) * C + c];
        }
        CHECK(y.value().data<float>()[(b * T + t) * C + c] == doctest::Approx(e).epsilon(1e-5));
      }
  // another stream draws another mask
  Var y2 = ops::lightConv(Var(x), Var(w), 2, p, 1234, 8);
  CHECK(maxAbsDiff(y.value(), y2.value()) > 1e-3f);
}

TEST_CASE("lightConv: causal padding never looks ahead") {
  Rng rng(9);
  const int64_t B = 2, T = 9, C = 6, H = 3, k = 4;
  Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({H, k}, rng);
  Tensor y0 = ops::lightConv(Var(x), Var(w), int(k - 1)).value().clone();
  const int64_t t0 = 5;
  Tensor x2 = x.clone();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c) x2.data<float>()[(b * T + t0) * C + c] += 3.f;
  Tensor y1 = ops::lightConv(Var(x2), Var(w), int(k - 1)).value();
  for (int64_t t = 0; t < T; ++t) {
    const float d = maxAbsDiff(sliceTime(y0, t), sliceTime(y1, t));
    if (t < t0) CHECK(d == 0.f);
    else if (t < t0 + k) CHECK(d > 1e-3f);  // the change does reach the window
  }
}

TEST_CASE("lightConvStep equals the last time step of the causal lightConv at every step") {
  Rng rng(13);
  const int64_t B = 3, C = 10, H = 2, T = 5;
  for (int64_t k : {1, 2, 3, 8}) {  // k = 8 > T: the first windows are mostly zeros
    for (bool sm : {true, false}) {
      CAPTURE(k);
      CAPTURE(sm);
      Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({H, k}, rng);
      Tensor y = ops::lightConv(Var(x), Var(w), int(k - 1), 0.f, 0, 0, sm).value();
      for (int64_t t = 0; t < T; ++t) {
        CAPTURE(t);
        Tensor s = ops::lightConvStep(windowAt(x, t, k), w, sm);
        CHECK(maxAbsDiff(s, sliceTime(y, t)) <= 1e-5f);
        for (int64_t o = 1; o < k; ++o) {  // the same window as a ring starting at slot o
          CAPTURE(o);
          Tensor r = lt::test::ringWindow(windowAt(x, t, k), o);
          CHECK(maxAbsDiff(ops::lightConvStep(r, w, sm, o), sliceTime(y, t)) <= 1e-5f);
        }
      }
    }
  }
}

TEST_CASE("lightConv: reference kernels give the same values and gradients") {
  Rng rng(17);
  Tensor x = randomTensor({3, 11, 12}, rng), w = randomTensor({4, 7}, rng), R = randomTensor({3, 11, 12}, rng);
  Tensor out[2], gx[2], gw[2];
  for (int ref = 0; ref < 2; ++ref) {
    kernels::setReferenceKernels(ref == 1);
    Var vx(x, true), vw(w, true);
    Var y = ops::lightConv(vx, vw, 3, 0.25f, 9, 1);
    backward(y, R);
    out[ref] = y.value();
    gx[ref] = vx.grad();
    gw[ref] = vw.grad();
  }
  kernels::setReferenceKernels(false);
  CHECK(maxAbsDiff(out[0], out[1]) <= 1e-5f);
  CHECK(maxAbsDiff(gx[0], gx[1]) <= 1e-5f);
  CHECK(maxAbsDiff(gw[0], gw[1]) <= 1e-4f);
}

TEST_CASE("lightConv: bad shapes raise ShapeError naming the op and both shapes") {
  Var x(Tensor::zeros({2, 5, 6})), w(Tensor::zeros({4, 3}));
  CHECK_THROWS_WITH_AS(ops::lightConv(x, w, 1),
                       "lightConv: x [2x5x6] and weight [4x3]: 6 channels are not divisible by 4 heads",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::lightConv(Var(Tensor::zeros({5, 6})), Var(Tensor::zeros({2, 3})), 1),
                       "lightConv: x [5x6] and weight [2x3]: x must be [B, T, C]", ShapeError);
  CHECK_THROWS_WITH_AS(ops::lightConv(x, Var(Tensor::zeros({2, 3})), 3),
                       "lightConv: x [2x5x6] and weight [2x3]: padLeft 3 outside [0, k-1 = 2]",
                       ShapeError);
  CHECK_THROWS_AS(ops::lightConv(x, Var(Tensor::zeros({2, 3})), 1, 1.f), ConfigError);
  CHECK_THROWS_WITH_AS(ops::lightConvStep(Tensor::zeros({2, 4, 6}), Tensor::zeros({2, 3})),
                       "lightConvStep: window [2x4x6] and weight [2x3]: window holds 4 steps, "
                       "kernel has 3 taps",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::lightConvStep(Tensor::zeros({2, 3, 6}), Tensor::zeros({2, 3}), true, 3),
                       "lightConvStep: oldest slot 3 outside [0, 3)", ShapeError);
}

TEST_CASE("bench-conv: lightConv [32,30,256] k=31 forward+backward, fast vs reference" *
          doctest::skip()) {
  Rng rng(1);
  Tensor x = randomTensor({32, 30, 256}, rng), w = randomTensor({4, 31}, rng);
  Tensor R = randomTensor({32, 30, 256}, rng);
  for (int ref = 0; ref < 2; ++ref) {
    kernels::setReferenceKernels(ref == 1);
    const int reps = ref ? 3 : 50;
    std::vector<double> fwd, tot;
    for (int r = 0; r < reps + 1; ++r) {
      Var vx(x, true), vw(w, true);
      Timer tm;
      Var y = ops::lightConv(vx, vw, 30, 0.1f, 1, 2);
      double f = tm.seconds();
      backward(y, R);
      if (r > 0) {  // first run warms up
        fwd.push_back(1e3 * f);
        tot.push_back(1e3 * tm.seconds());
      }
    }
    MESSAGE(std::string(ref ? "reference" : "fast") << " lightConv [32,30,256] k=31 causal p=0.1: forward "
                                         << minMedian(fwd) << " ms, forward+backward "
                                         << minMedian(tot) << " ms (min / median)");
  }
  kernels::setReferenceKernels(false);
}

TEST_CASE("lightConv backward accumulates into existing gradients") {
  Rng rng(41);
  Tensor x = randomTensor({2, 5, 6}, rng), w = randomTensor({3, 3}, rng), R = randomTensor({2, 5, 6}, rng);
  Var vx(x, true), vw(w, true);
  backward(ops::lightConv(vx, vw, 1, 0.2f, 3, 3), R);
  Tensor gx1 = vx.grad().clone(), gw1 = vw.grad().clone();
  backward(ops::lightConv(vx, vw, 1, 0.2f, 3, 3), R);  // same mask: the gradient doubles
  for (int64_t i = 0; i < gx1.elements(); ++i)
    CHECK(vx.grad().data<float>()[i] == doctest::Approx(2 * gx1.data<float>()[i]));
  for (int64_t i = 0; i < gw1.elements(); ++i)
    CHECK(vw.grad().data<float>()[i] == doctest::Approx(2 * gw1.data<float>()[i]));
}
