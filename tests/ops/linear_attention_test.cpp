// Linear attention ops: finite-difference gradients of phiQ, phiK and v (both denominator
// modes, key mask, clamped rows), the parallel prefix-sum form vs the step-by-step
// recurrence, causality, the quadratic masked form computed here (T2R's training form),
// reference mode, shape errors. Plus a skipped benchmark (bench-la).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "common/rng.h"
#include "common/timer.h"
#include "kernels/backend.h"
#include "ops/linear_attention.h"
#include "support/gradcheck.h"

using namespace lt;
using ops::Denominator;
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

Tensor maskFrom(int64_t B, int64_t T, const std::vector<float>& v) {
  return Tensor::fromVector(Shape{B, T}, v);
}

// [B, H, T, d] -> [B, H, d] at time t
Tensor stepOf(const Tensor& x, int64_t t) {
  const int64_t B = x.dim(0), H = x.dim(1), T = x.dim(2), d = x.dim(3);
  Tensor r = Tensor::empty({B, H, d});
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t i = 0; i < d; ++i) r.data<float>()[bh * d + i] = x.data<float>()[(bh * T + t) * d + i];
  return r;
}

GradCheckOptions declaredOptions() {
  // Declared: central differences with eps 1e-3 on fp32 forwards; |a - n| <= 2e-3 + 2e-2 max.
  GradCheckOptions opt;
  opt.eps = 1e-3f;
  opt.atol = 2e-3;
  opt.rtol = 2e-2;
  return opt;
}

}  // namespace

TEST_CASE("causalLinearAttention: finite-difference gradients of phiQ, phiK and v") {
  Rng rng(301);
  struct Case {
    int64_t B, H, T, m, dv;
    Denominator mode;
    float eps;
    bool mask;
  };
  // ELU-style (AddEps 1e-6) and T2R-style (ClampEps 1e-2) with a key mask whose masked
  // prefix leaves the first rows with den = 0 (clamped: no gradient through den); T = 1;
  // T = 70 crosses a 64-step chunk.
  const Case cases[] = {{2, 2, 5, 3, 4, Denominator::AddEps, 1e-6f, false},
                        {2, 1, 6, 4, 3, Denominator::ClampEps, 1e-2f, true},
                        {1, 2, 6, 3, 2, Denominator::AddEps, 1e-6f, true},
                        {1, 1, 1, 2, 3, Denominator::ClampEps, 1e-2f, false},
                        {1, 1, 70, 3, 2, Denominator::AddEps, 1e-6f, false}};
  for (const Case& cs : cases) {
    CAPTURE(cs.T);
    CAPTURE(int(cs.mode));
    CAPTURE(cs.mask);
    Tensor q = randomTensor({cs.B, cs.H, cs.T, cs.m}, rng, 0.1f, 1.f);
    Tensor k = randomTensor({cs.B, cs.H, cs.T, cs.m}, rng, 0.1f, 1.f);
    Tensor v = randomTensor({cs.B, cs.H, cs.T, cs.dv}, rng);
    Tensor mask;
    if (cs.mask) {
      std::vector<float> mv(size_t(cs.B * cs.T), 1.f);
      mv[0] = mv[1] = 0.f;               // batch 0: first two keys padded
      mv[size_t(cs.T - 1)] = 0.f;        // and its last
      if (cs.B > 1) mv[size_t(cs.T + 2)] = 0.f;
      mask = maskFrom(cs.B, cs.T, mv);
    }
    gradCheck(
        "causalLinearAttention",
        [&](const std::vector<Var>& in) {
          return ops::causalLinearAttention(in[0], in[1], in[2], cs.eps, cs.mode, mask);
        },
        {q, k, v}, declaredOptions());
  }
}

TEST_CASE("causalLinearAttention: every row clamped (ClampEps) has gradient only through num") {
  Rng rng(303);
  const int64_t B = 1, H = 2, T = 6, m = 4;
  Tensor q = randomTensor({B, H, T, m}, rng, 0.2f, 1.f), k = randomTensor({B, H, T, m}, rng, 0.2f, 1.f);
  Tensor v = randomTensor({B, H, T, 3}, rng);
  // eps just above the largest q_t . z_t: y = num / eps everywhere, and a wrong gradient
  // through den (relative size den / eps, up to ~0.9 here) would be visible.
  double rowMax = 0;
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t t = 0; t < T; ++t) {
      double d = 0;
      for (int64_t s = 0; s <= t; ++s)
        for (int64_t i = 0; i < m; ++i)
          d += double(q.data<float>()[(bh * T + t) * m + i]) * k.data<float>()[(bh * T + s) * m + i];
      rowMax = std::max(rowMax, d);
    }
  const float eps = float(1.1 * rowMax);
  gradCheck(
      "causalLinearAttention clamped",
      [&](const std::vector<Var>& in) {
        return ops::causalLinearAttention(in[0], in[1], in[2], eps, Denominator::ClampEps);
      },
      {q, k, v}, declaredOptions());
}

