// ops::glu: values, gradient check on odd shapes, reference mode, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/glu.h"
#include "support/gradcheck.h"

using namespace lt;

TEST_CASE("ops/glu: a * sigmoid(b) over the last axis") {
  // rows [a | b]: [1, 2 | 0, ln 3] -> [0.5, 1.5]; [-4, 0 | -ln 3, 7] -> [-1, 0]
  Var x(Tensor::fromVector({2, 4}, std::vector<float>{1, 2, 0, std::log(3.f), -4, 0, -std::log(3.f), 7}));
  Var y = ops::glu(x);
  CHECK(y.shape() == Shape{2, 2});
  auto v = y.value().toVector();
  CHECK(v[0] == doctest::Approx(0.5));
  CHECK(v[1] == doctest::Approx(1.5));
  CHECK(v[2] == doctest::Approx(-1.0));
  CHECK(v[3] == doctest::Approx(0.0));
}

TEST_CASE("ops/glu: finite-difference gradient check") {
  // eps 1e-2, atol 2e-3, rtol 2e-2 on inputs in [-3, 3].
  Rng rng(12);
  for (Shape s : {Shape{2}, Shape{1, 6}, Shape{3, 10}, Shape{2, 3, 18}}) {
    test::gradCheck("glu", [](const std::vector<Var>& in) { return ops::glu(in[0]); },
                    {test::randomTensor(s, rng, -3.f, 3.f)});
  }
}

TEST_CASE("ops/glu: reference kernels agree, gradients accumulate") {
  Rng rng(13);
  Tensor xv = test::randomTensor({9, 2, 70}, rng, -5.f, 5.f);
  Tensor seed = test::randomTensor({9, 2, 35}, rng);
  Var a(xv, true), b(xv, true);
  Var ya = ops::glu(a);
  backward(ya, seed);
  kernels::setReferenceKernels(true);
  Var yb = ops::glu(b);
  backward(yb, seed);
  kernels::setReferenceKernels(false);
  CHECK(test::maxAbsDiff(ya.value(), yb.value()) < 1e-5);
  CHECK(test::maxAbsDiff(a.grad(), b.grad()) < 1e-5);
  Tensor g1 = a.grad().clone();
  backward(ops::glu(a), seed);  // a's gradient is now defined: the kernel adds
  Tensor twice = a.grad();
  for (int64_t i = 0; i < g1.elements(); ++i)
    CHECK(twice.data<float>()[i] == doctest::Approx(2 * g1.data<float>()[i]));
}

TEST_CASE("ops/glu: an odd last dimension is a ShapeError naming the op and the shape") {
  try {
    ops::glu(Var(Tensor::zeros({2, 5})));
    FAIL("no exception");
  } catch (const ShapeError& e) {
    std::string m = e.what();
    CHECK(m.find("glu") != std::string::npos);
    CHECK(m.find("[2x5]") != std::string::npos);
  }
}
