// ops add/sub/mul/div: broadcasting values vs the reference, finite-difference
// gradients for every broadcast pattern, composed identities, shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "common/error.h"
#include "kernels/ref/binary.h"
#include "ops/binary.h"
#include "ops/eltwise.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;
using kernels::BinaryKind;

namespace {

// |v| in [0.5, 2]: safe divisors for div and its finite differences.
Tensor awayFromZero(const Shape& s, Rng& rng) {
  Tensor t = randomTensor(s, rng, 0.5f, 2.f);
  for (int64_t i = 0; i < t.elements(); ++i)
    if (rng.uniform() < 0.5f) t.data<float>()[i] = -t.data<float>()[i];
  return t;
}

Var apply(BinaryKind k, const Var& a, const Var& b) {
  switch (k) {
    case BinaryKind::Add: return ops::add(a, b);
    case BinaryKind::Sub: return ops::sub(a, b);
    case BinaryKind::Mul: return ops::mul(a, b);
    case BinaryKind::Div: return ops::div(a, b);
  }
  return Var();
}

const std::vector<std::pair<Shape, Shape>> kCases = {
    {Shape{3, 4}, Shape{3, 4}},       {Shape{2, 3, 4}, Shape{4}},
    {Shape{4}, Shape{2, 3, 4}},       {Shape{2, 1, 4}, Shape{3, 1}},
    {Shape{1}, Shape{2, 3}},          {Shape{3, 1}, Shape{1, 5}},
    {Shape{2, 3, 1, 5}, Shape{2, 1, 1, 5}}, {Shape{1, 1, 3, 3}, Shape{2, 2, 3, 3}},
    {Shape{1, 1}, Shape{1}}};

}  // namespace

TEST_CASE("ops binary forward equals the reference kernel") {
  Rng rng(11);
  for (auto& [sa, sb] : kCases) {
    Tensor a = awayFromZero(sa, rng), b = awayFromZero(sb, rng);
    for (BinaryKind k : {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div}) {
      Var y = apply(k, Var(a), Var(b));
      INFO(kernels::binaryName(k) << " " << sa.toString() << " " << sb.toString());
      CHECK(maxAbsDiff(y.value(), kernels::ref::binaryForward(k, a, b)) <= 2e-6f);
    }
  }
}

TEST_CASE("ops binary gradients (finite differences, all broadcast patterns)") {
  Rng rng(12);
  GradCheckOptions o;  // eps 1e-2, atol 2e-3, rtol 2e-2
  for (auto& [sa, sb] : kCases) {
    Tensor a = awayFromZero(sa, rng), b = awayFromZero(sb, rng);
    for (BinaryKind k : {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div}) {
      std::string what = std::string(kernels::binaryName(k)) + " " + sa.toString() + " " + sb.toString();
      gradCheck(what, [k](const std::vector<Var>& v) { return apply(k, v[0], v[1]); }, {a, b}, o);
    }
  }
}

TEST_CASE("ops binary: same input twice, parameters, composed identities") {
  Rng rng(13);
  Tensor x = awayFromZero(Shape{3, 4}, rng);
  // add(x, x) and mul(x, x): gradients 2 and 2x.
  Var v(x, true);
  backward(ops::add(v, v), Tensor::full(x.shape(), 1.f));
  for (int64_t i = 0; i < x.elements(); ++i) CHECK(v.grad().data<float>()[i] == 2.f);
  Var w(x, true);
  backward(ops::mul(w, w), Tensor::full(x.shape(), 1.f));
  for (int64_t i = 0; i < x.elements(); ++i)
    CHECK(w.grad().data<float>()[i] == doctest::Approx(2.f * x.data<float>()[i]));
  // A broadcast bias parameter accumulates over calls.
  Var bias = Var::param(awayFromZero(Shape{4}, rng));
  for (int rep = 0; rep < 2; ++rep) backward(ops::add(Var(x), bias), Tensor::full(x.shape(), 1.f));
  for (int64_t i = 0; i < 4; ++i) CHECK(bias.grad().data<float>()[i] == doctest::Approx(6.f));
  // sub(a, b) == add(a, scale(b, -1)), values and gradients, with broadcasting.
  Tensor a = awayFromZero(Shape{2, 1, 4}, rng), b = awayFromZero(Shape{3, 1}, rng);
  Tensor R = randomTensor(Shape{2, 3, 4}, rng);
  Var a1(a, true), b1(b, true), a2(a, true), b2(b, true);
  Var y1 = ops::sub(a1, b1);
  backward(y1, R);
  Var y2 = ops::add(a2, ops::scale(b2, -1.f));
  backward(y2, R);
  CHECK(maxAbsDiff(y1.value(), y2.value()) == 0.f);
  CHECK(maxAbsDiff(a1.grad(), a2.grad()) <= 1e-6f);
  CHECK(maxAbsDiff(b1.grad(), b2.grad()) <= 1e-6f);
}

TEST_CASE("ops binary bad shapes name the op and both shapes") {
  Var a(Tensor::zeros(Shape{2, 3})), b(Tensor::zeros(Shape{4, 3, 2}));
  for (BinaryKind k : {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div}) {
    try {
      apply(k, a, b);
      FAIL("no ShapeError");
    } catch (const ShapeError& e) {
      std::string msg = e.what();
      CHECK(msg.find(kernels::binaryName(k)) != std::string::npos);
      CHECK(msg.find("[2x3]") != std::string::npos);
      CHECK(msg.find("[4x3x2]") != std::string::npos);
    }
  }
}
