// ops::attention (fused multi-head attention): values and gradients equal the
// unfused composition (split heads, matmul, softmax, matmul, merge) under key
// padding, causal and per-head masks, fully masked rows, head widths that are
// not a multiple of the vector width, and Tq != Tk, with and without dropout on the
// probabilities (ops::dropout's mask); finite-difference gradient checks; thread-count
// invariance; the Mult-Adds it counts; shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/threads.h"
#include "kernels/backend.h"
#include "ops/attention.h"
#include "ops/dropout.h"
#include "ops/matmul.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"
#include "support/gradcheck.h"

using namespace lt;
using lt::test::gradCheck;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

Var composed(const Var& q, const Var& k, const Var& v, const Tensor& mask, int H, float scale,
             float drop = 0.f, uint64_t seed = 0, uint64_t stream = 0) {
  const int64_t B = q.dim(0), Tq = q.dim(1), Tk = k.dim(1), E = q.dim(2), dh = E / H;
  auto split = [&](const Var& x, int64_t T) {
    return ops::transpose(ops::reshape(x, Shape{B, T, H, dh}), {0, 2, 1, 3});
  };
  Var s = ops::matmul(split(q, Tq), split(k, Tk), false, true, scale);
  Var o = ops::matmul(ops::dropout(ops::softmax(s, mask), drop, seed, stream), split(v, Tk));
  return ops::reshape(ops::transpose(o, {0, 2, 1, 3}), Shape{B, Tq, E});
}

struct Case {
  int64_t B, Tq, Tk, H, dh;
  std::string mask;  // none | pad | causal | head | allmasked
};

Tensor makeMask(const Case& c, Rng& rng) {
  const float ninf = -std::numeric_limits<float>::infinity();
  if (c.mask == "pad" || c.mask == "allmasked") {
    Tensor m = Tensor::zeros({c.B, 1, 1, c.Tk});
    for (int64_t b = 0; b < c.B; ++b)
      for (int64_t j = c.Tk - b; j < c.Tk; ++j) m.data<float>()[b * c.Tk + j] = -1e9f;
    if (c.mask == "allmasked")  // batch 0: every key -inf
      for (int64_t j = 0; j < c.Tk; ++j) m.data<float>()[j] = ninf;
    return m;
  }
  if (c.mask == "causal") {
    Tensor m = Tensor::zeros({1, 1, c.Tq, c.Tk});
    for (int64_t i = 0; i < c.Tq; ++i)
      for (int64_t j = i + 1; j < c.Tk; ++j) m.data<float>()[i * c.Tk + j] = ninf;
    return m;
  }
  if (c.mask == "head") {  // [B, H, Tq, Tk] with random entries masked
    Tensor m = Tensor::zeros({c.B, c.H, c.Tq, c.Tk});
    for (int64_t i = 0; i < m.elements(); ++i)
      if (rng.uniform(0.f, 1.f) < 0.3f) m.data<float>()[i] = -1e9f;
    return m;
  }
  return Tensor();
}

}  // namespace

TEST_CASE("ops::attention equals the unfused composition in values and gradients") {
  Rng rng(41);
  const std::vector<Case> cases = {
      {2, 5, 5, 2, 4, "none"},   {3, 7, 7, 4, 20, "pad"},   {2, 6, 6, 3, 13, "causal"},
      {2, 4, 9, 2, 40, "pad"},   {1, 9, 3, 1, 8, "none"},   {2, 5, 7, 2, 9, "head"},
      {2, 3, 4, 2, 5, "allmasked"}, {2, 30, 31, 4, 40, "pad"}};
  for (const Case& c : cases) {
    const int64_t E = c.H * c.dh;
    const float scale = 1.f / std::sqrt(float(c.dh));
    Tensor q = randomTensor({c.B, c.Tq, E}, rng, -2.f, 2.f);
    Tensor k = randomTensor({c.B, c.Tk, E}, rng, -2.f, 2.f);
    Tensor v = randomTensor({c.B, c.Tk, E}, rng);
    Tensor r = randomTensor({c.B, c.Tq, E}, rng);
    Tensor mask = makeMask(c, rng);
    auto run = [&](bool fused, float drop) {
      Var vq(q.clone(), true), vk(k.clone(), true), vv(v.clone(), true);
      Var y = fused ? ops::attention(vq, vk, vv, mask, int(c.H), scale, drop, 17, 5)
                    : composed(vq, vk, vv, mask, int(c.H), scale, drop, 17, 5);
      Tensor out = y.value().clone();
      backward(y, r);
      return std::vector<Tensor>{out, vq.grad(), vk.grad(), vv.grad()};
    };
    // Dropout 0.3: head tasks start at flat index t·Tq·Tk, mostly not on a 64-element mask
    // chunk, so partial chunks are drawn at both ends.
    for (float drop : {0.f, 0.3f}) {
      const auto f = run(true, drop), u = run(false, drop);
      const char* names[] = {"output", "dq", "dk", "dv"};
      for (size_t i = 0; i < f.size(); ++i) {
        CHECK_MESSAGE(!std::isnan(f[i].toVector()[0]), names[i]);
        CHECK_MESSAGE(maxAbsDiff(f[i], u[i]) < 2e-5f,
                      names[i] << " B" << c.B << " Tq" << c.Tq << " Tk" << c.Tk << " H" << c.H
                               << " dh" << c.dh << " " << c.mask << " dropout " << drop);
      }
      if (drop > 0.f) CHECK(maxAbsDiff(f[0], run(true, 0.f)[0]) > 1e-3f);  // it did drop
    }
    const auto f = run(true, 0.f);
    if (c.mask == "allmasked") {  // batch 0 attends nowhere: zero output, zero gradients
      float mx = 0.f;
      for (int64_t i = 0; i < c.Tq * E; ++i) mx = std::max(mx, std::fabs(f[0].data<float>()[i]));
      CHECK(mx == 0.f);
    }
  }
}

