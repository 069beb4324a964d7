// dynamicConv / dynamicConvStep ops: finite-difference gradients of x and the kernel
// logits (incl. DropConnect), equality with lightConv when every position shares one
// kernel, causality, step == last time step, reference mode, shape errors.
#include <doctest/doctest.h>

#include "common/rng.h"
#include "kernels/backend.h"
#include "ops/dynamic_conv.h"
#include "ops/lightconv.h"
#include "support/gradcheck.h"
#include "support/ring_window.h"

using namespace lt;
using lt::test::gradCheck;
using lt::test::GradCheckOptions;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

struct Case {
  int64_t B, T, C, H, k;
  int pad;
  float p;
  bool softmax;
};

const Case kCases[] = {
    {2, 5, 6, 2, 3, 1, 0.f, true},   {1, 1, 5, 1, 4, 3, 0.f, true},   {2, 4, 9, 3, 6, 2, 0.3f, true},
    {1, 3, 10, 2, 7, 6, 0.2f, true}, {2, 6, 15, 5, 5, 2, 0.f, false}, {1, 7, 4, 4, 2, 0, 0.5f, true},
};

Tensor timeRow(const Tensor& x, int64_t t) {  // [B, T, ...] -> [B, ...] at time t
  const int64_t B = x.dim(0), T = x.dim(1), inner = x.elements() / (B * T);
  Tensor r = Tensor::empty({B, inner});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < inner; ++i)
      r.data<float>()[b * inner + i] = x.data<float>()[(b * T + t) * inner + i];
  return r;
}

}  // namespace

TEST_CASE("dynamicConv: finite-difference gradients of x and the kernel logits") {
  Rng rng(201);
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
    Tensor w = randomTensor({cs.B, cs.T, cs.H, cs.k}, rng, -1.5f, 1.5f);
    gradCheck(
        "dynamicConv",
        [&](const std::vector<Var>& in) {
          return ops::dynamicConv(in[0], in[1], cs.pad, cs.p, 99, 4, cs.softmax);
        },
        {x, w}, opt);
  }
}

TEST_CASE("dynamicConv with the same kernel at every position equals lightConv") {
  Rng rng(7);
  const int64_t B = 2, T = 7, C = 12, H = 3, k = 5;
  Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({H, k}, rng);
  Tensor wd = Tensor::empty({B, T, H, k});
  for (int64_t bt = 0; bt < B * T; ++bt)
    for (int64_t e = 0; e < H * k; ++e) wd.data<float>()[bt * H * k + e] = w.data<float>()[e];
  for (int pad : {0, 2, 4}) {
    Tensor yl = ops::lightConv(Var(x), Var(w), pad).value();
    Tensor yd = ops::dynamicConv(Var(x), Var(wd), pad).value();
    CHECK(maxAbsDiff(yl, yd) <= 1e-5f);
  }
}

TEST_CASE("dynamicConv: causal padding never looks ahead") {
  Rng rng(19);
  const int64_t B = 2, T = 8, C = 6, H = 2, k = 3;
  Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({B, T, H, k}, rng);
  Tensor y0 = ops::dynamicConv(Var(x), Var(w), int(k - 1)).value().clone();
  const int64_t t0 = 4;
  Tensor x2 = x.clone(), w2 = w.clone();
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t c = 0; c < C; ++c) x2.data<float>()[(b * T + t0) * C + c] -= 2.f;
    for (int64_t e = 0; e < H * k; ++e) w2.data<float>()[(b * T + t0) * H * k + e] += 1.f;
  }
  Tensor y1 = ops::dynamicConv(Var(x2), Var(w2), int(k - 1)).value();
  for (int64_t t = 0; t < T; ++t) {
    const float d = maxAbsDiff(timeRow(y0, t), timeRow(y1, t));
    if (t < t0) CHECK(d == 0.f);
    else if (t < t0 + k) CHECK(d > 1e-3f);
  }
}

