// kernels/gather.h: fast path vs the plain-loop reference, determinism of the
// scatter-add at 1 and 2 threads.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "common/rng.h"
#include "common/threads.h"
#include "kernels/backend.h"
#include "kernels/gather.h"
#include "kernels/ref/gather.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(-1.f, 1.f);
  return t;
}
Tensor randomIndex(int64_t m, int64_t n, Rng& rng) {
  std::vector<int32_t> v(static_cast<size_t>(m));
  for (auto& x : v) x = int32_t(rng.below(uint64_t(n)));
  return Tensor::fromVector({m}, v);
}
bool sameBits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("kernels/gather: gatherRows and scatterAddRows equal the reference bit for bit") {
  Rng rng(11);
  // (N, M, trailing dims): odd sizes, single rows, many repeats (M >> N), big enough to
  // run the parallel path.
  struct Case { int64_t n, m; std::vector<int64_t> rest; };
  std::vector<Case> cases = {{1, 1, {1}},   {5, 3, {7}},     {3, 17, {2, 3}},
                             {7, 1, {}},    {40, 900, {33}}, {1000, 2500, {64}}};
  for (int k = 0; k < 4; ++k)  // plus random N in [1, 60], M in [1, 400], row [1-40]
    cases.push_back({int64_t(1 + rng.below(60)), int64_t(1 + rng.below(400)), {int64_t(1 + rng.below(40))}});
  for (const Case& c : cases) {
    std::vector<int64_t> xd{c.n}, od{c.m};
    for (int64_t d : c.rest) xd.push_back(d), od.push_back(d);
    Tensor x = uniformTensor(Shape(xd), rng);
    Tensor idx = randomIndex(c.m, c.n, rng);
    Tensor yf = Tensor::empty(Shape(od)), yr = Tensor::empty(Shape(od));
    kernels::gatherRows(x, idx, yf);
    kernels::ref::gatherRows(x, idx, yr);
    CHECK(sameBits(yf, yr));
    // Row 0 of the output is row idx[0] of x.
    int64_t row = x.elements() / c.n;
    CHECK(yf.data<float>()[row - 1] == x.data<float>()[idx.data<int32_t>()[0] * row + row - 1]);

    Tensor g = uniformTensor(Shape(od), rng);
    for (int64_t skip : {int64_t(-1), int64_t(0)}) {
      Tensor df = uniformTensor(Shape(xd), rng);
      Tensor dr = df.clone();
      kernels::scatterAddRows(g, idx, skip, df);
      kernels::ref::scatterAddRows(g, idx, skip, dr);
      CHECK_MESSAGE(sameBits(df, dr), "n=" << c.n << " m=" << c.m << " skip=" << skip);
    }
  }
}

TEST_CASE("kernels/gather: scatter-add accumulates repeats and skips, by hand") {
  // x rows 0..2 of width 2; index [2, 0, 2, 1, 2], skip 1.
  Tensor g = Tensor::fromVector({5, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor idx = Tensor::fromVector({5}, std::vector<int32_t>{2, 0, 2, 1, 2});
  Tensor d = Tensor::fromVector({3, 2}, std::vector<float>{100, 100, 0, 0, 0, 0});
  kernels::scatterAddRows(g, idx, 1, d);
  // row0: 100 + (3,4); row1: skipped; row2: (1,2)+(5,6)+(9,10)
  CHECK(d.toVector() == std::vector<float>{103, 104, 0, 0, 15, 18});
}

TEST_CASE("kernels/gather: scatter-add is identical at 1 and 2 threads") {
  Rng rng(5);
  Tensor g = uniformTensor({3000, 48}, rng);
  Tensor idx = randomIndex(3000, 37, rng);  // heavy repeats
  int saved = numThreads();
  Tensor d1 = Tensor::zeros({37, 48}), d2 = Tensor::zeros({37, 48});
  setThreads(1);
  kernels::scatterAddRows(g, idx, 3, d1);
  setThreads(2);
  kernels::scatterAddRows(g, idx, 3, d2);
  setThreads(saved);
  CHECK(sameBits(d1, d2));
  for (int k = 0; k < 48; ++k) CHECK(d1.data<float>()[3 * 48 + k] == 0.f);  // skipped row
}

TEST_CASE("kernels/gather: gathers non-float rows and finds bad indices") {
  Tensor x = Tensor::fromVector({3, 2}, std::vector<int32_t>{1, 2, 3, 4, 5, 6});
  Tensor idx = Tensor::fromVector({4}, std::vector<int32_t>{2, 2, 0, 1});
  Tensor y = Tensor::empty({4, 2}, DType::I32);
  kernels::gatherRows(x, idx, y);
  std::vector<int32_t> got(y.data<int32_t>(), y.data<int32_t>() + 8);
  CHECK(got == std::vector<int32_t>{5, 6, 5, 6, 1, 2, 3, 4});
  Tensor bad = Tensor::fromVector({4}, std::vector<int32_t>{0, -1, 3, 2});
  CHECK(kernels::findBadIndex(bad, 3) == 1);
  CHECK(kernels::findBadIndex(bad, 3, -1) == 2);
  CHECK(kernels::findBadIndex(idx, 3) == -1);
}

TEST_CASE("kernels/gather: reference mode routes to the reference") {
  Rng rng(3);
  Tensor x = uniformTensor({9, 5}, rng);
  Tensor idx = randomIndex(11, 9, rng);
  Tensor a = Tensor::empty({11, 5}), b = Tensor::empty({11, 5});
  kernels::setReferenceKernels(true);
  kernels::gatherRows(x, idx, a);
  kernels::setReferenceKernels(false);
  kernels::ref::gatherRows(x, idx, b);
  CHECK(sameBits(a, b));
}
