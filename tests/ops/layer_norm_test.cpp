// ops::layerNorm: hand values, reference, finite-difference gradients of x,
// gamma and beta, shape errors.
#include <doctest/doctest.h>

#include <string>

#include "common/error.h"
#include "kernels/ref/layer_norm.h"
#include "ops/binary.h"
#include "ops/layer_norm.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;

TEST_CASE("ops::layerNorm hand-worked values and reference") {
  Var x(Tensor::fromVector(Shape{2, 2}, std::vector<float>{1.f, 3.f, -2.f, -2.f}));
  Var g(Tensor::fromVector(Shape{2}, std::vector<float>{2.f, 1.f}));
  Var b(Tensor::fromVector(Shape{2}, std::vector<float>{0.f, 0.5f}));
  Var y = ops::layerNorm(x, g, b, 0.f + 1e-12f);
  // Row 0: mean 2, var 1 -> [-1, 1] * gamma + beta = [-2, 1.5]; row 1 is constant:
  // xhat = 0 -> beta.
  std::vector<float> want = {-2.f, 1.5f, 0.f, 0.5f};
  for (int i = 0; i < 4; ++i) CHECK(y.value().data<float>()[i] == doctest::Approx(want[size_t(i)]).epsilon(1e-5));

  Rng rng(5);
  Tensor xt = randomTensor(Shape{3, 5, 17}, rng, -2.f, 2.f);
  Tensor gt = randomTensor(Shape{17}, rng), bt = randomTensor(Shape{17}, rng);
  Var yr = ops::layerNorm(Var(xt), Var(gt), Var(bt), 1e-5f);
  CHECK(maxAbsDiff(yr.value(), kernels::ref::layerNormForward(xt, gt, bt, 1e-5f).y) <= 2e-5f);
}

TEST_CASE("ops::layerNorm gradients (finite differences)") {
  Rng rng(6);
  GradCheckOptions o;
  o.eps = 1e-2f;
  o.atol = 3e-3;
  o.rtol = 3e-2;
  for (Shape s : {Shape{3, 7}, Shape{2, 3, 5}, Shape{1, 16}, Shape{4, 1}, Shape{5, 2}}) {
    int64_t c = s[-1];
    Tensor x = randomTensor(s, rng, -2.f, 2.f);
    Tensor g = randomTensor(Shape{c}, rng, 0.5f, 1.5f), b = randomTensor(Shape{c}, rng);
    gradCheck("layerNorm " + s.toString(),
              [](const std::vector<Var>& v) { return ops::layerNorm(v[0], v[1], v[2], 1e-3f); },
              {x, g, b}, o);
  }
}

TEST_CASE("ops::layerNorm gradients accumulate into shared parameters") {
  Rng rng(7);
  Var x(randomTensor(Shape{4, 6}, rng), true);
  Var g = Var::param(randomTensor(Shape{6}, rng));
  Var b = Var::param(randomTensor(Shape{6}, rng));
  Tensor R = randomTensor(Shape{4, 6}, rng);
  backward(ops::layerNorm(x, g, b), R);
  Tensor g1 = g.grad().clone(), b1 = b.grad().clone();
  backward(ops::layerNorm(x, g, b), R);
  for (int64_t i = 0; i < 6; ++i) {
    CHECK(g.grad().data<float>()[i] == doctest::Approx(2 * g1.data<float>()[i]));
    CHECK(b.grad().data<float>()[i] == doctest::Approx(2 * b1.data<float>()[i]));
  }
}

TEST_CASE("ops::layerNorm bad shapes name the op and both shapes") {
  Var x(Tensor::zeros(Shape{4, 5}));
  try {
    ops::layerNorm(x, Var(Tensor::zeros(Shape{6})), Var(Tensor::zeros(Shape{5})));
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("layerNorm") != std::string::npos);
    CHECK(msg.find("[4x5]") != std::string::npos);
    CHECK(msg.find("[6]") != std::string::npos);
  }
  CHECK_THROWS_AS(ops::layerNorm(x, Var(Tensor::zeros(Shape{5})), Var(Tensor::zeros(Shape{1, 5}))),
                  ShapeError);
}

TEST_CASE("ops::addLayerNorm: the fused inference op equals layerNorm(add) bit for bit") {
  Rng rng(12);
  // 37 x 160 takes the fused loop, 300 x 512 (above 2^17 elements) the add + oneDNN path.
  for (Shape s : {Shape{37, 1, 160}, Shape{3, 7}, Shape{300, 512}}) {
    CAPTURE(s.toString());
    const int64_t c = s[-1];
    Var a(randomTensor(s, rng, -2.f, 2.f)), b(randomTensor(s, rng, -2.f, 2.f));
    Var g(randomTensor(Shape{c}, rng, 0.5f, 1.5f)), be(randomTensor(Shape{c}, rng));
    NoGradScope ng;
    Tensor want = ops::layerNorm(ops::add(a, b), g, be).value();
    Tensor got = ops::addLayerNorm(a, b, g, be).value();
    CHECK(maxAbsDiff(got, want) == 0.f);
    CHECK(maxAbsDiff(ops::addLayerNorm(b, a, g, be).value(), want) == 0.f);  // a + b == b + a
  }
  // Independent check of the fused loop: against the double-precision reference of a + b.
  Tensor a = randomTensor(Shape{5, 9}, rng), b = randomTensor(Shape{5, 9}, rng);
  Tensor g = randomTensor(Shape{9}, rng, 0.5f, 1.5f), be = randomTensor(Shape{9}, rng);
  Tensor sum = Tensor::empty(Shape{5, 9});
  for (int64_t i = 0; i < 45; ++i) sum.data<float>()[i] = a.data<float>()[i] + b.data<float>()[i];
  {
    NoGradScope ng;
    CHECK(maxAbsDiff(ops::addLayerNorm(Var(a), Var(b), Var(g), Var(be)).value(),
                     kernels::ref::layerNormForward(sum, g, be, 1e-5f).y) <= 2e-5f);
  }
  // With gradients the op is the composition: finite differences through both inputs.
  GradCheckOptions o;
  o.eps = 1e-2f;
  o.atol = 3e-3;
  o.rtol = 3e-2;
  gradCheck("addLayerNorm",
            [](const std::vector<Var>& v) { return ops::addLayerNorm(v[0], v[1], v[2], v[3], 1e-3f); },
            {a, b, g, be}, o);
  // Shapes that do not match are reported as the composition reports them.
  NoGradScope ng;
  CHECK_THROWS_AS(ops::addLayerNorm(Var(a), Var(Tensor::zeros(Shape{5, 8})), Var(g), Var(be)), ShapeError);
  CHECK_THROWS_AS(ops::addLayerNorm(Var(a), Var(b), Var(Tensor::zeros(Shape{8})), Var(be)), ShapeError);
}
