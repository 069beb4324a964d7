// Lightweight convolution kernels: hand-worked values, fast path vs the plain-loop
// reference on awkward shapes, the decoding step vs the full causal conv, MAC counts.
#include <doctest/doctest.h>

#include <cmath>

#include "common/rng.h"
#include "kernels/backend.h"
#include "kernels/lightconv.h"
#include "kernels/ref/lightconv.h"
#include "support/gradcheck.h"

using namespace lt;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

Tensor fromF(const Shape& s, std::vector<float> v) { return Tensor::fromVector(s, v); }

struct ConvCase {
  int64_t B, T, C, H, k;
  int pad;
};

// Odd C, C/H not a power of two, T = 1, k > T, even and odd k, centred and causal padding.
const ConvCase kCases[] = {
    {2, 7, 6, 3, 3, 1},  {1, 1, 5, 1, 4, 3},  {3, 5, 12, 4, 7, 3},   {2, 4, 10, 2, 6, 2},
    {2, 3, 9, 3, 8, 7},  {1, 9, 24, 8, 5, 0}, {2, 11, 15, 5, 2, 0},  {1, 2, 7, 7, 1, 0},
    {3, 30, 96, 4, 31, 30}, {2, 30, 130, 2, 31, 15}, {1, 40, 200, 8, 30, 14},
};

float maxAbs(const Tensor& t) {
  float m = 0;
  for (float v : t.toVector()) m = std::max(m, std::fabs(v));
  return m;
}

}  // namespace

TEST_CASE("lightConv kernel: hand-worked values, head -> channel-block mapping") {
  // x [1, 3, 4]: channel c at time t holds 10*t + c + 1; H = 2 heads, k = 2, causal.
  Tensor x = Tensor::empty({1, 3, 4});
  for (int t = 0; t < 3; ++t)
    for (int c = 0; c < 4; ++c) x.data<float>()[t * 4 + c] = float(10 * t + c + 1);
  // head 0 (channels 0,1): w = [0.5, 2]; head 1 (channels 2,3): w = [-1, 3]
  Tensor w = fromF({2, 2}, {0.5f, 2.f, -1.f, 3.f});
  Tensor y = Tensor::empty({1, 3, 4});
  kernels::lightConvForward(x, w, 1, y);
  // y[t,c] = w[h,0] * x[t-1,c] + w[h,1] * x[t,c]
  const std::vector<float> expect = {
      2.f * 1, 2.f * 2, 3.f * 3, 3.f * 4,                                   // t = 0
      0.5f * 1 + 2.f * 11, 0.5f * 2 + 2.f * 12, -3 + 3.f * 13, -4 + 3.f * 14,  // t = 1
      0.5f * 11 + 2.f * 21, 0.5f * 12 + 2.f * 22, -13 + 3.f * 23, -14 + 3.f * 24};
  std::vector<float> got = y.toVector();
  for (size_t i = 0; i < expect.size(); ++i) CHECK(got[i] == doctest::Approx(expect[i]));

  // centred, k = 3, padLeft = 1: y[t] = w0 x[t-1] + w1 x[t] + w2 x[t+1], one head
  Tensor w3 = fromF({1, 3}, {1.f, 10.f, 100.f});
  Tensor x1 = fromF({1, 3, 1}, {1.f, 2.f, 3.f});
  Tensor y1 = Tensor::empty({1, 3, 1});
  kernels::lightConvForward(x1, w3, 1, y1);
  CHECK(y1.toVector() == std::vector<float>{210.f, 321.f, 32.f});
}

TEST_CASE("lightConv kernel: fast path equals the reference (forward, both backwards)") {
  Rng rng(7);
  for (const ConvCase& cs : kCases) {
    CAPTURE(cs.B);
    CAPTURE(cs.T);
    CAPTURE(cs.C);
    CAPTURE(cs.H);
    CAPTURE(cs.k);
    CAPTURE(cs.pad);
    Tensor x = randomTensor({cs.B, cs.T, cs.C}, rng);
    Tensor w = randomTensor({cs.H, cs.k}, rng);
    Tensor dy = randomTensor({cs.B, cs.T, cs.C}, rng);
    Tensor y = Tensor::empty(x.shape()), yr = Tensor::empty(x.shape());
    kernels::lightConvForward(x, w, cs.pad, y);
    kernels::ref::lightConvForward(x, w, cs.pad, yr);
    CHECK(maxAbsDiff(y, yr) <= 1e-5f * (1 + maxAbs(yr)));

    // backward kernels accumulate: start from the same non-zero buffers
    Tensor dx0 = randomTensor(x.shape(), rng);
    Tensor dx = dx0.clone(), dxr = dx0.clone();
    kernels::lightConvBackwardData(dy, w, cs.pad, dx);
    kernels::ref::lightConvBackwardData(dy, w, cs.pad, dxr);
    CHECK(maxAbsDiff(dx, dxr) <= 1e-5f * (1 + maxAbs(dxr)));

    Tensor dw0 = randomTensor(w.shape(), rng);
    Tensor dw = dw0.clone(), dwr = dw0.clone();
    kernels::lightConvBackwardWeight(dy, x, cs.pad, dw);
    kernels::ref::lightConvBackwardWeight(dy, x, cs.pad, dwr);
    CHECK(maxAbsDiff(dw, dwr) <= 1e-5f * (1 + maxAbs(dwr)));
  }
}

