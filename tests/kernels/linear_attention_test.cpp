// Linear attention kernels: hand-worked values, chunked prefix-sum fast path vs the
// quadratic reference (forward and backward, across chunk boundaries), step kernel, MACs.
#include <doctest/doctest.h>

#include <cmath>

#include "common/rng.h"
#include "kernels/backend.h"
#include "kernels/linear_attention.h"
#include "kernels/ref/linear_attention.h"
#include "support/gradcheck.h"

using namespace lt;
using kernels::Denominator;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

Tensor fromF(const Shape& s, std::vector<float> v) { return Tensor::fromVector(s, v); }

struct LaCase {
  int64_t B, H, Tq, Tk, m, dv;
};

// T = 1, odd sizes, T crossing the 64-step chunks (64, 65, 150).
const LaCase kCases[] = {{1, 1, 1, 1, 1, 1}, {2, 3, 5, 5, 4, 3},    {1, 2, 7, 7, 5, 9},
                         {2, 1, 64, 64, 3, 2}, {1, 2, 65, 65, 4, 5}, {1, 1, 150, 150, 6, 7},
                         {3, 4, 30, 30, 32, 64}};

float maxAbs(const Tensor& t) {
  float m = 0;
  for (float v : t.toVector()) m = std::max(m, std::fabs(v));
  return m;
}

Tensor randomMask(int64_t B, int64_t T, Rng& rng) {
  Tensor m = Tensor::empty({B, T});
  for (int64_t i = 0; i < B * T; ++i) m.data<float>()[i] = rng.uniform() < 0.25f ? 0.f : 1.f;
  return m;
}

void compareAll(bool causal, const LaCase& cs, bool masked, Denominator mode, float eps,
                Rng& rng) {
  Tensor q = randomTensor({cs.B, cs.H, cs.Tq, cs.m}, rng, 0.f, 1.f);
  Tensor k = randomTensor({cs.B, cs.H, cs.Tk, cs.m}, rng, 0.f, 1.f);
  Tensor v = randomTensor({cs.B, cs.H, cs.Tk, cs.dv}, rng);
  Tensor mask = masked ? randomMask(cs.B, cs.Tk, rng) : Tensor();
  Tensor y = Tensor::empty({cs.B, cs.H, cs.Tq, cs.dv}), yr = y.clone();
  Tensor den = Tensor::empty({cs.B, cs.H, cs.Tq}), denr = den.clone();
  auto fwd = causal ? &kernels::causalLinearAttentionForward : &kernels::linearAttentionForward;
  auto fwdRef =
      causal ? &kernels::ref::causalLinearAttentionForward : &kernels::ref::linearAttentionForward;
  auto bwd = causal ? &kernels::causalLinearAttentionBackward : &kernels::linearAttentionBackward;
  auto bwdRef = causal ? &kernels::ref::causalLinearAttentionBackward
                       : &kernels::ref::linearAttentionBackward;
  fwd(q, k, v, mask, eps, mode, y, den);
  fwdRef(q, k, v, mask, eps, mode, yr, denr);
  CHECK(maxAbsDiff(y, yr) <= 1e-5f * (1 + maxAbs(yr)));
  CHECK(maxAbsDiff(den, denr) <= 1e-5f * (1 + maxAbs(denr)));

  Tensor dy = randomTensor(y.shape(), rng);
  Tensor dq0 = randomTensor(q.shape(), rng), dk0 = randomTensor(k.shape(), rng),
         dv0 = randomTensor(v.shape(), rng);
  Tensor dq = dq0.clone(), dk = dk0.clone(), dv = dv0.clone();
  Tensor dqr = dq0.clone(), dkr = dk0.clone(), dvr = dv0.clone();
  bwd(q, k, v, mask, eps, mode, y, den, dy, dq, dk, dv);
  bwdRef(q, k, v, mask, eps, mode, yr, denr, dy, dqr, dkr, dvr);
  CHECK(maxAbsDiff(dq, dqr) <= 2e-5f * (1 + maxAbs(dqr)));
  CHECK(maxAbsDiff(dk, dkr) <= 2e-5f * (1 + maxAbs(dkr)));
  CHECK(maxAbsDiff(dv, dvr) <= 2e-5f * (1 + maxAbs(dvr)));

  // an undefined gradient is skipped, the others are still accumulated
  Tensor none, dk2 = dk0.clone();
  bwd(q, k, v, mask, eps, mode, y, den, dy, none, dk2, none);
  CHECK(maxAbsDiff(dk2, dk) == 0.f);
}

}  // namespace