TEST_CASE("linearAttention (non-causal): finite-difference gradients, Tq != Tk, key mask") {
  Rng rng(307);
  for (Denominator mode : {Denominator::AddEps, Denominator::ClampEps}) {
    Tensor q = randomTensor({2, 2, 4, 3}, rng, 0.1f, 1.f), k = randomTensor({2, 2, 7, 3}, rng, 0.1f, 1.f);
    Tensor v = randomTensor({2, 2, 7, 5}, rng);
    Tensor mask = maskFrom(2, 7, {1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1});
    gradCheck(
        "linearAttention",
        [&](const std::vector<Var>& in) {
          return ops::linearAttention(in[0], in[1], in[2], mode == Denominator::AddEps ? 1e-6f : 1e-2f,
                                      mode, mask);
        },
        {q, k, v}, declaredOptions());
  }
}

TEST_CASE("causalLinearAttention equals the step-by-step recurrence at every step") {
  Rng rng(311);
  const int64_t B = 2, H = 2, T = 150, m = 5, dv = 6;  // T spans three 64-step chunks
  for (Denominator mode : {Denominator::AddEps, Denominator::ClampEps}) {
    const float eps = mode == Denominator::AddEps ? 1e-6f : 0.5f;
    Tensor q = randomTensor({B, H, T, m}, rng, 0.f, 1.f), k = randomTensor({B, H, T, m}, rng, 0.f, 1.f);
    Tensor v = randomTensor({B, H, T, dv}, rng);
    std::vector<float> mv(size_t(B * T), 1.f);
    for (int64_t i = 0; i < B * T; i += 7) mv[size_t(i)] = 0.f;
    Tensor mask = maskFrom(B, T, mv);
    Tensor y = ops::causalLinearAttention(Var(q), Var(k), Var(v), eps, mode, mask).value();
    ops::LinearAttentionState st;
    Tensor out;
    for (int64_t t = 0; t < T; ++t) {
      Tensor kt = stepOf(k, t);  // a padded key enters the state as zeros
      for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < H * m; ++i) kt.data<float>()[b * H * m + i] *= mv[size_t(b * T + t)];
      ops::linearAttentionStep(st, stepOf(q, t), kt, stepOf(v, t), eps, mode, out);
      CAPTURE(t);
      CHECK(maxAbsDiff(out, stepOf(y, t)) <= 2e-5f);
    }
  }
}

TEST_CASE("causalLinearAttention: a future input never changes earlier outputs") {
  Rng rng(313);
  const int64_t B = 2, H = 2, T = 9, m = 4, dv = 3, t0 = 5;
  Tensor q = randomTensor({B, H, T, m}, rng, 0.f, 1.f), k = randomTensor({B, H, T, m}, rng, 0.f, 1.f);
  Tensor v = randomTensor({B, H, T, dv}, rng);
  Tensor y0 = ops::causalLinearAttention(Var(q), Var(k), Var(v), 1e-2f, Denominator::ClampEps).value().clone();
  Tensor q2 = q.clone(), k2 = k.clone(), v2 = v.clone();
  for (int64_t bh = 0; bh < B * H; ++bh) {
    for (int64_t i = 0; i < m; ++i) {
      q2.data<float>()[(bh * T + t0) * m + i] += 0.5f;
      k2.data<float>()[(bh * T + t0) * m + i] += 0.5f;
    }
    for (int64_t e = 0; e < dv; ++e) v2.data<float>()[(bh * T + t0) * dv + e] -= 1.f;
  }
  Tensor y1 = ops::causalLinearAttention(Var(q2), Var(k2), Var(v2), 1e-2f, Denominator::ClampEps).value();
  for (int64_t t = 0; t < T; ++t) {
    const float d = maxAbsDiff(stepOf(y0, t), stepOf(y1, t));
    if (t < t0) CHECK(d == 0.f);
    else CHECK(d > 1e-4f);
  }
}

