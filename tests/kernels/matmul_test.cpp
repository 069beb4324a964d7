// kernels::matmul (oneDNN) against the plain-loop oracle kernels::ref::matmul.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "common/error.h"
#include "common/rng.h"
#include "kernels/backend.h"
#include "kernels/dnnl/context.h"
#include "kernels/matmul.h"
#include "kernels/ref/matmul.h"

using namespace lt;
using namespace lt::kernels;

namespace {

Tensor rnd(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(-1.f, 1.f);
  return t;
}

float maxDiff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  const float* x = a.data<float>();
  const float* y = b.data<float>();
  for (int64_t i = 0; i < a.elements(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

// Shape of a stored operand: logical [lead..., r, c], swapped when transposed.
Shape stored(std::vector<int64_t> lead, int64_t r, int64_t c, bool trans) {
  lead.push_back(trans ? c : r);
  lead.push_back(trans ? r : c);
  return Shape(lead);
}

struct Case {
  std::vector<int64_t> leadA, leadB;
  int64_t M, N, K;
};

// Runs fast and reference kernels on identical inputs (c pre-filled, for accumulate).
void compare(const Case& cs, const MatmulOptions& o, bool withBias, Rng& rng) {
  Tensor a = rnd(stored(cs.leadA, cs.M, cs.K, o.transA), rng);
  Tensor b = rnd(stored(cs.leadB, cs.K, cs.N, o.transB), rng);
  Tensor bias = withBias ? rnd(Shape{cs.N}, rng) : Tensor();
  Shape out = matmulShape(a.shape(), b.shape(), o.transA, o.transB);
  Tensor cFast = rnd(out, rng);
  Tensor cRef = cFast.clone();
  matmul(a, b, cFast, o, bias);
  ref::matmul(a, b, cRef, o, bias);
  float tol = 2e-5f * float(cs.K + 4) * std::max(1.f, std::fabs(o.alpha));
  INFO("a " << a.shape().toString() << " b " << b.shape().toString() << " transA " << o.transA
            << " transB " << o.transB << " alpha " << o.alpha << " post " << int(o.post)
            << " accumulate " << o.accumulate << " bias " << withBias);
  CHECK(maxDiff(cFast, cRef) <= tol);
}

}  // namespace

TEST_CASE("matmul kernel: oneDNN equals the reference on random shapes") {
  Rng rng(7);
  std::vector<Case> cases = {
      {{}, {}, 1, 1, 1},        {{}, {}, 5, 7, 3},        {{}, {}, 17, 1, 33},
      {{}, {}, 1, 29, 8},       {{}, {}, 64, 48, 65},     {{3}, {3}, 5, 6, 7},
      {{2, 3}, {2, 3}, 4, 1, 9}, {{1}, {1}, 13, 11, 2},    {{4}, {}, 7, 5, 3},
      {{2, 3}, {}, 3, 9, 4},    {{}, {3}, 6, 4, 5},       {{2, 2}, {}, 1, 1, 1},
  };
  for (const Case& cs : cases) {
    for (int t = 0; t < 4; ++t) {
      MatmulOptions o;
      o.transA = t & 1;
      o.transB = t & 2;
      compare(cs, o, false, rng);
      // Attributes: vary one at a time, plus a combined case.
      MatmulOptions ob = o;
      compare(cs, ob, true, rng);
      MatmulOptions oa = o;
      oa.alpha = 0.37f;
      compare(cs, oa, false, rng);
      MatmulOptions oacc = o;
      oacc.accumulate = true;
      compare(cs, oacc, false, rng);
      for (PostOp p : {PostOp::Relu, PostOp::GeluErf, PostOp::GeluTanh}) {
        MatmulOptions op = o;
        op.post = p;
        compare(cs, op, true, rng);
      }
      MatmulOptions all = o;
      all.alpha = -1.5f;
      all.post = PostOp::Relu;
      all.accumulate = true;
      compare(cs, all, true, rng);
    }
  }
}

TEST_CASE("matmul kernel: hand-worked 2x2 values, bias, alpha, relu and accumulate") {
  Tensor a = Tensor::fromVector({2, 2}, std::vector<float>{1, 2, 3, 4});
  Tensor b = Tensor::fromVector({2, 2}, std::vector<float>{5, 6, 7, 8});
  Tensor bias = Tensor::fromVector({2}, std::vector<float>{-100, 1});
  Tensor c = Tensor::zeros({2, 2});
  matmul(a, b, c);
  CHECK(c.toVector() == std::vector<float>{19, 22, 43, 50});
  MatmulOptions o;
  o.transB = true;  // a·bᵀ = [[17, 23], [39, 53]]
  o.alpha = 2.f;
  o.post = PostOp::Relu;
  o.accumulate = true;  // c = previous + relu(2·a·bᵀ + bias)
  matmul(a, b, c, o, bias);
  CHECK(c.toVector() == std::vector<float>{19, 22 + 47, 43, 50 + 107});
}

TEST_CASE("matmul kernel: zero-size dims and the allocating form") {
  Rng rng(3);
  Tensor a = Tensor::empty({3, 0});
  Tensor b = Tensor::empty({0, 2});
  Tensor bias = Tensor::fromVector({2}, std::vector<float>{1.5f, -2.f});
  MatmulOptions o;
  o.post = PostOp::Relu;
  Tensor c = matmul(a, b, o, bias);
  CHECK(c.shape() == Shape{3, 2});
  CHECK(c.toVector() == std::vector<float>{1.5f, 0, 1.5f, 0, 1.5f, 0});
  Tensor x = rnd({4, 6}, rng), y = rnd({6, 3}, rng);
  Tensor r = Tensor::empty({4, 3});
  ref::matmul(x, y, r);
  CHECK(maxDiff(matmul(x, y), r) < 1e-5f);
}

TEST_CASE("matmul kernel: reference mode runs the oracle exactly") {
  Rng rng(11);
  Tensor a = rnd({3, 37, 19}, rng), b = rnd({19, 23}, rng);
  Tensor c1 = Tensor::empty({3, 37, 23}), c2 = Tensor::empty({3, 37, 23});
  setReferenceKernels(true);
  matmul(a, b, c1);
  setReferenceKernels(false);
  ref::matmul(a, b, c2);
  CHECK(maxDiff(c1, c2) == 0.f);
}

TEST_CASE("matmul kernel: primitives are created once and then hit") {
  Rng rng(5);
  Tensor a = rnd({2, 9, 13}, rng), b = rnd({2, 11, 13}, rng);
  Tensor c = Tensor::empty({2, 9, 11});
  MatmulOptions o;
  o.transB = true;
  o.alpha = 0.125f;
  clearMatmulCache();
  PrimitiveCache& shared = dnnlContext().cache;
  size_t sharedMiss0 = shared.misses(), sharedSize0 = shared.size();
  matmul(a, b, c, o);
  CHECK(matmulCacheStats().misses == 1);
  CHECK(matmulCacheStats().hits == 0);
  CHECK(shared.misses() == sharedMiss0 + 1);
  CHECK(shared.size() == sharedSize0 + 1);
  matmul(a, b, c, o);  // identical call: fast-index hit, nothing created
  CHECK(matmulCacheStats().misses == 1);
  CHECK(matmulCacheStats().hits == 1);
  CHECK(shared.misses() == sharedMiss0 + 1);
  CHECK(shared.size() == sharedSize0 + 1);
  // Different buffers with the same shapes hit too (and are really used); a
  // different alpha is a new primitive.
  Tensor a2 = rnd({2, 9, 13}, rng), c2 = Tensor::empty({2, 9, 11}), r = Tensor::empty({2, 9, 11});
  matmul(a2, b, c2, o);
  CHECK(matmulCacheStats().hits == 2);
  ref::matmul(a2, b, r, o);
  CHECK(maxDiff(c2, r) < 1e-4f);
  ref::matmul(a, b, r, o);
  CHECK(maxDiff(c, r) < 1e-4f);
  o.alpha = 1.f;
  matmul(a, b, c, o);
  CHECK(matmulCacheStats().misses == 2);
  CHECK(shared.misses() == sharedMiss0 + 2);
  // Dropping the fast index re-fetches from the shared cache: a hit, not a new primitive.
  size_t sharedHits = shared.hits();
  clearMatmulCache();
  matmul(a, b, c, o);
  CHECK(shared.hits() == sharedHits + 1);
  CHECK(shared.misses() == sharedMiss0 + 2);
}

TEST_CASE("matmul kernel: the fast index stays within the shared cache's capacity") {
  // Training batches bring new row counts all the time; the index must not keep every
  // primitive alive past the shared cache's LRU.
  PrimitiveCache& shared = dnnlContext().cache;
  const size_t saved = shared.capacity();
  shared.setCapacity(8);
  clearMatmulCache();
  Rng rng(6);
  Tensor b = rnd({5, 3}, rng);
  for (int m = 1; m <= 30; ++m) {
    Tensor a = rnd({m, 5}, rng), c = Tensor::empty({m, 3}), r = Tensor::empty({m, 3});
    matmul(a, b, c);
    ref::matmul(a, b, r);
    CHECK(maxDiff(c, r) < 1e-4f);
    CHECK(matmulCacheStats().size <= 8);
    CHECK(shared.size() <= 8);
  }
  CHECK(matmulCacheStats().misses == 30);
  shared.setCapacity(saved);
  clearMatmulCache();
}

TEST_CASE("matmul kernel: primitives run on the thread's one user scratchpad") {
  // Weight-gradient shapes (a transposed, many rows) need a scratchpad. Every primitive uses
  // the thread's buffer, which grows (and moves) for the larger one; the smaller one, run
  // again afterwards, must be pointed at the moved buffer.
  Rng rng(11);
  std::vector<int64_t> rows = {600, 2400, 600, 2400};
  for (int64_t m : rows) {
    MatmulOptions o;
    o.transA = true;
    compare({{}, {}, 160, 96, m}, o, false, rng);
    o.accumulate = true;
    compare({{}, {}, 160, 96, m}, o, false, rng);
  }
  CHECK(dnnlContext().scratchpadBytes() > 0);
}

TEST_CASE("matmul kernel: counts batch*M*N*K multiply-accumulates") {
  Rng rng(2);
  Tensor a = rnd({2, 3, 5, 7}, rng), b = rnd({7, 4}, rng);
  Tensor c = Tensor::empty({2, 3, 5, 4});
  MacCounter counter;
  {
    MacCounterScope scope(counter);
    matmul(a, b, c);
  }
  CHECK(counter.macs == 2 * 3 * 5 * 4 * 7);
}

TEST_CASE("matmul kernel: bad shapes raise ShapeError naming the op and both shapes") {
  auto message = [](auto&& fn) { return test::errorMessage<ShapeError>(fn, "ShapeError"); };
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4, 5});
  CHECK(message([&] { matmul(a, b); }) ==
        "matmul: a [2x3] and b [4x5]: inner dimensions 3 and 4 differ");
  CHECK(message([&] {
          MatmulOptions o;
          o.transA = true;
          matmul(a, b, o);
        }) == "matmul: a [2x3] and b [4x5] (transA): inner dimensions 2 and 4 differ");
  Tensor x = Tensor::zeros({2, 3, 4}), y = Tensor::zeros({3, 4, 5});
  CHECK(message([&] { matmul(x, y); }) ==
        "matmul: a [2x3x4] and b [3x4x5]: batch dimensions [2] and [3] differ (need equal, or "
        "one operand of rank 2)");
  Tensor v = Tensor::zeros({4});
  CHECK(message([&] { matmul(v, b); }) ==
        "matmul: a [4] and b [4x5]: both operands need rank >= 2");
  Tensor c = Tensor::zeros({2, 6});
  Tensor w = Tensor::zeros({3, 5});
  CHECK(message([&] { matmul(a, w, c); }) ==
        "matmul: a [2x3] and b [3x5]: output c [2x6] should be [2x5]");
  Tensor bias = Tensor::zeros({4});
  CHECK(message([&] { matmul(a, w, MatmulOptions{}, bias); }) ==
        "matmul: a [2x3] and b [3x5]: bias [4] should be [5] f32");
}

