// ops::randomFourierFeatures (RFA): hand-worked values, the kernel estimate it exists for,
// finite-difference gradients for x and the learned inverse width s, shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ops/random_fourier.h"
#include "support/gradcheck.h"

using namespace lt;

TEST_CASE("ops/randomFourierFeatures: hand-worked values") {
  // One head, x = (3, 4) -> u = (0.6, 0.8); w_1 = (1, 0), w_2 = (0, 2); s = 0.5:
  // a = (0.3, 0.8); y = 2^-1/2 (sin .3, sin .8, cos .3, cos .8).
  Var x(Tensor::fromVector({1, 1, 2}, std::vector<float>{3, 4}));
  Tensor w = Tensor::fromVector({1, 2, 2}, std::vector<float>{1, 0, 0, 2});
  Var s(Tensor::fromVector({1}, std::vector<float>{0.5f}));
  auto y = ops::randomFourierFeatures(x, w, s).value().toVector();
  REQUIRE(y.size() == 4);
  const double c = 1.0 / std::sqrt(2.0);
  CHECK(y[0] == doctest::Approx(c * std::sin(0.3)));
  CHECK(y[1] == doctest::Approx(c * std::sin(0.8)));
  CHECK(y[2] == doctest::Approx(c * std::cos(0.3)));
  CHECK(y[3] == doctest::Approx(c * std::cos(0.8)));
  // The scale of x does not matter (l2-normalised).
  Var x2(Tensor::fromVector({1, 1, 2}, std::vector<float>{30, 40}));
  auto y2 = ops::randomFourierFeatures(x2, w, s).value().toVector();
  for (size_t i = 0; i < 4; ++i) CHECK(y2[i] == doctest::Approx(y[i]));
}

TEST_CASE("ops/randomFourierFeatures: y(q)·y(k) estimates exp(-s²|u_q - u_k|²/2)") {
  const int dh = 8, m = 4096;
  Rng rng(3);
  Tensor w = Tensor::empty({1, m, dh});
  for (int64_t i = 0; i < w.elements(); ++i) w.data<float>()[i] = rng.normal();
  Tensor x = test::randomTensor({1, 2, dh}, rng);
  const float sv = 1.5f;
  auto y = ops::randomFourierFeatures(Var(x), w, Var(Tensor::fromVector({1}, std::vector<float>{sv})))
               .value()
               .toVector();
  double dot = 0;
  for (int i = 0; i < 2 * m; ++i) dot += double(y[size_t(i)]) * y[size_t(2 * m + i)];
  double nq = 0, nk = 0, d2 = 0;
  const float* p = x.data<float>();
  for (int c = 0; c < dh; ++c) {
    nq += p[c] * p[c];
    nk += p[dh + c] * p[dh + c];
  }
  for (int c = 0; c < dh; ++c) {
    double diff = p[c] / std::sqrt(nq) - p[dh + c] / std::sqrt(nk);
    d2 += diff * diff;
  }
  double want = std::exp(-double(sv) * sv * d2 / 2);
  CHECK(std::fabs(dot - want) < 0.05);  // Monte Carlo with m = 4096: sd about 0.011
}

TEST_CASE("ops/randomFourierFeatures: finite-difference gradients for x and s") {
  Rng rng(5);
  for (int H : {1, 3}) {
    Tensor w = Tensor::empty({H, 5, 4});
    for (int64_t i = 0; i < w.elements(); ++i) w.data<float>()[i] = rng.normal();
    test::GradCheckOptions opt;
    opt.eps = 1e-3f;
    test::gradCheck(
        "randomFourierFeatures",
        [w](const std::vector<Var>& in) { return ops::randomFourierFeatures(in[0], w, in[1]); },
        {test::randomTensor({H, 3, 4}, rng, -2.f, 2.f), test::randomTensor({H}, rng, 0.5f, 2.f)},
        opt);
  }
}

TEST_CASE("ops/randomFourierFeatures: shape errors name the shapes") {
  Var x(Tensor::zeros({2, 3, 4}));
  Var s(Tensor::zeros({2}));
  CHECK_THROWS_WITH_AS(ops::randomFourierFeatures(x, Tensor::zeros({2, 5, 3}), s),
                       doctest::Contains("expected [H, N, dh], [H, m, dh], [H]"), ShapeError);
  CHECK_THROWS_AS(ops::randomFourierFeatures(x, Tensor::zeros({2, 5, 4}), Var(Tensor::zeros({3}))),
                  ShapeError);
}