TEST_CASE("causalLinearAttention (ClampEps) equals the quadratic masked form") {
  // T2R's training form: A = phiQ phiK^T, zero the future and padded keys, divide each row
  // by max(row sum, eps), times V. Computed here in double.
  Rng rng(317);
  const int64_t B = 2, H = 3, T = 12, m = 4, dv = 5;
  const float eps = 0.4f;  // features in [0, 0.6): some rows clamped, some not
  Tensor q = randomTensor({B, H, T, m}, rng, 0.f, 0.6f), k = randomTensor({B, H, T, m}, rng, 0.f, 0.6f);
  Tensor v = randomTensor({B, H, T, dv}, rng);
  std::vector<float> mv(size_t(B * T), 1.f);
  mv[3] = mv[4] = mv[size_t(T + 0)] = 0.f;
  Tensor mask = maskFrom(B, T, mv);
  Tensor y = ops::causalLinearAttention(Var(q), Var(k), Var(v), eps, Denominator::ClampEps, mask).value();
  int clamped = 0, unclamped = 0;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t bh = b * H + h;
      std::vector<double> A(size_t(T * T), 0.0);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < T; ++s) {
          double a = 0;
          for (int64_t i = 0; i < m; ++i)
            a += double(q.data<float>()[(bh * T + t) * m + i]) * k.data<float>()[(bh * T + s) * m + i];
          A[size_t(t * T + s)] = (s > t || mv[size_t(b * T + s)] == 0.f) ? 0.0 : a;
        }
      for (int64_t t = 0; t < T; ++t) {
        double rs = 0;
        for (int64_t s = 0; s < T; ++s) rs += A[size_t(t * T + s)];
        (rs < eps ? clamped : unclamped)++;
        const double d = std::max(rs, double(eps));
        for (int64_t e = 0; e < dv; ++e) {
          double o = 0;
          for (int64_t s = 0; s < T; ++s) o += A[size_t(t * T + s)] / d * v.data<float>()[(bh * T + s) * dv + e];
          CHECK(y.data<float>()[(bh * T + t) * dv + e] == doctest::Approx(o).epsilon(1e-5));
        }
      }
    }
  CHECK(clamped > 0);
  CHECK(unclamped > 0);
}

TEST_CASE("linear attention ops: reference kernels give the same values and gradients") {
  Rng rng(331);
  Tensor q = randomTensor({2, 2, 70, 4}, rng, 0.f, 1.f), k = randomTensor({2, 2, 70, 4}, rng, 0.f, 1.f);
  Tensor v = randomTensor({2, 2, 70, 3}, rng), R = randomTensor({2, 2, 70, 3}, rng);
  for (bool causal : {true, false}) {
    Tensor out[2], g[2][3];
    for (int ref = 0; ref < 2; ++ref) {
      kernels::setReferenceKernels(ref == 1);
      Var vq(q, true), vk(k, true), vv(v, true);
      Var y = causal ? ops::causalLinearAttention(vq, vk, vv, 1e-2f, Denominator::ClampEps)
                     : ops::linearAttention(vq, vk, vv, 1e-6f, Denominator::AddEps);
      backward(y, R);
      out[ref] = y.value();
      g[ref][0] = vq.grad();
      g[ref][1] = vk.grad();
      g[ref][2] = vv.grad();
    }
    kernels::setReferenceKernels(false);
    CHECK(maxAbsDiff(out[0], out[1]) <= 1e-5f);
    for (int i = 0; i < 3; ++i) CHECK(maxAbsDiff(g[0][i], g[1][i]) <= 1e-4f);
  }
}