TEST_CASE("matmul kernel: a row-padded b (bColumns) reads only its first columns") {
  Rng rng(13);
  // (rows of a, K, N, ldb); a may be batched over a 2-D b.
  struct P {
    Shape a;
    int64_t K, N, ldb;
  };
  for (const P& p : {P{{4, 9}, 9, 5, 5}, P{{4, 9}, 9, 5, 21}, P{{3, 2, 7}, 7, 64, 80},
                     P{{12, 33}, 33, 128, 144}, P{{1, 1}, 1, 1, 3}}) {
    Tensor a = rnd(p.a, rng);
    Tensor padded = rnd({p.K, p.ldb}, rng);  // garbage past column N must not leak in
    Tensor dense = Tensor::empty({p.K, p.N});
    for (int64_t k = 0; k < p.K; ++k)
      for (int64_t n = 0; n < p.N; ++n)
        dense.data<float>()[k * p.N + n] = padded.data<float>()[k * p.ldb + n];
    Tensor bias = rnd({p.N}, rng);
    Shape out = p.a.with(-1, p.N);
    for (bool relu : {false, true}) {
      MatmulOptions o;
      o.post = relu ? PostOp::Relu : PostOp::None;
      Tensor want = Tensor::empty(out);
      ref::matmul(a, dense, want, o, bias);
      o.bColumns = p.N;
      Tensor fast = Tensor::empty(out), oracle = Tensor::empty(out);
      matmul(a, padded, fast, o, bias);
      ref::matmul(a, padded, oracle, o, bias);
      INFO("a " << p.a.toString() << " ldb " << p.ldb << " relu " << relu);
      CHECK(maxDiff(oracle, want) == 0.f);
      CHECK(maxDiff(fast, want) <= 2e-5f * float(p.K + 4));
    }
  }
  // Same shapes, another row stride: a distinct primitive, not a wrong cache hit.
  Tensor a = rnd({3, 4}, rng), b1 = rnd({4, 6}, rng), b2 = rnd({4, 9}, rng);
  MatmulOptions o;
  o.bColumns = 6;
  Tensor c1 = Tensor::empty({3, 6}), c2 = Tensor::empty({3, 6}), r = Tensor::empty({3, 6});
  clearMatmulCache();
  matmul(a, b1, c1, o);
  matmul(a, b2, c2, o);
  CHECK(matmulCacheStats().misses == 2);
  ref::matmul(a, b2, r, o);
  CHECK(maxDiff(c2, r) < 1e-5f);
}

