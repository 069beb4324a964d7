// kernels/glu.h: fast path (polynomial exp) vs the double-precision reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/rng.h"
#include "kernels/glu.h"
#include "kernels/ref/glu.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(lo, hi);
  return t;
}
// max |a - b| / (1 + |b|)
double maxRelDiff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.elements(); ++i) {
    double x = a.data<float>()[i], y = b.data<float>()[i];
    m = std::max(m, std::fabs(x - y) / (1.0 + std::fabs(y)));
  }
  return m;
}
}  // namespace

TEST_CASE("kernels/glu: forward and backward equal the reference") {
  Rng rng(4);
  std::vector<Shape> shapes = {{2}, {1, 2}, {3, 14}, {5, 1, 6}, {2, 7, 130}, {64, 2048}};
  for (int k = 0; k < 4; ++k) {  // plus random shapes: rows 1-20, C 1-300 (odd ones too)
    shapes.push_back(Shape{int64_t(1 + rng.below(20)), 2 * int64_t(1 + rng.below(300))});
  }
  for (const Shape& s : shapes) {
    // Wide range: exercises sigmoid saturation on both sides.
    Tensor x = uniformTensor(s, rng, -30.f, 30.f);
    Shape ys = s.with(-1, s[-1] / 2);
    Tensor yf = Tensor::empty(ys), yr = Tensor::empty(ys);
    kernels::gluForward(x, yf);
    kernels::ref::gluForward(x, yr);
    CHECK_MESSAGE(maxRelDiff(yf, yr) < 1e-6, s.toString());
    Tensor dy = uniformTensor(ys, rng, -1.f, 1.f);
    for (bool acc : {false, true}) {
      Tensor df = Tensor::full(s, 0.25f), dr = Tensor::full(s, 0.25f);
      kernels::gluBackward(x, dy, df, acc);
      kernels::ref::gluBackward(x, dy, dr, acc);
      CHECK_MESSAGE(maxRelDiff(df, dr) < 1e-6, s.toString() << " accumulate " << acc);
    }
  }
}

TEST_CASE("kernels/glu: hand-worked values and saturation") {
  // a = [2, -1, 5], b = [0, ln 3, -200]: sigmoid = [0.5, 0.75, ~0]
  Tensor x = Tensor::fromVector({1, 6}, std::vector<float>{2, -1, 5, 0, std::log(3.f), -200});
  Tensor y = Tensor::empty({1, 3});
  kernels::gluForward(x, y);
  CHECK(y.data<float>()[0] == doctest::Approx(1.0));
  CHECK(y.data<float>()[1] == doctest::Approx(-0.75));
  CHECK(std::fabs(y.data<float>()[2]) < 1e-30);
  Tensor dy = Tensor::fromVector({1, 3}, std::vector<float>{1, 1, 1});
  Tensor dx = Tensor::empty({1, 6});
  kernels::gluBackward(x, dy, dx, false);
  // da = s; db = a s (1 - s)
  CHECK(dx.data<float>()[0] == doctest::Approx(0.5));
  CHECK(dx.data<float>()[1] == doctest::Approx(0.75));
  CHECK(dx.data<float>()[3] == doctest::Approx(2 * 0.25));
  CHECK(dx.data<float>()[4] == doctest::Approx(-1 * 0.75 * 0.25));
  CHECK(std::isfinite(dx.data<float>()[5]));
}
