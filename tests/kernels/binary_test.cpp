// kernels binary ops with broadcasting (oneDNN) against the plain-loop oracle.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "kernels/binary.h"
#include "kernels/ref/binary.h"

using namespace lt;
using namespace lt::kernels;

namespace {

Tensor rnd(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) {
    float v = rng.uniform(0.5f, 2.f);  // |v| >= 0.5: safe divisors
    t.data<float>()[i] = rng.uniform() < 0.5f ? -v : v;
  }
  return t;
}

float maxRelDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t i = 0; i < a.elements(); ++i) {
    float x = a.data<float>()[i], y = b.data<float>()[i];
    m = std::max(m, std::fabs(x - y) / (1.f + std::fabs(y)));
  }
  return m;
}

}  // namespace

TEST_CASE("binary kernel: hand-worked broadcast") {
  Tensor a = Tensor::fromVector(Shape{2, 1}, std::vector<float>{1.f, 2.f});
  Tensor b = Tensor::fromVector(Shape{3}, std::vector<float>{10.f, 20.f, 40.f});
  Tensor s = binaryForward(BinaryKind::Sub, a, b);  // [2x3]
  REQUIRE(s.shape() == Shape{2, 3});
  CHECK(s.toVector() == std::vector<float>{-9.f, -19.f, -39.f, -8.f, -18.f, -38.f});
  Tensor d = binaryForward(BinaryKind::Div, b, a);
  CHECK(d.toVector() == std::vector<float>{10.f, 20.f, 40.f, 5.f, 10.f, 20.f});
  CHECK(broadcastTo(a, Shape{2, 2}).toVector() == std::vector<float>{1.f, 1.f, 2.f, 2.f});
}

TEST_CASE("binary kernel: all ops and broadcast patterns match reference") {
  Rng rng(41);
  std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{7}, Shape{7}},             {Shape{2, 3, 4}, Shape{4}},
      {Shape{4}, Shape{2, 3, 4}},       {Shape{2, 1, 4}, Shape{3, 1}},
      {Shape{1}, Shape{2, 3}},          {Shape{2, 3}, Shape{1}},
      {Shape{3, 1}, Shape{1, 5}},       {Shape{5, 2, 7, 9}, Shape{5, 1, 1, 9}},
      {Shape{5, 1, 1, 9}, Shape{5, 2, 7, 9}}, {Shape{1, 1, 6, 6}, Shape{3, 2, 6, 6}},
      {Shape{2, 3, 5}, Shape{2, 1, 5}}, {Shape{1, 3, 1}, Shape{2, 3, 5}},
      {Shape{64, 33}, Shape{33}},       {Shape{1, 1}, Shape{1, 1}},
      {Shape{37, 1, 160}, Shape{37, 1, 160}}};  // same shapes: the flat loop
  cases.push_back({Shape{4, 30, 200}, Shape{4, 1, 200}});  // above the small-size limit
  cases.push_back({Shape{4, 1, 200}, Shape{4, 30, 200}});
  cases.push_back({Shape{30, 1}, Shape{1, 1000}});
  // Small results take the own serial loop unless oneDNN is forced: test both.
  for (bool force : {false, true})
  for (auto& [sa, sb] : cases) {
    forceDnnlBinary(force);
    Tensor a = rnd(sa, rng), b = rnd(sb, rng);
    for (BinaryKind k : {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div}) {
      INFO(binaryName(k) << " " << sa.toString() << " " << sb.toString() << " forced " << force);
      Tensor yf = binaryForward(k, a, b);
      Tensor yr = ref::binaryForward(k, a, b);
      CHECK(yf.shape() == broadcastShapes("t", sa, sb));
      CHECK(maxRelDiff(yf, yr) <= 1e-6f);
    }
    Shape out = broadcastShapes("t", sa, sb);
    CHECK(maxRelDiff(broadcastTo(a, out), ref::broadcastTo(a, out)) == 0.f);
  }
  forceDnnlBinary(false);
}

TEST_CASE("binary kernel: bad shapes name the op and both shapes") {
  Tensor a = Tensor::zeros(Shape{2, 3}), b = Tensor::zeros(Shape{4, 3, 2});
  try {
    binaryForward(BinaryKind::Mul, a, b);
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("mul") != std::string::npos);
    CHECK(msg.find("[2x3]") != std::string::npos);
    CHECK(msg.find("[4x3x2]") != std::string::npos);
  }
  CHECK_THROWS_AS(broadcastTo(Tensor::zeros(Shape{3}), Shape{3, 2}), ShapeError);
}
