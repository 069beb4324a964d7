// ops::softmax / logSoftmax: reference values, finite-difference gradients
// (with masks and a fully masked row), fused vs composed, shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "kernels/ref/softmax.h"
#include "ops/eltwise.h"
#include "ops/softmax.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// [B,1,1,S] key padding mask: `neg` past each length.
Tensor padMask(int64_t s, std::vector<int64_t> lens, float neg) {
  int64_t b = int64_t(lens.size());
  Tensor m = Tensor::zeros(Shape{b, 1, 1, s});
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = lens[size_t(i)]; j < s; ++j) m.data<float>()[i * s + j] = neg;
  return m;
}

Tensor causal(int64_t t, float neg) {
  Tensor m = Tensor::zeros(Shape{1, 1, t, t});
  for (int64_t i = 0; i < t; ++i)
    for (int64_t j = i + 1; j < t; ++j) m.data<float>()[i * t + j] = neg;
  return m;
}

}  // namespace

TEST_CASE("ops::softmax forward equals the reference kernel") {
  Rng rng(1);
  Tensor x = randomTensor(Shape{3, 2, 4, 7}, rng, -3.f, 3.f);
  Tensor m = padMask(7, {7, 3, 1}, -kInf);
  for (bool log : {false, true}) {
    Var y = log ? ops::logSoftmax(Var(x), m) : ops::softmax(Var(x), m);
    Tensor r = kernels::ref::softmaxForward(x, m, log);
    for (int64_t i = 0; i < x.elements(); ++i) {
      float a = y.value().data<float>()[i], b = r.data<float>()[i];
      if (a != b) CHECK(std::fabs(a - b) <= 2e-6f);
    }
  }
}

TEST_CASE("ops::softmax gradients (finite differences)") {
  Rng rng(2);
  GradCheckOptions o;  // eps 1e-2, atol 2e-3, rtol 2e-2
  for (Shape s : {Shape{1, 1}, Shape{3, 7}, Shape{2, 3, 5}, Shape{4, 1}}) {
    Tensor x = randomTensor(s, rng, -2.f, 2.f);
    gradCheck("softmax " + s.toString(), [](const std::vector<Var>& v) { return ops::softmax(v[0]); }, {x}, o);
    gradCheck("logSoftmax " + s.toString(), [](const std::vector<Var>& v) { return ops::logSoftmax(v[0]); }, {x}, o);
  }
  // Padding mask with one fully masked batch entry, and a causal mask.
  Tensor x = randomTensor(Shape{3, 2, 4, 6}, rng, -2.f, 2.f);
  Tensor pad = padMask(6, {6, 0, 2}, -kInf);
  gradCheck("softmax padded", [&](const std::vector<Var>& v) { return ops::softmax(v[0], pad); }, {x}, o);
  Tensor xc = randomTensor(Shape{2, 3, 5, 5}, rng, -2.f, 2.f);
  Tensor cm = causal(5, -kInf);
  gradCheck("softmax causal", [&](const std::vector<Var>& v) { return ops::softmax(v[0], cm); }, {xc}, o);
  // log-softmax outputs -inf at -inf-masked elements (L would be -inf), so its
  // check uses a finite mask value that still zeroes those probabilities.
  Tensor padFinite = padMask(6, {6, 1, 2}, -30.f);
  gradCheck("logSoftmax padded", [&](const std::vector<Var>& v) { return ops::logSoftmax(v[0], padFinite); }, {x}, o);
  Tensor cmFinite = causal(5, -30.f);
  gradCheck("logSoftmax causal", [&](const std::vector<Var>& v) { return ops::logSoftmax(v[0], cmFinite); }, {xc}, o);
}

TEST_CASE("ops::softmax fully masked rows: zeros, zero gradient, no NaN") {
  Rng rng(3);
  Tensor x = randomTensor(Shape{2, 1, 3, 4}, rng);
  Tensor m = padMask(4, {4, 0}, -kInf);  // batch 1 fully masked
  Var xv(x, true);
  Var y = ops::softmax(xv, m);
  backward(y, randomTensor(y.shape(), rng));
  for (int64_t i = 0; i < x.elements(); ++i) {
    bool masked = i >= 12;
    CHECK_FALSE(std::isnan(y.value().data<float>()[i]));
    CHECK_FALSE(std::isnan(xv.grad().data<float>()[i]));
    if (masked) {
      CHECK(y.value().data<float>()[i] == 0.f);
      CHECK(xv.grad().data<float>()[i] == 0.f);
    }
  }
  Var xl(x, true);
  Var l = ops::logSoftmax(xl, m);
  backward(l, randomTensor(l.shape(), rng));
  for (int64_t i = 12; i < 24; ++i) {
    CHECK(l.value().data<float>()[i] == -kInf);
    CHECK(xl.grad().data<float>()[i] == 0.f);
  }
}

TEST_CASE("ops::logSoftmax fused equals composed log(softmax)") {
  Rng rng(4);
  Tensor x = randomTensor(Shape{4, 3, 9}, rng, -3.f, 3.f);
  Tensor m = Tensor::zeros(Shape{4, 1, 9});
  m.data<float>()[5] = -kInf;
  Tensor R = randomTensor(x.shape(), rng);
  // Values: logSoftmax = log(softmax) (masked entries: -inf = log 0).
  // (backward() consumes the whole tape, so each forward is followed by its backward.)
  Var xa(x, true), xb(x, true);
  Var ls = ops::logSoftmax(xa, m);
  backward(ls, R);
  Var sm = ops::softmax(xb, m);
  for (int64_t i = 0; i < x.elements(); ++i) {
    float a = ls.value().data<float>()[i], b = std::log(sm.value().data<float>()[i]);
    if (a != b) CHECK(std::fabs(a - b) <= 3e-6f);
  }
  // Gradients: d/dx <R, log p> = softmax backward of R / p (chain rule through log).
  Tensor Rp = Tensor::empty(x.shape());
  for (int64_t i = 0; i < x.elements(); ++i) {
    float p = sm.value().data<float>()[i];
    Rp.data<float>()[i] = p > 0.f ? R.data<float>()[i] / p : 0.f;
  }
  backward(sm, Rp);
  CHECK(maxAbsDiff(xa.grad(), xb.grad()) <= 2e-5f);
  // softmax = exp(logSoftmax), values and gradients, through ops::exp.
  Var xc(x, true), xd(x, true);
  Var composed = ops::exp(ops::logSoftmax(xc, m));
  backward(composed, R);
  Var fused = ops::softmax(xd, m);
  backward(fused, R);
  CHECK(maxAbsDiff(composed.value(), fused.value()) <= 2e-6f);
  CHECK(maxAbsDiff(xc.grad(), xd.grad()) <= 2e-5f);
}

TEST_CASE("ops::softmax bad mask shapes name the op and both shapes") {
  Var x(Tensor::zeros(Shape{2, 3, 4}));
  try {
    ops::softmax(x, Tensor::zeros(Shape{2, 2, 4}));
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("softmax") != std::string::npos);
    CHECK(msg.find("[2x3x4]") != std::string::npos);
    CHECK(msg.find("[2x2x4]") != std::string::npos);
  }
  try {
    ops::logSoftmax(x, Tensor::zeros(Shape{3, 4}));
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("logSoftmax") != std::string::npos);
    CHECK(msg.find("[3x4]") != std::string::npos);
  }
}