TEST_CASE("dynamicConvStep equals the last time step of the causal dynamicConv") {
  Rng rng(29);
  const int64_t B = 2, C = 9, H = 3, T = 4;
  for (int64_t k : {1, 2, 6}) {  // k = 6 > T
    CAPTURE(k);
    Tensor x = randomTensor({B, T, C}, rng), w = randomTensor({B, T, H, k}, rng);
    Tensor y = ops::dynamicConv(Var(x), Var(w), int(k - 1)).value();
    for (int64_t t = 0; t < T; ++t) {
      CAPTURE(t);
      Tensor win = Tensor::zeros({B, k, C});
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < k; ++j) {
          const int64_t s = t - (k - 1) + j;
          if (s < 0) continue;
          for (int64_t c = 0; c < C; ++c)
            win.data<float>()[(b * k + j) * C + c] = x.data<float>()[(b * T + s) * C + c];
        }
      Tensor kt = timeRow(w, t).reshape({B, H, k});
      CHECK(maxAbsDiff(ops::dynamicConvStep(win, kt), timeRow(y, t)) <= 1e-5f);
      for (int64_t o = 1; o < k; ++o) {  // the same window as a ring starting at slot o
        CAPTURE(o);
        Tensor r = lt::test::ringWindow(win, o);
        CHECK(maxAbsDiff(ops::dynamicConvStep(r, kt, true, o), timeRow(y, t)) <= 1e-5f);
      }
    }
  }
}

TEST_CASE("dynamicConv: reference kernels give the same values and gradients") {
  Rng rng(31);
  Tensor x = randomTensor({2, 9, 10}, rng), w = randomTensor({2, 9, 2, 4}, rng);
  Tensor R = randomTensor({2, 9, 10}, rng);
  Tensor out[2], gx[2], gw[2];
  for (int ref = 0; ref < 2; ++ref) {
    kernels::setReferenceKernels(ref == 1);
    Var vx(x, true), vw(w, true);
    Var y = ops::dynamicConv(vx, vw, 2, 0.2f, 5, 6);
    backward(y, R);
    out[ref] = y.value();
    gx[ref] = vx.grad();
    gw[ref] = vw.grad();
  }
  kernels::setReferenceKernels(false);
  CHECK(maxAbsDiff(out[0], out[1]) <= 1e-5f);
  CHECK(maxAbsDiff(gx[0], gx[1]) <= 1e-5f);
  CHECK(maxAbsDiff(gw[0], gw[1]) <= 1e-5f);
}

TEST_CASE("dynamicConv: bad shapes raise ShapeError naming the op and both shapes") {
  Var x(Tensor::zeros({2, 5, 6}));
  CHECK_THROWS_WITH_AS(ops::dynamicConv(x, Var(Tensor::zeros({2, 4, 3, 3})), 1),
                       "dynamicConv: x [2x5x6] and kernel [2x4x3x3]: batch and time dimensions "
                       "differ",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::dynamicConv(x, Var(Tensor::zeros({2, 5, 4, 3})), 1),
                       "dynamicConv: x [2x5x6] and kernel [2x5x4x3]: 6 channels are not "
                       "divisible by 4 heads",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::dynamicConv(x, Var(Tensor::zeros({2, 5, 3})), 1),
                       "dynamicConv: x [2x5x6] and kernel [2x5x3]: expected x [B, T, C] and "
                       "kernel [B, T, H, k]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(ops::dynamicConvStep(Tensor::zeros({2, 4, 6}), Tensor::zeros({3, 2, 4})),
                       "dynamicConvStep: window [2x4x6] and kernel [3x2x4]: N or k differ",
                       ShapeError);
  CHECK_THROWS_WITH_AS(
      ops::dynamicConvStep(Tensor::zeros({2, 4, 6}), Tensor::zeros({2, 2, 4}), true, -1),
      "dynamicConvStep: oldest slot -1 outside [0, 4)", ShapeError);
}
