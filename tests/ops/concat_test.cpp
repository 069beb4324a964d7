// ops::concat / ops::narrow: values, gradient checks along every axis, errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/concat.h"
#include "support/gradcheck.h"

using namespace lt;

namespace {
template <class F> std::string shapeErrorText(F f) {
  try {
    f();
  } catch (const ShapeError& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("ops/concat: values along the last and first axes; narrow undoes it") {
  Var a(Tensor::fromVector({2, 2}, std::vector<float>{1, 2, 3, 4}));
  Var b(Tensor::fromVector({2, 1}, std::vector<float>{5, 6}));
  Var c = ops::concat({a, b}, -1);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.value().toVector() == std::vector<float>{1, 2, 5, 3, 4, 6});
  Var d = ops::concat({a, a}, 0);
  CHECK(d.value().toVector() == std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4});
  CHECK(ops::narrow(c, 1, 2, 1).value().toVector() == std::vector<float>{5, 6});
  CHECK(ops::narrow(c, -1, 0, 2).value().toVector() == std::vector<float>{1, 2, 3, 4});
  CHECK(ops::narrow(c, 0, 1, 0).shape() == Shape{0, 3});
}

TEST_CASE("ops/concat: finite-difference gradient check on every axis") {
  // eps 1e-2, atol 2e-3, rtol 2e-2 (copies: exact up to rounding).
  Rng rng(15);
  Shape base{2, 3, 4};
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<Tensor> ins = {test::randomTensor(base.with(axis, 1), rng),
                               test::randomTensor(base.with(axis, 3), rng),
                               test::randomTensor(base.with(axis, 2), rng)};
    test::gradCheck("concat", [axis](const std::vector<Var>& in) { return ops::concat(in, axis); }, ins);
    test::gradCheck("narrow", [axis](const std::vector<Var>& in) { return ops::narrow(in[0], axis, 1, 2); },
                    {test::randomTensor(base.with(axis, 5), rng)});
  }
  // Length-1 pieces, 1-D.
  test::gradCheck("concat1d", [](const std::vector<Var>& in) { return ops::concat(in, 0); },
                  {test::randomTensor({1}, rng), test::randomTensor({1}, rng)});
}

TEST_CASE("ops/concat: only inputs that require gradients receive them; narrow accumulates") {
  Var a(Tensor::fromVector({1, 2}, std::vector<float>{1, 2}), true);
  Var b(Tensor::fromVector({1, 1}, std::vector<float>{3}), false);
  backward(ops::concat({a, b}, 1), Tensor::fromVector({1, 3}, std::vector<float>{10, 20, 30}));
  CHECK(a.grad().toVector() == std::vector<float>{10, 20});
  CHECK_FALSE(b.grad().defined());
  // Two narrows of one tensor add into one gradient, zero elsewhere.
  Var x(Tensor::zeros({4}), true);
  Var y = ops::concat({ops::narrow(x, 0, 0, 2), ops::narrow(x, 0, 1, 2)}, 0);
  backward(y, Tensor::fromVector({4}, std::vector<float>{1, 2, 3, 4}));
  CHECK(x.grad().toVector() == std::vector<float>{1, 5, 4, 0});
  // The same input twice: both slices of the gradient land in it.
  Var z(Tensor::zeros({1, 2}), true);
  backward(ops::concat({z, z}, 1), Tensor::fromVector({1, 4}, std::vector<float>{1, 2, 30, 40}));
  CHECK(z.grad().toVector() == std::vector<float>{31, 42});
}

TEST_CASE("ops/concat: reference kernels agree") {
  Rng rng(2);
  Tensor a = test::randomTensor({5, 7, 3}, rng), b = test::randomTensor({5, 2, 3}, rng);
  Var ya = ops::concat({Var(a), Var(b)}, 1);
  kernels::setReferenceKernels(true);
  Var yb = ops::concat({Var(a), Var(b)}, 1);
  kernels::setReferenceKernels(false);
  CHECK(test::maxAbsDiff(ya.value(), yb.value()) == 0.f);
}

TEST_CASE("ops/concat: errors name the op and the shapes") {
  Var a(Tensor::zeros({2, 3})), b(Tensor::zeros({4, 5}));
  std::string m = shapeErrorText([&] { ops::concat({a, b}, 1); });
  CHECK(m.find("concat") != std::string::npos);
  CHECK(m.find("[2x3]") != std::string::npos);
  CHECK(m.find("[4x5]") != std::string::npos);
  CHECK_THROWS_AS(ops::concat({a, Var(Tensor::zeros({2, 3, 1}))}, 0), ShapeError);
  CHECK_THROWS_AS(ops::concat({}, 0), ShapeError);
  CHECK_THROWS_AS(ops::concat({a}, 2), ShapeError);
  m = shapeErrorText([&] { ops::narrow(a, 1, 2, 2); });
  CHECK(m.find("narrow") != std::string::npos);
  CHECK(m.find("[2x3]") != std::string::npos);
  CHECK_THROWS_AS(ops::narrow(a, 0, -1, 1), ShapeError);
}
