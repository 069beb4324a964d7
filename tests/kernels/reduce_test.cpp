// kernels reduce (oneDNN reduction) against the plain-loop oracle.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "kernels/reduce.h"
#include "kernels/ref/reduce.h"
#include "tensor/arena.h"
#include "common/timer.h"

using namespace lt;
using namespace lt::kernels;

namespace {

Tensor rnd(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(-1.f, 1.f);
  return t;
}

float maxDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t i = 0; i < a.elements(); ++i)
    m = std::max(m, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

}  // namespace

TEST_CASE("reduce kernel: hand-worked values") {
  Tensor x = Tensor::fromVector(Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(reduce(ReduceKind::Sum, x, Shape{2, 1}).toVector() == std::vector<float>{6, 15});
  CHECK(reduce(ReduceKind::Sum, x, Shape{1, 3}).toVector() == std::vector<float>{5, 7, 9});
  CHECK(reduce(ReduceKind::Sum, x, Shape{3}).toVector() == std::vector<float>{5, 7, 9});
  CHECK(reduce(ReduceKind::Mean, x, Shape{2, 1}).toVector() == std::vector<float>{2, 5});
  CHECK(reduce(ReduceKind::Sum, x, Shape{1}).item() == 21.f);
  CHECK(reduce(ReduceKind::Mean, x, Shape{1, 1}).item() == 3.5f);
  CHECK(reduce(ReduceKind::Sum, x, Shape{2, 3}).toVector() == x.toVector());
}

TEST_CASE("reduce kernel: random shapes match reference") {
  Rng rng(51);
  std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{7}, Shape{1}},           {Shape{3, 5}, Shape{3, 1}},
      {Shape{3, 5}, Shape{1, 5}},     {Shape{2, 3, 4}, Shape{1, 3, 1}},
      {Shape{2, 3, 4}, Shape{2, 1, 4}}, {Shape{2, 3, 4}, Shape{4}},
      {Shape{4, 1, 6}, Shape{1, 1, 6}}, {Shape{5, 2, 7, 9}, Shape{5, 1, 1, 9}},
      {Shape{64, 30, 33}, Shape{33}}, {Shape{64, 30, 33}, Shape{64, 30, 1}},
      {Shape{1, 1}, Shape{1, 1}},     {Shape{1000, 17}, Shape{1}},
      {Shape{3, 40, 700}, Shape{3, 1, 700}}, {Shape{40, 3, 700}, Shape{1, 3, 1}},
      {Shape{4096, 33}, Shape{1, 33}}};
  for (auto& [sx, so] : cases) {
    Tensor x = rnd(sx, rng);
    for (ReduceKind k : {ReduceKind::Sum, ReduceKind::Mean}) {
      INFO(sx.toString() << " -> " << so.toString() << " mean " << (k == ReduceKind::Mean));
      Tensor yf = reduce(k, x, so), yr = ref::reduce(k, x, so);
      float tol = 2e-6f * std::sqrt(float(sx.elements() / so.elements())) + 1e-6f;
      CHECK(maxDiff(yf, yr) <= (k == ReduceKind::Sum ? tol * 4 : tol));
      if (so.elements() < sx.elements()) {
        CHECK(maxDiff(reduceDnnl(k, x, so), yr) <= (k == ReduceKind::Sum ? tol * 4 : tol));
      }
    }
  }
}

TEST_CASE("reduce kernel: bad target shape") {
  try {
    reduce(ReduceKind::Sum, Tensor::zeros(Shape{2, 3}), Shape{2, 2});
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("[2x3]") != std::string::npos);
    CHECK(msg.find("[2x2]") != std::string::npos);
  }
}

TEST_CASE("reduce kernel: timings" * doctest::skip()) {
  Rng rng(1);
  Arena arena;
  auto time = [&](auto&& f, int reps) {
    double best = 1e30;
    for (int i = 0; i < reps + 1; ++i) {
      ArenaScope scope(arena);
      Timer t;
      f();
      if (i) best = std::min(best, t.seconds() * 1e3);
      arena.reset();
    }
    return best;
  };
  std::vector<std::pair<Shape, Shape>> cases = {{Shape{4096, 512}, Shape{512}},
                                                {Shape{4096, 512}, Shape{4096, 1}},
                                                {Shape{4096, 512}, Shape{1}},
                                                {Shape{64, 30, 512}, Shape{64, 1, 512}}};
  for (auto& [sx, so] : cases) {
    Tensor x = rnd(sx, rng);
    MESSAGE(sx.toString() << " -> " << so.toString() << " best ms: own "
            << time([&] { reduce(ReduceKind::Sum, x, so); }, 20) << " oneDNN "
            << time([&] { reduceDnnl(ReduceKind::Sum, x, so); }, 5) << " ref "
            << time([&] { ref::reduce(ReduceKind::Sum, x, so); }, 1));
  }
}
