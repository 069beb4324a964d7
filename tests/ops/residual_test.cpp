// ops::dropoutAdd and ops::dropoutAddLayerNorm (the fused residual junctions): the same values
// and gradients as the unfused ops they replace, finite differences, the mask of ops::dropout,
// thread-count invariance, the inference path, errors.
#include <doctest/doctest.h>

#include <vector>

#include "common/threads.h"
#include "kernels/backend.h"
#include "ops/binary.h"
#include "ops/dropout.h"
#include "ops/layer_norm.h"
#include "ops/residual.h"
#include "support/gradcheck.h"

using namespace lt;

namespace {

struct Grads {
  Tensor y, dx, df, dg, db;
};

// Forward and backward of the junction, fused or as dropout -> add -> layerNorm.
Grads junction(bool fused, const Tensor& x, const Tensor& f, const Tensor& g, const Tensor& b,
               const Tensor& dy, float p) {
  Var vx(x.clone(), true), vf(f.clone(), true), vg(g.clone(), true), vb(b.clone(), true);
  Var y = fused ? ops::dropoutAddLayerNorm(vx, vf, p, 11, 3, vg, vb)
                : ops::layerNorm(ops::add(vx, ops::dropout(vf, p, 11, 3)), vg, vb);
  Tensor out = y.value().clone();
  backward(y, dy);
  return {out, vx.grad().clone(), vf.grad().clone(), vg.grad().clone(), vb.grad().clone()};
}

}  // namespace

TEST_CASE("ops/residual: dropoutAddLayerNorm equals dropout, add, layerNorm (values and grads)") {
  Rng rng(3);
  // C = 160: groups of 2 rows; C = 7: 64-row groups (one partial); C = 512: one row per group;
  // 301 x 160 and 97 x 512 run the parallel path.
  for (Shape s : {Shape{2, 5, 160}, Shape{301, 160}, Shape{70, 7}, Shape{97, 512}, Shape{1, 3}}) {
    for (float p : {0.f, 0.3f}) {
      CAPTURE(s.toString());
      CAPTURE(p);
      const int64_t c = s[-1];
      Tensor x = test::randomTensor(s, rng), f = test::randomTensor(s, rng, -2.f, 2.f);
      Tensor g = test::randomTensor({c}, rng, 0.5f, 1.5f), b = test::randomTensor({c}, rng);
      Tensor dy = test::randomTensor(s, rng);
      Grads a = junction(true, x, f, g, b, dy, p);
      Grads r = junction(false, x, f, g, b, dy, p);
      CHECK(test::maxAbsDiff(a.y, r.y) < 2e-5f);
      CHECK(test::maxAbsDiff(a.dx, r.dx) < 2e-4f);
      CHECK(test::maxAbsDiff(a.df, r.df) < 3e-4f);
      CHECK(test::maxAbsDiff(a.dg, r.dg) < 2e-3f);
      CHECK(test::maxAbsDiff(a.db, r.db) < 2e-3f);
      // The mask is the dropout's: df is 0 exactly where the unfused df is.
      int64_t mismatched = 0;
      for (int64_t i = 0; i < s.elements(); ++i)
        mismatched += (a.df.data<float>()[i] == 0.f) != (r.df.data<float>()[i] == 0.f);
      CHECK(mismatched == 0);
      // Reference kernels: the unfused reference composition, same values.
      kernels::setReferenceKernels(true);
      Grads ref = junction(true, x, f, g, b, dy, p);
      kernels::setReferenceKernels(false);
      CHECK(test::maxAbsDiff(a.y, ref.y) < 2e-5f);
      CHECK(test::maxAbsDiff(a.df, ref.df) < 3e-4f);
      CHECK(test::maxAbsDiff(a.dg, ref.dg) < 2e-3f);
    }
  }
}

