// kernels layer normalization (oneDNN) against the plain-loop oracle.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "common/rng.h"
#include "common/timer.h"
#include "kernels/cpu/layer_norm.h"
#include "kernels/layer_norm.h"
#include "kernels/ref/layer_norm.h"
#include "tensor/arena.h"

using namespace lt;
using namespace lt::kernels;

namespace {

Tensor rnd(const Shape& s, Rng& rng, float lo = -2.f, float hi = 2.f) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(lo, hi);
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

TEST_CASE("layer norm kernel: hand-worked values") {
  // x = [1, 2, 3]: mean 2, var 2/3, xhat = [-1.2247449, 0, 1.2247449].
  Tensor x = Tensor::fromVector(Shape{1, 3}, std::vector<float>{1.f, 2.f, 3.f});
  Tensor g = Tensor::fromVector(Shape{3}, std::vector<float>{1.f, 2.f, 0.5f});
  Tensor b = Tensor::fromVector(Shape{3}, std::vector<float>{0.f, 1.f, -1.f});
  LayerNormResult r = layerNormForward(x, g, b, 0.f);
  CHECK(r.mean.item() == doctest::Approx(2.0));
  CHECK(r.var.item() == doctest::Approx(2.0 / 3.0));
  CHECK(r.y.data<float>()[0] == doctest::Approx(-1.2247449).epsilon(1e-5));
  CHECK(r.y.data<float>()[1] == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(r.y.data<float>()[2] == doctest::Approx(0.5 * 1.2247449 - 1.0).epsilon(1e-5));
}

TEST_CASE("layer norm kernel: forward and backward match reference") {
  Rng rng(21);
  for (Shape s : {Shape{1, 1}, Shape{3, 5}, Shape{2, 3, 17}, Shape{1, 512}, Shape{7, 1, 33},
                  Shape{257, 512}, Shape{4, 160}}) {
    INFO("x " << s.toString());
    int64_t c = s[-1];
    Tensor x = rnd(s, rng);
    // Offset rows so the mean is far from 0 (tests the variance computation).
    for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] += float(i / c % 5);
    Tensor g = rnd(Shape{c}, rng, 0.5f, 1.5f), b = rnd(Shape{c}, rng);
    for (float eps : {1e-5f, 1e-3f}) {
      LayerNormResult f = layerNormForward(x, g, b, eps);
      LayerNormResult r = ref::layerNormForward(x, g, b, eps);
      CHECK(maxDiff(f.y, r.y) <= 2e-5f);
      CHECK(maxDiff(f.mean, r.mean) <= 2e-6f);
      CHECK(maxDiff(f.var, r.var) <= 2e-5f);
      Tensor dy = rnd(s, rng, -1.f, 1.f);
      LayerNormGrads gf = layerNormBackward(x, g, r.mean, r.var, dy, eps);
      LayerNormGrads gr = ref::layerNormBackward(x, g, r.mean, r.var, dy, eps);
      float rows = float(x.elements() / c);
      CHECK(maxDiff(gf.dx, gr.dx) <= (c == 1 ? 1e-5f : 2e-4f));
      CHECK(maxDiff(gf.dgamma, gr.dgamma) <= 2e-6f * rows + 1e-5f);
      CHECK(maxDiff(gf.dbeta, gr.dbeta) <= 2e-6f * rows + 1e-5f);
    }
  }
}

TEST_CASE("layer norm kernel: timings" * doctest::skip()) {
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
  for (Shape s : {Shape{4096, 512}, Shape{4096, 160}, Shape{64, 30, 512}}) {
    int64_t c = s[-1];
    Tensor x = rnd(s, rng), dy = rnd(s, rng);
    Tensor g = rnd(Shape{c}, rng), b = rnd(Shape{c}, rng);
    LayerNormResult r = ref::layerNormForward(x, g, b, 1e-5f);
    MESSAGE(s.toString() << " best ms: oneDNN fwd "
            << time([&] { layerNormForward(x, g, b, 1e-5f); }, 20) << " bwd "
            << time([&] { layerNormBackward(x, g, r.mean, r.var, dy, 1e-5f); }, 20)
            << " | ref fwd " << time([&] { ref::layerNormForward(x, g, b, 1e-5f); }, 2)
            << " bwd " << time([&] { ref::layerNormBackward(x, g, r.mean, r.var, dy, 1e-5f); }, 2));
  }
}

TEST_CASE("layer norm kernel: the small-input loop equals the reference, serial and parallel") {
  Rng rng(23);
  // [4, 160] and [256, 512] go through the loop in layerNormForward; [300, 512] (parallel
  // rows) only when called directly; [257, 512] is past the limit and goes to oneDNN.
  for (Shape s : {Shape{4, 160}, Shape{256, 512}, Shape{300, 512}, Shape{2, 1}}) {
    INFO("x " << s.toString());
    const int64_t c = s[-1];
    Tensor x = rnd(s, rng);
    for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] += 100.f * float(i / c % 3);
    Tensor g = rnd(Shape{c}, rng, 0.5f, 1.5f), b = rnd(Shape{c}, rng);
    LayerNormResult f = cpu::layerNormForward(x, g, b, 1e-5f);
    LayerNormResult r = ref::layerNormForward(x, g, b, 1e-5f);
    CHECK(maxDiff(f.y, r.y) < 2e-4f);
    CHECK(maxDiff(f.mean, r.mean) < 1e-4f);
    CHECK(maxDiff(f.var, r.var) < 1e-4f);
  }
  CHECK(Shape{256, 512}.elements() == cpu::kLayerNormSmallElements);
  CHECK(Shape{257, 512}.elements() > cpu::kLayerNormSmallElements);
}
