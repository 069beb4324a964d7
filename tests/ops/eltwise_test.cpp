// ops eltwise: reference values, finite-difference gradients (sampled away
// from the relu/elu kink at 0), fused vs composed identities.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "kernels/ref/eltwise.h"
#include "ops/eltwise.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;
using kernels::EltwiseKind;

namespace {

// Uniform in [-3, 3] with |x| >= 0.1: a central difference with eps 1e-2 never
// straddles the kink of relu / elu at 0.
Tensor awayFromZero(const Shape& s, Rng& rng) {
  Tensor t = randomTensor(s, rng, -3.f, 3.f);
  for (int64_t i = 0; i < t.elements(); ++i) {
    float& v = t.data<float>()[i];
    if (std::fabs(v) < 0.1f) v = v < 0 ? v - 0.1f : v + 0.1f;
  }
  return t;
}

}  // namespace

TEST_CASE("ops eltwise forward equals the reference kernel") {
  Rng rng(8);
  Tensor x = awayFromZero(Shape{3, 17}, rng);
  struct Case {
    Var (*f)(const Var&);
    EltwiseKind k;
  };
  for (auto [f, k] : {Case{ops::relu, EltwiseKind::Relu}, Case{ops::gelu, EltwiseKind::Gelu},
                      Case{ops::sigmoid, EltwiseKind::Sigmoid}, Case{ops::exp, EltwiseKind::Exp},
                      Case{ops::tanh, EltwiseKind::Tanh}}) {
    Tensor r = kernels::ref::eltwiseForward(k, x, 0.f, 0.f);
    Var y = f(Var(x));
    for (int64_t i = 0; i < x.elements(); ++i)
      CHECK(y.value().data<float>()[i] == doctest::Approx(r.data<float>()[i]).epsilon(2e-6));
  }
  Var e = ops::elu(Var(x), 0.5f);
  CHECK(maxAbsDiff(e.value(), kernels::ref::eltwiseForward(EltwiseKind::Elu, x, 0.5f, 0.f)) <= 1e-6f);
  CHECK(ops::scale(Var(x), -2.f).value().data<float>()[3] == -2.f * x.data<float>()[3]);
  CHECK(ops::addScalar(Var(x), 0.5f).value().data<float>()[4] == x.data<float>()[4] + 0.5f);
}

TEST_CASE("ops eltwise gradients (finite differences)") {
  Rng rng(9);
  GradCheckOptions o;  // eps 1e-2, atol 2e-3, rtol 2e-2
  for (Shape s : {Shape{1}, Shape{7}, Shape{3, 5}, Shape{2, 3, 4}}) {
    Tensor x = awayFromZero(s, rng);
    std::string sh = s.toString();
    gradCheck("relu " + sh, [](const std::vector<Var>& v) { return ops::relu(v[0]); }, {x}, o);
    gradCheck("gelu " + sh, [](const std::vector<Var>& v) { return ops::gelu(v[0]); }, {x}, o);
    gradCheck("elu " + sh, [](const std::vector<Var>& v) { return ops::elu(v[0]); }, {x}, o);
    gradCheck("elu 0.3 " + sh, [](const std::vector<Var>& v) { return ops::elu(v[0], 0.3f); }, {x}, o);
    gradCheck("sigmoid " + sh, [](const std::vector<Var>& v) { return ops::sigmoid(v[0]); }, {x}, o);
    gradCheck("exp " + sh, [](const std::vector<Var>& v) { return ops::exp(v[0]); }, {x}, o);
    gradCheck("tanh " + sh, [](const std::vector<Var>& v) { return ops::tanh(v[0]); }, {x}, o);
    gradCheck("scale " + sh, [](const std::vector<Var>& v) { return ops::scale(v[0], -1.7f); }, {x}, o);
    gradCheck("addScalar " + sh, [](const std::vector<Var>& v) { return ops::addScalar(v[0], 2.f); }, {x}, o);
  }
}

TEST_CASE("ops eltwise fused vs composed") {
  Rng rng(10);
  Tensor x = randomTensor(Shape{4, 9}, rng, -3.f, 3.f);
  Tensor R = randomTensor(x.shape(), rng);
  auto valueAndGrad = [&](auto&& f) {
    Var v(x, true);
    Var y = f(v);
    Tensor out = y.value();
    backward(y, R);
    return std::make_pair(out, v.grad());
  };
  // sigmoid(x) = e^x / (1 + e^x) = 1 - 1 / (1 + e^x): here via tanh: 0.5 (1 + tanh(x / 2)).
  auto [s1, g1] = valueAndGrad([](const Var& v) { return ops::sigmoid(v); });
  auto [s2, g2] = valueAndGrad([](const Var& v) {
    return ops::scale(ops::addScalar(ops::tanh(ops::scale(v, 0.5f)), 1.f), 0.5f);
  });
  CHECK(maxAbsDiff(s1, s2) <= 2e-6f);
  CHECK(maxAbsDiff(g1, g2) <= 2e-6f);
  // elu(x) for x < 0 equals alpha (exp(x) - 1).
  Tensor neg = randomTensor(Shape{20}, rng, -4.f, -0.1f);
  Var a(neg, true), b(neg, true);
  Var ye = ops::elu(a, 0.8f);
  backward(ye, Tensor::full(Shape{20}, 1.f));
  Var yc = ops::scale(ops::addScalar(ops::exp(b), -1.f), 0.8f);
  backward(yc, Tensor::full(Shape{20}, 1.f));
  CHECK(maxAbsDiff(ye.value(), yc.value()) <= 2e-6f);
  CHECK(maxAbsDiff(a.grad(), b.grad()) <= 2e-6f);
}