TEST_CASE("ops::attention: finite-difference gradients of q, k and v") {
  Rng rng(42);
  Tensor mask = Tensor::zeros({2, 1, 1, 5});
  mask.data<float>()[9] = -1e9f;  // batch 1 pads its last key
  gradCheck("attention pad", [&](const std::vector<Var>& in) {
    return ops::attention(in[0], in[1], in[2], mask, 2, 0.5f);
  }, {randomTensor({2, 4, 6}, rng), randomTensor({2, 5, 6}, rng), randomTensor({2, 5, 6}, rng)});
  Tensor causal = Tensor::zeros({1, 1, 4, 4});
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j) causal.data<float>()[i * 4 + j] = -1e9f;
  gradCheck("attention causal, same q/k/v input", [&](const std::vector<Var>& in) {
    return ops::attention(in[0], in[0], in[0], causal, 3, 0.7f);
  }, {randomTensor({2, 4, 9}, rng)});
}

TEST_CASE("ops::attention with dropout: finite differences and thread-count invariance") {
  Rng rng(43);
  Tensor causal = Tensor::zeros({1, 1, 5, 5});
  for (int i = 0; i < 5; ++i)
    for (int j = i + 1; j < 5; ++j) causal.data<float>()[i * 5 + j] = -1e9f;
  // The mask is fixed by (seed, stream), so the op is smooth in q, k and v.
  gradCheck("attention causal, dropout 0.4", [&](const std::vector<Var>& in) {
    return ops::attention(in[0], in[1], in[2], causal, 2, 0.6f, 0.4f, 3, 8);
  }, {randomTensor({2, 5, 6}, rng), randomTensor({2, 5, 6}, rng), randomTensor({2, 5, 6}, rng)});
  Tensor q = randomTensor({6, 13, 40}, rng), k = randomTensor({6, 11, 40}, rng);
  Tensor v = randomTensor({6, 11, 40}, rng), r = randomTensor({6, 13, 40}, rng);
  auto run = [&](int threads) {
    const int saved = numThreads();
    setThreads(threads);
    Var vq(q.clone(), true), vk(k.clone(), true), vv(v.clone(), true);
    Var y = ops::attention(vq, vk, vv, Tensor(), 4, 0.3f, 0.25f, 9, 2);
    Tensor out = y.value().clone();
    backward(y, r);
    setThreads(saved);
    return std::vector<Tensor>{out, vq.grad(), vk.grad(), vv.grad()};
  };
  const auto one = run(1), two = run(2);
  for (size_t i = 0; i < one.size(); ++i) CHECK(maxAbsDiff(one[i], two[i]) == 0.f);
  CHECK_THROWS_AS(ops::attention(Var(q), Var(k), Var(v), Tensor(), 4, 0.3f, 1.f), ConfigError);
}

TEST_CASE("ops::attention: hand-worked single head") {
  // One query, two keys with scores 0 and ln 3 -> p = {1/4, 3/4}.
  Var q(Tensor::fromVector({1, 1, 1}, std::vector<float>{1.f}));
  Var k(Tensor::fromVector({1, 2, 1}, std::vector<float>{0.f, std::log(3.f)}));
  Var v(Tensor::fromVector({1, 2, 1}, std::vector<float>{4.f, 8.f}));
  Var o = ops::attention(q, k, v, Tensor(), 1, 1.f);
  CHECK(o.value().toVector()[0] == doctest::Approx(0.25 * 4 + 0.75 * 8));
}

TEST_CASE("ops::attention counts the two products' Mult-Adds and checks shapes") {
  Rng rng(43);
  kernels::MacCounter mc;
  {
    kernels::MacCounterScope scope(mc);
    NoGradScope ng;
    ops::attention(Var(randomTensor({2, 3, 8}, rng)), Var(randomTensor({2, 5, 8}, rng)),
                   Var(randomTensor({2, 5, 8}, rng)), Tensor(), 2, 1.f);
  }
  CHECK(mc.macs == 2 * 2 * 2 * 3 * 5 * 4);  // 2 · B · H · Tq · Tk · dh
  Var q(Tensor::zeros({2, 3, 8})), k(Tensor::zeros({2, 5, 8})), k6(Tensor::zeros({2, 5, 6}));
  CHECK_THROWS_AS(ops::attention(q, k6, k6, Tensor(), 2, 1.f), ShapeError);
  CHECK_THROWS_AS(ops::attention(q, k, k, Tensor(), 3, 1.f), ShapeError);
  CHECK_THROWS_AS(ops::attention(q, k, k, Tensor::zeros({2, 1, 1, 4}), 2, 1.f), ShapeError);
}

TEST_CASE("ops::attention with no keys gives zeros and zero gradients") {
  Var q(Tensor::full({1, 2, 4}, 1.f), true), k(Tensor::empty({1, 0, 4}), true),
      v(Tensor::empty({1, 0, 4}), true);
  Var o = ops::attention(q, k, v, Tensor(), 2, 1.f);
  CHECK(o.value().toVector() == std::vector<float>(8, 0.f));
  backward(o, Tensor::full({1, 2, 4}, 1.f));
  CHECK(q.grad().toVector() == std::vector<float>(8, 0.f));
}
