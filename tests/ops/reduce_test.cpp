// ops sum / mean / sumAll: hand values, finite-difference gradients,
// composed identities, axis errors.
#include <doctest/doctest.h>

#include <string>

#include "common/error.h"
#include "kernels/ref/reduce.h"
#include "ops/eltwise.h"
#include "ops/reduce.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;

TEST_CASE("ops reduce hand-worked values and shapes") {
  Var x(Tensor::fromVector(Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  Var s0 = ops::sum(x, 0);
  CHECK(s0.shape() == Shape{3});
  CHECK(s0.value().toVector() == std::vector<float>{5, 7, 9});
  Var s1 = ops::sum(x, -1, true);
  CHECK(s1.shape() == Shape{2, 1});
  CHECK(s1.value().toVector() == std::vector<float>{6, 15});
  Var m1 = ops::mean(x, 1);
  CHECK(m1.shape() == Shape{2});
  CHECK(m1.value().toVector() == std::vector<float>{2, 5});
  Var all = ops::sumAll(x);
  CHECK(all.shape() == Shape{1});
  CHECK(all.value().item() == 21.f);
  Var v(Tensor::fromVector(Shape{4}, std::vector<float>{1, 2, 3, 4}));
  CHECK(ops::sum(v, 0).shape() == Shape{1});
  CHECK(ops::mean(v, 0).value().item() == 2.5f);
}

TEST_CASE("ops reduce gradients (finite differences)") {
  Rng rng(14);
  GradCheckOptions o;
  for (Shape s : {Shape{7}, Shape{3, 5}, Shape{2, 3, 4}, Shape{2, 1, 3}}) {
    Tensor x = randomTensor(s, rng, -2.f, 2.f);
    for (int axis = -s.rank(); axis < s.rank(); ++axis) {
      for (bool keep : {false, true}) {
        std::string what = s.toString() + " axis " + std::to_string(axis) + (keep ? " keep" : "");
        gradCheck("sum " + what, [=](const std::vector<Var>& v) { return ops::sum(v[0], axis, keep); }, {x}, o);
        gradCheck("mean " + what, [=](const std::vector<Var>& v) { return ops::mean(v[0], axis, keep); }, {x}, o);
      }
    }
    gradCheck("sumAll " + s.toString(), [](const std::vector<Var>& v) { return ops::sumAll(v[0]); }, {x}, o);
  }
}

TEST_CASE("ops reduce: mean == scale(sum, 1/n), sumAll == reference, backward of a scalar") {
  Rng rng(15);
  Tensor x = randomTensor(Shape{5, 6, 7}, rng);
  Tensor R = randomTensor(Shape{5, 7}, rng);
  Var a(x, true), b(x, true);
  Var ym = ops::mean(a, 1);
  backward(ym, R);
  Var ys = ops::scale(ops::sum(b, 1), 1.f / 6.f);
  backward(ys, R);
  CHECK(maxAbsDiff(ym.value(), ys.value()) <= 1e-6f);
  CHECK(maxAbsDiff(a.grad(), b.grad()) <= 1e-7f);
  Var c(x, true);
  Var total = ops::sumAll(c);
  CHECK(total.value().item() ==
        doctest::Approx(kernels::ref::reduce(kernels::ReduceKind::Sum, x, Shape{1}).item()).epsilon(1e-5));
  backward(total);  // scalar: seed 1
  for (int64_t i = 0; i < x.elements(); ++i) CHECK(c.grad().data<float>()[i] == 1.f);
}

TEST_CASE("ops reduce bad axis names the op and the shape") {
  Var x(Tensor::zeros(Shape{2, 3}));
  for (int axis : {2, -3}) {
    try {
      ops::mean(x, axis);
      FAIL("no ShapeError");
    } catch (const ShapeError& e) {
      std::string msg = e.what();
      CHECK(msg.find("mean") != std::string::npos);
      CHECK(msg.find("[2x3]") != std::string::npos);
      CHECK(msg.find(std::to_string(axis)) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(ops::sum(x, 5), ShapeError);
}