TEST_CASE("lightConv kernel: reference mode routes the entry points to the oracle") {
  Rng rng(3);
  Tensor x = randomTensor({2, 6, 9}, rng), w = randomTensor({3, 5}, rng);
  Tensor y = Tensor::empty(x.shape()), yr = Tensor::empty(x.shape());
  kernels::setReferenceKernels(true);
  kernels::lightConvForward(x, w, 2, y);
  kernels::setReferenceKernels(false);
  kernels::ref::lightConvForward(x, w, 2, yr);
  CHECK(maxAbsDiff(y, yr) == 0.f);
}

TEST_CASE("normalizeConvKernel: softmax rows, DropConnect mask from philox, backward") {
  Rng rng(11);
  for (float p : {0.f, 0.3f}) {
    for (bool sm : {true, false}) {
      CAPTURE(p);
      CAPTURE(sm);
      Tensor raw = randomTensor({5, 7}, rng, -2.f, 2.f);
      Tensor wn = Tensor::empty(raw.shape()), w = Tensor::empty(raw.shape());
      Tensor wnr = Tensor::empty(raw.shape()), wr = Tensor::empty(raw.shape());
      kernels::normalizeConvKernel(raw, sm, p, 42, 9, wn, w);
      kernels::ref::normalizeConvKernel(raw, sm, p, 42, 9, wnr, wr);
      CHECK(maxAbsDiff(wn, wnr) <= 1e-6f);
      CHECK(maxAbsDiff(w, wr) <= 1e-5f);
      int dropped = 0;
      for (int64_t r = 0; r < 5; ++r) {
        double s = 0;
        for (int64_t j = 0; j < 7; ++j) {
          const int64_t e = r * 7 + j;
          const float a = wn.data<float>()[e];
          if (sm) {
            CHECK(a > 0.f);
            s += a;
          } else {
            CHECK(a == raw.data<float>()[e]);
          }
          const bool drop = p > 0 && philoxUniform(42, 9, uint64_t(e)) < p;
          dropped += drop;
          CHECK(w.data<float>()[e] == doctest::Approx(drop ? 0.f : a / (1.f - p)));
        }
        if (sm) CHECK(s == doctest::Approx(1.0).epsilon(1e-6));
      }
      if (p > 0) CHECK(dropped > 0);
      Tensor g = randomTensor(raw.shape(), rng);
      Tensor d0 = randomTensor(raw.shape(), rng);
      Tensor d = d0.clone(), dr = d0.clone();
      kernels::normalizeConvKernelBackward(g, wn, sm, p, 42, 9, d);
      kernels::ref::normalizeConvKernelBackward(g, wn, sm, p, 42, 9, dr);
      CHECK(maxAbsDiff(d, dr) <= 1e-5f);
    }
  }
}

TEST_CASE("lightConvStep equals the last step of the causal conv (zeros before the start)") {
  Rng rng(5);
  const int64_t B = 3, C = 10, H = 2;
  for (int64_t k : {1, 3, 4, 7}) {
    for (int64_t T : {1, 2, 5}) {  // includes k > T: the window is mostly zeros
      CAPTURE(k);
      CAPTURE(T);
      Tensor x = randomTensor({B, T, C}, rng);
      Tensor w = randomTensor({H, k}, rng);
      Tensor y = Tensor::empty(x.shape());
      kernels::ref::lightConvForward(x, w, int(k - 1), y);
      Tensor window = Tensor::zeros({B, k, C});
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < k; ++j) {
          const int64_t t = T - k + j;
          if (t < 0) continue;
          for (int64_t c = 0; c < C; ++c)
            window.data<float>()[(b * k + j) * C + c] = x.data<float>()[(b * T + t) * C + c];
        }
      Tensor s = Tensor::empty({B, C}), sr = Tensor::empty({B, C});
      kernels::lightConvStep(window, w, s);
      kernels::ref::lightConvStep(window, w, sr);
      CHECK(maxAbsDiff(s, sr) <= 1e-5f);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
          CHECK(s.data<float>()[b * C + c] ==
                doctest::Approx(y.data<float>()[(b * T + T - 1) * C + c]).epsilon(1e-5));
    }
  }
}

TEST_CASE("lightConv kernels count B*T*C*k MACs") {
  Rng rng(1);
  Tensor x = randomTensor({2, 5, 6}, rng), w = randomTensor({3, 4}, rng);
  Tensor y = Tensor::empty(x.shape());
  kernels::MacCounter mc;
  {
    kernels::MacCounterScope scope(mc);
    kernels::lightConvForward(x, w, 3, y);
  }
  CHECK(mc.macs == 2 * 5 * 6 * 4);
  Tensor win = randomTensor({3, 4, 6}, rng), ys = Tensor::empty({3, 6});
  kernels::MacCounter ms;
  {
    kernels::MacCounterScope scope(ms);
    kernels::lightConvStep(win, w, ys);
  }
  CHECK(ms.macs == 3 * 6 * 4);
}
