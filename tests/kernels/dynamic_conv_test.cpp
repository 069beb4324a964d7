// Dynamic convolution kernels: hand-worked values, fast vs reference, the decoding step
// vs the full causal conv, MAC counts.
#include <doctest/doctest.h>

#include <cmath>

#include "common/rng.h"
#include "kernels/backend.h"
#include "kernels/dynamic_conv.h"
#include "kernels/ref/dynamic_conv.h"
#include "support/gradcheck.h"

using namespace lt;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

Tensor fromF(const Shape& s, std::vector<float> v) { return Tensor::fromVector(s, v); }

struct DynCase {
  int64_t B, T, C, H, k;
  int pad;
};

const DynCase kCases[] = {
    {2, 7, 6, 3, 3, 1},   {1, 1, 5, 1, 4, 3},  {3, 5, 12, 4, 7, 3},  {2, 4, 10, 2, 6, 2},
    {2, 3, 9, 3, 8, 7},   {1, 9, 24, 8, 5, 0}, {2, 11, 15, 5, 2, 0}, {2, 30, 96, 4, 31, 30},
    {1, 20, 200, 2, 15, 7}, {1, 12, 390, 3, 9, 4},
};

float maxAbs(const Tensor& t) {
  float m = 0;
  for (float v : t.toVector()) m = std::max(m, std::fabs(v));
  return m;
}

}  // namespace

TEST_CASE("dynamicConv kernel: hand-worked values with a per-position kernel") {
  // x [1, 3, 2] = time t, channel c -> 10*t + c + 1; H = 2 (one channel per head), k = 2,
  // causal (padLeft 1): y[t,c] = w[t,c,0] x[t-1,c] + w[t,c,1] x[t,c]
  Tensor x = fromF({1, 3, 2}, {1.f, 2.f, 11.f, 12.f, 21.f, 22.f});
  Tensor w = fromF({1, 3, 2, 2}, {1.f, 2.f, 3.f, 4.f,     // t = 0
                                               5.f, 6.f, 7.f, 8.f,     // t = 1
                                               -1.f, 1.f, 0.5f, 0.f});  // t = 2
  Tensor y = Tensor::empty({1, 3, 2});
  kernels::dynamicConvForward(x, w, 1, y);
  const std::vector<float> expect = {2.f * 1, 4.f * 2, 5.f * 1 + 6.f * 11, 7.f * 2 + 8.f * 12,
                                     -11.f + 21.f, 0.5f * 12};
  std::vector<float> got = y.toVector();
  for (size_t i = 0; i < expect.size(); ++i) CHECK(got[i] == doctest::Approx(expect[i]));
}

TEST_CASE("dynamicConv kernel: fast path equals the reference (forward, both backwards)") {
  Rng rng(17);
  for (const DynCase& cs : kCases) {
    CAPTURE(cs.B);
    CAPTURE(cs.T);
    CAPTURE(cs.C);
    CAPTURE(cs.H);
    CAPTURE(cs.k);
    CAPTURE(cs.pad);
    Tensor x = randomTensor({cs.B, cs.T, cs.C}, rng);
    Tensor w = randomTensor({cs.B, cs.T, cs.H, cs.k}, rng);
    Tensor dy = randomTensor(x.shape(), rng);
    Tensor y = Tensor::empty(x.shape()), yr = Tensor::empty(x.shape());
    kernels::dynamicConvForward(x, w, cs.pad, y);
    kernels::ref::dynamicConvForward(x, w, cs.pad, yr);
    CHECK(maxAbsDiff(y, yr) <= 1e-5f * (1 + maxAbs(yr)));

    Tensor dx0 = randomTensor(x.shape(), rng);
    Tensor dx = dx0.clone(), dxr = dx0.clone();
    kernels::dynamicConvBackwardData(dy, w, cs.pad, dx);
    kernels::ref::dynamicConvBackwardData(dy, w, cs.pad, dxr);
    CHECK(maxAbsDiff(dx, dxr) <= 1e-5f * (1 + maxAbs(dxr)));

    Tensor dw0 = randomTensor(w.shape(), rng);
    Tensor dw = dw0.clone(), dwr = dw0.clone();
    kernels::dynamicConvBackwardKernel(dy, x, cs.pad, dw);
    kernels::ref::dynamicConvBackwardKernel(dy, x, cs.pad, dwr);
    CHECK(maxAbsDiff(dw, dwr) <= 1e-5f * (1 + maxAbs(dwr)));
  }
}

TEST_CASE("dynamicConvStep equals the last step of the causal dynamic conv") {
  Rng rng(23);
  const int64_t B = 2, C = 12, H = 3;
  for (int64_t k : {1, 2, 5, 8}) {
    for (int64_t T : {1, 3, 6}) {
      CAPTURE(k);
      CAPTURE(T);
      Tensor x = randomTensor({B, T, C}, rng);
      Tensor w = randomTensor({B, T, H, k}, rng);
      Tensor y = Tensor::empty(x.shape());
      kernels::ref::dynamicConvForward(x, w, int(k - 1), y);
      Tensor window = Tensor::zeros({B, k, C});
      Tensor wl = Tensor::empty({B, H, k});  // the last position's kernel
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < k; ++j) {
          const int64_t t = T - k + j;
          if (t < 0) continue;
          for (int64_t c = 0; c < C; ++c)
            window.data<float>()[(b * k + j) * C + c] = x.data<float>()[(b * T + t) * C + c];
        }
        for (int64_t e = 0; e < H * k; ++e)
          wl.data<float>()[b * H * k + e] = w.data<float>()[(b * T + T - 1) * H * k + e];
      }
      Tensor s = Tensor::empty({B, C}), sr = Tensor::empty({B, C});
      kernels::dynamicConvStep(window, wl, s);
      kernels::ref::dynamicConvStep(window, wl, sr);
      CHECK(maxAbsDiff(s, sr) <= 1e-5f);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
          CHECK(s.data<float>()[b * C + c] ==
                doctest::Approx(y.data<float>()[(b * T + T - 1) * C + c]).epsilon(1e-5));
    }
  }
}

TEST_CASE("dynamicConv kernels count B*T*C*k MACs") {
  Rng rng(2);
  Tensor x = randomTensor({2, 5, 6}, rng), w = randomTensor({2, 5, 3, 4}, rng);
  Tensor y = Tensor::empty(x.shape());
  kernels::MacCounter mc;
  {
    kernels::MacCounterScope scope(mc);
    kernels::dynamicConvForward(x, w, 1, y);
    kernels::setReferenceKernels(true);  // counted the same in reference mode
    kernels::dynamicConvForward(x, w, 1, y);
    kernels::setReferenceKernels(false);
  }
  CHECK(mc.macs == 2 * (2 * 5 * 6 * 4));
}
