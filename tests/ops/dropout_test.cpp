// ops::dropout: p = 0 identity, gradient check, backward reuses the forward mask,
// mask rate, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/dropout.h"
#include "support/gradcheck.h"

using namespace lt;

TEST_CASE("ops/dropout: p = 0 returns the input itself") {
  Var x(Tensor::fromVector({3}, std::vector<float>{1, -2, 3}), true);
  Var y = ops::dropout(x, 0.f, 1, 2);
  CHECK(y.node() == x.node());
  CHECK(y.value().toVector() == std::vector<float>{1, -2, 3});
}

TEST_CASE("ops/dropout: gradient uses the forward mask; finite differences agree") {
  Rng rng(8);
  Tensor xv = test::randomTensor({7, 33}, rng, 0.5f, 1.5f);  // nonzero: y == 0 iff dropped
  Var x(xv, true);
  Var y = ops::dropout(x, 0.4f, 123, 9);
  Tensor seed = test::randomTensor({7, 33}, rng);
  backward(y, seed);
  int64_t dropped = 0, bad = 0;
  for (int64_t i = 0; i < xv.elements(); ++i) {
    bool kept = y.value().data<float>()[i] != 0.f;
    dropped += !kept;
    if (kept) bad += y.value().data<float>()[i] != xv.data<float>()[i] * (1.f / 0.6f);
    float want = kept ? seed.data<float>()[i] * (1.f / 0.6f) : 0.f;
    bad += x.grad().data<float>()[i] != want;
  }
  CHECK(bad == 0);
  CHECK(dropped > 0);
  CHECK(dropped < xv.elements());
  // Linear in x for a fixed (seed, stream): eps 1e-2, atol 2e-3, rtol 2e-2.
  for (Shape s : {Shape{1}, Shape{5}, Shape{3, 67}}) {
    test::gradCheck("dropout", [](const std::vector<Var>& in) { return ops::dropout(in[0], 0.3f, 5, 1); },
                    {test::randomTensor(s, rng)});
  }
}

TEST_CASE("ops/dropout: drop rate is about p and the reference kernel draws the same mask") {
  Tensor ones = Tensor::full({64, 1000}, 1.f);
  Var y = ops::dropout(Var(ones), 0.25f, 77, 3);
  int64_t dropped = 0;
  for (int64_t i = 0; i < ones.elements(); ++i) dropped += y.value().data<float>()[i] == 0.f;
  double rate = double(dropped) / double(ones.elements());
  CHECK(std::fabs(rate - 0.25) < 5 * std::sqrt(0.25 * 0.75 / 64000.0));
  kernels::setReferenceKernels(true);
  Var yr = ops::dropout(Var(ones), 0.25f, 77, 3);
  kernels::setReferenceKernels(false);
  CHECK(test::maxAbsDiff(y.value(), yr.value()) == 0.f);
}

TEST_CASE("ops/dropout: probability outside [0, 1) is a ConfigError") {
  Var x(Tensor::zeros({2}));
  CHECK_THROWS_AS(ops::dropout(x, 1.f, 0, 0), ConfigError);
  CHECK_THROWS_AS(ops::dropout(x, -0.1f, 0, 0), ConfigError);
}