TEST_CASE("linear attention ops: bad shapes raise ShapeError naming the op and the shapes") {
  Var q(Tensor::zeros({2, 3, 5, 4})), k(Tensor::zeros({2, 3, 5, 6})), v(Tensor::zeros({2, 3, 5, 7}));
  CHECK_THROWS_WITH_AS(ops::causalLinearAttention(q, k, v, 1e-2f, Denominator::ClampEps),
                       "causalLinearAttention: phiQ [2x3x5x4] and phiK [2x3x5x6]: batch, heads "
                       "or feature size differ",
                       ShapeError);
  Var k4(Tensor::zeros({2, 3, 6, 4}));
  CHECK_THROWS_WITH_AS(ops::causalLinearAttention(q, k4, Var(Tensor::zeros({2, 3, 6, 7})), 1e-2f,
                                                  Denominator::ClampEps),
                       "causalLinearAttention: phiQ [2x3x5x4] and phiK [2x3x6x4]: shapes differ",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::linearAttention(q, k4, v, 1e-2f, Denominator::AddEps),
                       "linearAttention: phiK [2x3x6x4] and v [2x3x5x7]: batch, heads or key "
                       "length differ",
                       ShapeError);
  CHECK_THROWS_WITH_AS(
      ops::linearAttention(q, k4, Var(Tensor::zeros({2, 3, 6, 7})), 1e-2f, Denominator::AddEps,
                           Tensor::zeros({2, 5})),
      "linearAttention: phiK [2x3x6x4] and keyMask [2x5] (f32): keyMask must be f32 [B, Tk]",
      ShapeError);
  CHECK_THROWS_AS(ops::linearAttention(q, k4, Var(Tensor::zeros({2, 3, 6, 7})), 0.f,
                                       Denominator::AddEps),
                  ConfigError);
  ops::LinearAttentionState st;
  Tensor out;
  CHECK_THROWS_WITH_AS(ops::linearAttentionStep(st, Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 5}),
                                                Tensor::zeros({2, 3, 7}), 1e-2f, Denominator::AddEps, out),
                       "linearAttentionStep: phiq [2x3x4] and phik [2x3x5]: must be equal [N, H, m]",
                       ShapeError);
  ops::linearAttentionStep(st, Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 7}),
                           1e-2f, Denominator::AddEps, out);
  CHECK(st.S.shape() == Shape{2, 3, 4, 7});
  CHECK(out.shape() == Shape{2, 3, 7});
  CHECK_THROWS_WITH_AS(ops::linearAttentionStep(st, Tensor::zeros({1, 3, 4}), Tensor::zeros({1, 3, 4}),
                                                Tensor::zeros({1, 3, 7}), 1e-2f, Denominator::AddEps, out),
                       "linearAttentionStep: state S [2x3x4x7] / z [2x3x4] and phiq [1x3x4], v "
                       "[1x3x7]: expected S [1x3x4x7] and z [1x3x4]",
                       ShapeError);
}

TEST_CASE("bench-la: causalLinearAttention [32,4,30,32] dv=64 forward+backward, fast vs reference" *
          doctest::skip()) {
  Rng rng(1);
  Tensor q = randomTensor({32, 4, 30, 32}, rng, 0.f, 1.f), k = randomTensor({32, 4, 30, 32}, rng, 0.f, 1.f);
  Tensor v = randomTensor({32, 4, 30, 64}, rng), R = randomTensor({32, 4, 30, 64}, rng);
  for (int ref = 0; ref < 2; ++ref) {
    kernels::setReferenceKernels(ref == 1);
    const int reps = ref ? 3 : 30;
    std::vector<double> fwd, tot;
    for (int r = 0; r < reps + 1; ++r) {
      Var vq(q, true), vk(k, true), vv(v, true);
      Timer tm;
      Var y = ops::causalLinearAttention(vq, vk, vv, 1e-2f, Denominator::ClampEps);
      const double f = tm.seconds();
      backward(y, R);
      if (r > 0) {  // first run warms up
        fwd.push_back(1e3 * f);
        tot.push_back(1e3 * tm.seconds());
      }
    }
    MESSAGE(std::string(ref ? "reference" : "fast")
            << " causalLinearAttention [32,4,30,32] dv=64: forward " << minMedian(fwd)
            << " ms, forward+backward " << minMedian(tot) << " ms (min / median)");
  }
  kernels::setReferenceKernels(false);
}

TEST_CASE("causalLinearAttention backward accumulates; phiQ and phiK may be the same Var") {
  Rng rng(43);
  Tensor f = randomTensor({1, 2, 6, 3}, rng, 0.1f, 1.f), v = randomTensor({1, 2, 6, 4}, rng);
  Tensor R = randomTensor({1, 2, 6, 4}, rng);
  Var vf(f, true), vv(v, true);
  backward(ops::causalLinearAttention(vf, vf, vv, 1e-6f, Denominator::AddEps), R);
  Tensor g1 = vf.grad().clone();
  backward(ops::causalLinearAttention(vf, vf, vv, 1e-6f, Denominator::AddEps), R);
  for (int64_t i = 0; i < g1.elements(); ++i)
    CHECK(vf.grad().data<float>()[i] == doctest::Approx(2 * g1.data<float>()[i]));
  // shared features: the gradient is the sum of the phiQ and phiK paths (finite differences)
  gradCheck(
      "causalLinearAttention shared phi",
      [&](const std::vector<Var>& in) {
        return ops::causalLinearAttention(in[0], in[0], in[1], 1e-6f, Denominator::AddEps);
      },
      {f, v}, declaredOptions());
}