TEST_CASE("causal linear attention kernel: hand-worked values") {
  // B = H = 1, T = 2, m = 2, dv = 1.  q0 = (1,0), q1 = (1,1); k0 = (1,0), k1 = (0,2);
  // v = (3, 5).  t = 0: num = (q0.k0) 3 = 3, den = 1.  t = 1: a10 = 1, a11 = 2,
  // num = 3 + 10 = 13, den = 3.
  Tensor q = fromF({1, 1, 2, 2}, {1.f, 0.f, 1.f, 1.f});
  Tensor k = fromF({1, 1, 2, 2}, {1.f, 0.f, 0.f, 2.f});
  Tensor v = fromF({1, 1, 2, 1}, {3.f, 5.f});
  Tensor y = Tensor::empty({1, 1, 2, 1}), den = Tensor::empty({1, 1, 2});
  kernels::causalLinearAttentionForward(q, k, v, Tensor(), 0.5f, Denominator::AddEps, y, den);
  CHECK(y.toVector()[0] == doctest::Approx(3.0 / 1.5));
  CHECK(y.toVector()[1] == doctest::Approx(13.0 / 3.5));
  CHECK(den.toVector()[1] == doctest::Approx(3.0));
  kernels::causalLinearAttentionForward(q, k, v, Tensor(), 2.f, Denominator::ClampEps, y, den);
  CHECK(y.toVector()[0] == doctest::Approx(3.0 / 2.0));  // clamped: max(1, 2)
  CHECK(y.toVector()[1] == doctest::Approx(13.0 / 3.0));
  // masking key 1 removes it: t = 1 sees only k0
  Tensor mask = fromF({1, 2}, {1.f, 0.f});
  kernels::causalLinearAttentionForward(q, k, v, mask, 0.5f, Denominator::AddEps, y, den);
  CHECK(y.toVector()[1] == doctest::Approx(3.0 / 1.5));
  // non-causal: both queries see both keys
  kernels::linearAttentionForward(q, k, v, Tensor(), 0.5f, Denominator::AddEps, y, den);
  CHECK(y.toVector()[0] == doctest::Approx(3.0 / 1.5));
  CHECK(y.toVector()[1] == doctest::Approx(13.0 / 3.5));
}

TEST_CASE("causal linear attention kernel: chunked prefix sums equal the quadratic reference") {
  Rng rng(31);
  for (const LaCase& cs : kCases) {
    for (bool masked : {false, true}) {
      for (Denominator mode : {Denominator::AddEps, Denominator::ClampEps}) {
        CAPTURE(cs.Tq);
        CAPTURE(cs.m);
        CAPTURE(cs.dv);
        CAPTURE(masked);
        CAPTURE(int(mode));
        // eps 0.3 with features in [0,1): early rows get clamped in ClampEps mode
        compareAll(true, cs, masked, mode, mode == Denominator::AddEps ? 1e-6f : 0.3f, rng);
      }
    }
  }
}

TEST_CASE("non-causal linear attention kernel equals the reference (Tq != Tk)") {
  Rng rng(37);
  const LaCase cases[] = {{1, 1, 1, 1, 1, 1}, {2, 3, 4, 7, 5, 3}, {1, 2, 9, 1, 3, 4},
                          {2, 2, 30, 25, 32, 64}};
  for (const LaCase& cs : cases)
    for (bool masked : {false, true})
      for (Denominator mode : {Denominator::AddEps, Denominator::ClampEps}) {
        CAPTURE(cs.Tq);
        CAPTURE(cs.Tk);
        CAPTURE(masked);
        compareAll(false, cs, masked, mode, mode == Denominator::AddEps ? 1e-6f : 0.3f, rng);
      }
}

TEST_CASE("linear attention step kernel equals the reference; MAC counts") {
  Rng rng(41);
  const int64_t N = 3, H = 2, m = 5, dv = 7;
  Tensor S = Tensor::zeros({N, H, m, dv}), z = Tensor::zeros({N, H, m});
  Tensor Sr = S.clone(), zr = z.clone();
  for (int step = 0; step < 4; ++step) {
    Tensor q = randomTensor({N, H, m}, rng, 0.f, 1.f), k = randomTensor({N, H, m}, rng, 0.f, 1.f);
    Tensor v = randomTensor({N, H, dv}, rng);
    Tensor o = Tensor::empty({N, H, dv}), orf = o.clone();
    kernels::linearAttentionStep(S, z, q, k, v, 0.5f, Denominator::ClampEps, o);
    kernels::ref::linearAttentionStep(Sr, zr, q, k, v, 0.5f, Denominator::ClampEps, orf);
    CHECK(maxAbsDiff(o, orf) <= 1e-5f * (1 + maxAbs(orf)));
    CHECK(maxAbsDiff(S, Sr) <= 1e-5f * (1 + maxAbs(Sr)));
  }
  kernels::MacCounter mc;
  {
    kernels::MacCounterScope scope(mc);
    Tensor q = randomTensor({N, H, m}, rng), o = Tensor::empty({N, H, dv});
    kernels::linearAttentionStep(S, z, q, q, randomTensor({N, H, dv}, rng), 0.5f,
                                 Denominator::AddEps, o);
  }
  CHECK(mc.macs == N * H * m * (2 * dv + 1));
  const int64_t B = 2, T = 6;
  Tensor q = randomTensor({B, H, T, m}, rng, 0.f, 1.f), v = randomTensor({B, H, T, dv}, rng);
  Tensor y = Tensor::empty({B, H, T, dv}), den = Tensor::empty({B, H, T});
  kernels::MacCounter mc2;
  {
    kernels::MacCounterScope scope(mc2);
    kernels::causalLinearAttentionForward(q, q, v, Tensor(), 1e-6f, Denominator::AddEps, y, den);
  }
  CHECK(mc2.macs == B * H * T * m * (2 * dv + 1));  // T steps of the recurrence
}