TEST_CASE("ops/residual: finite differences through dropoutAddLayerNorm and dropoutAdd") {
  Rng rng(5);
  for (Shape s : {Shape{3, 8}, Shape{2, 3, 5}}) {
    const int64_t c = s[-1];
    test::gradCheck("dropoutAddLayerNorm",
                    [](const std::vector<Var>& in) {
                      return ops::dropoutAddLayerNorm(in[0], in[1], 0.25f, 7, 2, in[2], in[3]);
                    },
                    {test::randomTensor(s, rng), test::randomTensor(s, rng),
                     test::randomTensor({c}, rng, 0.5f, 1.5f), test::randomTensor({c}, rng)});
    test::gradCheck("dropoutAdd",
                    [](const std::vector<Var>& in) { return ops::dropoutAdd(in[0], in[1], 0.4f, 9, 1); },
                    {test::randomTensor(s, rng), test::randomTensor(s, rng)});
  }
}

TEST_CASE("ops/residual: dropoutAdd is x + dropout(f) bit for bit; dx = dy, df = the masked dy") {
  Rng rng(9);
  Tensor xv = test::randomTensor({123, 301}, rng), fv = test::randomTensor({123, 301}, rng);
  Tensor dy = test::randomTensor({123, 301}, rng);
  for (float p : {0.f, 0.1f}) {
    Var x(xv, true), f(fv, true);
    Var y = ops::dropoutAdd(x, f, p, 4, 6);
    Var want = ops::add(Var(xv), ops::dropout(Var(fv), p, 4, 6));
    CHECK(test::maxAbsDiff(y.value(), want.value()) == 0.f);
    backward(y, dy);
    Var fd(fv, true);
    backward(ops::dropout(fd, p, 4, 6), dy);
    CHECK(test::maxAbsDiff(x.grad(), dy) == 0.f);
    CHECK(test::maxAbsDiff(f.grad(), fd.grad()) == 0.f);
  }
}

TEST_CASE("ops/residual: one or two threads give the same values and data gradients") {
  Rng rng(12);
  Shape s{257, 160};  // 41,120 elements: parallel at 2 threads, an odd number of groups
  Tensor x = test::randomTensor(s, rng), f = test::randomTensor(s, rng);
  Tensor g = test::randomTensor({160}, rng, 0.5f, 1.5f), b = test::randomTensor({160}, rng);
  Tensor dy = test::randomTensor(s, rng);
  const int saved = numThreads();
  setThreads(1);
  Grads one = junction(true, x, f, g, b, dy, 0.2f);
  setThreads(2);
  Grads two = junction(true, x, f, g, b, dy, 0.2f);
  setThreads(saved);
  CHECK(test::maxAbsDiff(one.y, two.y) == 0.f);
  CHECK(test::maxAbsDiff(one.dx, two.dx) == 0.f);
  CHECK(test::maxAbsDiff(one.df, two.df) == 0.f);
  CHECK(test::maxAbsDiff(one.dg, two.dg) < 1e-3f);  // row sums split across threads
}

TEST_CASE("ops/residual: without gradients and dropout, dropoutAddLayerNorm is addLayerNorm") {
  Rng rng(1);
  Tensor x = test::randomTensor({6, 40}, rng), f = test::randomTensor({6, 40}, rng);
  Var g(test::randomTensor({40}, rng)), b(test::randomTensor({40}, rng));
  NoGradScope ng;
  Var y = ops::dropoutAddLayerNorm(Var(x), Var(f), 0.f, 1, 1, g, b);
  Var want = ops::addLayerNorm(Var(x), Var(f), g, b);
  CHECK(test::maxAbsDiff(y.value(), want.value()) == 0.f);
}

TEST_CASE("ops/residual: bad shapes and probabilities are errors") {
  Var x(Tensor::zeros({2, 4})), f(Tensor::zeros({2, 4})), f3(Tensor::zeros({2, 3}));
  Var g(Tensor::full({4}, 1.f)), b(Tensor::zeros({4})), g3(Tensor::full({3}, 1.f));
  CHECK_THROWS_AS(ops::dropoutAdd(x, f3, 0.1f, 1, 1), ShapeError);
  CHECK_THROWS_AS(ops::dropoutAdd(x, f, 1.f, 1, 1), ConfigError);
  CHECK_THROWS_AS(ops::dropoutAddLayerNorm(x, f3, 0.1f, 1, 1, g, b), ShapeError);
  CHECK_THROWS_AS(ops::dropoutAddLayerNorm(x, f, 0.1f, 1, 1, g3, b), ShapeError);
  CHECK_THROWS_AS(ops::dropoutAddLayerNorm(x, f, -0.1f, 1, 1, g, b), ConfigError);
}
