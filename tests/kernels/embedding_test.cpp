// kernels/embedding.h: fast path vs reference; padding gets no gradient;
// repeated ids accumulate; same result at 1 and 2 threads.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "common/rng.h"
#include "common/threads.h"
#include "kernels/embedding.h"
#include "kernels/ref/embedding.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(-1.f, 1.f);
  return t;
}
Tensor randomIds(const Shape& s, int64_t v, Rng& rng) {
  std::vector<int32_t> ids(size_t(s.elements()));
  for (auto& x : ids) x = int32_t(rng.below(uint64_t(v)));
  return Tensor::fromVector(s, ids);
}
bool sameBits(const Tensor& a, const Tensor& b) {
  return a.elements() == b.elements() && std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("kernels/embedding: forward and backward equal the reference") {
  Rng rng(21);
  struct Case { int64_t v, d; Shape ids; };
  std::vector<Case> cases = {{1, 1, {1}}, {7, 3, {2, 5}}, {13, 17, {3, 1, 4}}, {500, 64, {32, 41}}};
  for (int k = 0; k < 4; ++k)  // plus random V in [1, 200], d in [1, 70], ids [1-9 x 1-30]
    cases.push_back({int64_t(1 + rng.below(200)), int64_t(1 + rng.below(70)),
                     Shape{int64_t(1 + rng.below(9)), int64_t(1 + rng.below(30))}});
  for (const Case& c : cases) {
    Tensor table = uniformTensor({c.v, c.d}, rng);
    Tensor ids = randomIds(c.ids, c.v, rng);
    int64_t n = ids.elements();
    Tensor yf = Tensor::empty({n, c.d}), yr = Tensor::empty({n, c.d});
    kernels::embeddingForward(table, ids, yf);
    kernels::ref::embeddingForward(table, ids, yr);
    CHECK(sameBits(yf, yr));
    Tensor g = uniformTensor({n, c.d}, rng);
    for (int pad : {-1, 0}) {
      Tensor gf = Tensor::zeros({c.v, c.d}), gr = Tensor::zeros({c.v, c.d});
      kernels::embeddingBackward(g, ids, pad, gf);
      kernels::ref::embeddingBackward(g, ids, pad, gr);
      CHECK(sameBits(gf, gr));
      if (pad == 0)
        for (int64_t k = 0; k < c.d; ++k) CHECK(gf.data<float>()[k] == 0.f);
    }
  }
}

TEST_CASE("kernels/embedding: repeated ids accumulate, pad id is skipped (by hand)") {
  Tensor table = Tensor::fromVector({3, 2}, std::vector<float>{0, 1, 10, 11, 20, 21});
  Tensor ids = Tensor::fromVector({2, 2}, std::vector<int32_t>{2, 1, 1, 0});
  Tensor y = Tensor::empty({4, 2});
  kernels::embeddingForward(table, ids, y);
  CHECK(y.toVector() == std::vector<float>{20, 21, 10, 11, 10, 11, 0, 1});
  Tensor g = Tensor::fromVector({4, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  Tensor gt = Tensor::zeros({3, 2});
  kernels::embeddingBackward(g, ids, /*padId=*/0, gt);
  CHECK(gt.toVector() == std::vector<float>{0, 0, 8, 10, 1, 2});
}

TEST_CASE("kernels/embedding: gradient identical at 1 and 2 threads") {
  Rng rng(8);
  Tensor ids = randomIds({64, 50}, 300, rng);
  Tensor g = uniformTensor({3200, 40}, rng);
  Tensor a = Tensor::zeros({300, 40}), b = Tensor::zeros({300, 40});
  int saved = numThreads();
  setThreads(1);
  kernels::embeddingBackward(g, ids, 1, a);
  setThreads(2);
  kernels::embeddingBackward(g, ids, 1, b);
  setThreads(saved);
  CHECK(sameBits(a, b));
}
