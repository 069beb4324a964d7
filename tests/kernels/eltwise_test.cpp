// kernels eltwise (oneDNN) against the plain-loop oracle and hand values.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "common/rng.h"
#include "kernels/eltwise.h"
#include "kernels/ref/eltwise.h"

using namespace lt;
using namespace lt::kernels;

namespace {

Tensor rnd(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(lo, hi);
  return t;
}

// Max |a-b| / (1 + |b|).
float maxRelDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t i = 0; i < a.elements(); ++i) {
    float x = a.data<float>()[i], y = b.data<float>()[i];
    m = std::max(m, std::fabs(x - y) / (1.f + std::fabs(y)));
  }
  return m;
}

const EltwiseKind kAll[] = {EltwiseKind::Relu, EltwiseKind::Gelu, EltwiseKind::Elu,
                            EltwiseKind::Sigmoid, EltwiseKind::Exp, EltwiseKind::Tanh,
                            EltwiseKind::Linear};

}  // namespace

TEST_CASE("eltwise kernel: hand-worked values") {
  Tensor x = Tensor::fromVector(Shape{3}, std::vector<float>{-1.f, 0.f, 1.f});
  auto at = [&](EltwiseKind k, int i, float a = 0.f, float b = 0.f) {
    return eltwiseForward(k, x, a, b).data<float>()[i];
  };
  CHECK(at(EltwiseKind::Relu, 0) == 0.f);
  CHECK(at(EltwiseKind::Relu, 2) == 1.f);
  CHECK(at(EltwiseKind::Gelu, 2) == doctest::Approx(0.8413447).epsilon(1e-5));
  CHECK(at(EltwiseKind::Gelu, 0) == doctest::Approx(-0.1586553).epsilon(1e-5));
  CHECK(at(EltwiseKind::Elu, 0, 1.f) == doctest::Approx(-0.6321206).epsilon(1e-5));
  CHECK(at(EltwiseKind::Elu, 0, 0.5f) == doctest::Approx(-0.3160603).epsilon(1e-5));
  CHECK(at(EltwiseKind::Sigmoid, 1) == doctest::Approx(0.5));
  CHECK(at(EltwiseKind::Sigmoid, 2) == doctest::Approx(0.7310586).epsilon(1e-5));
  CHECK(at(EltwiseKind::Exp, 0) == doctest::Approx(0.3678794).epsilon(1e-5));
  CHECK(at(EltwiseKind::Tanh, 2) == doctest::Approx(0.7615942).epsilon(1e-5));
  CHECK(at(EltwiseKind::Linear, 0, 3.f, 0.5f) == doctest::Approx(-2.5));
}

TEST_CASE("eltwise kernel: forward and backward match reference") {
  Rng rng(31);
  // Small tensors take the own serial loop unless oneDNN is forced: test both.
  for (bool force : {false, true})
  for (Shape s : {Shape{1}, Shape{7}, Shape{3, 5}, Shape{2, 3, 17}, Shape{1000, 33}}) {
    forceDnnlEltwise(force);
    // Sample away from 0 so relu/elu kinks are not straddled.
    Tensor x = rnd(s, rng, -4.f, 4.f);
    for (int64_t i = 0; i < x.elements(); ++i)
      if (std::fabs(x.data<float>()[i]) < 1e-3f) x.data<float>()[i] = 0.5f;
    Tensor dy = rnd(s, rng, -1.f, 1.f);
    for (EltwiseKind k : kAll) {
      float alpha = k == EltwiseKind::Elu ? 0.7f : (k == EltwiseKind::Linear ? -1.5f : 0.f);
      float beta = k == EltwiseKind::Linear ? 0.25f : 0.f;
      INFO(eltwiseName(k) << " x " << s.toString() << " forced oneDNN " << force);
      Tensor yf = eltwiseForward(k, x, alpha, beta);
      Tensor yr = ref::eltwiseForward(k, x, alpha, beta);
      CHECK(maxRelDiff(yf, yr) <= 2e-6f);
      Tensor dxf = eltwiseBackward(k, x, yr, dy, alpha, beta);
      Tensor dxr = ref::eltwiseBackward(k, x, yr, dy, alpha, beta);
      CHECK(maxRelDiff(dxf, dxr) <= 5e-6f);
    }
  }
  forceDnnlEltwise(false);
}