TEST_CASE("matmul kernel: bColumns needs a 2-D, untransposed b wide enough") {
  auto message = [](auto&& fn) { return test::errorMessage<ShapeError>(fn, "ShapeError"); };
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({3, 5}), c = Tensor::zeros({2, 6});
  MatmulOptions o;
  o.bColumns = 6;
  CHECK(message([&] { matmul(a, b, c, o); }) ==
        "matmul: b [3x5] with bColumns 6: a padded b must be 2-D [K, ldb >= bColumns] and not "
        "transposed");
  o.bColumns = 4;
  o.transB = true;
  Tensor bt = Tensor::zeros({5, 3}), c4 = Tensor::zeros({2, 4});
  CHECK(message([&] { matmul(a, bt, c4, o); }).find("not transposed") != std::string::npos);
  o.transB = false;
  Tensor b3 = Tensor::zeros({1, 3, 5});
  CHECK(message([&] { matmul(a, b3, c4, o); }).find("must be 2-D") != std::string::npos);
  CHECK(message([&] { matmul(a, b, c, o); }) ==
        "matmul: a [2x3] and b [3x5]: output c [2x6] should be [2x4]");
}

TEST_CASE("addColumnSums equals the reference and accumulates") {
  Rng rng(9);
  for (auto s : {Shape{1, 1}, Shape{7, 3}, Shape{300, 517}, Shape{2, 5, 260}}) {
    Tensor x = rnd(s, rng);
    Tensor o1 = rnd({s[-1]}, rng);
    Tensor o2 = o1.clone();
    addColumnSums(x, o1);
    ref::addColumnSums(x, o2);
    CHECK(maxDiff(o1, o2) < 1e-4f);
  }
  Tensor x = Tensor::fromVector({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor o = Tensor::fromVector({3}, std::vector<float>{10, 0, 0});
  addColumnSums(x, o);
  CHECK(o.toVector() == std::vector<float>{15, 7, 9});
}
