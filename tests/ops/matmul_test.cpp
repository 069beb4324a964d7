// ops::matmul: forward against the reference kernel, finite-difference gradient
// checks of both inputs for every transpose combination and batch layout, and
// shape errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/error_message.h"
#include "common/error.h"
#include "kernels/ref/matmul.h"
#include "ops/matmul.h"
#include "support/gradcheck.h"

using namespace lt;
using lt::test::gradCheck;
using lt::test::maxAbsDiff;
using lt::test::randomTensor;

namespace {

Shape stored(std::vector<int64_t> lead, int64_t r, int64_t c, bool trans) {
  lead.push_back(trans ? c : r);
  lead.push_back(trans ? r : c);
  return Shape(lead);
}

struct Layout {
  const char* name;
  std::vector<int64_t> leadA, leadB;
};

const std::vector<Layout> kLayouts = {
    {"2-D", {}, {}},
    {"batched", {2, 3}, {2, 3}},
    {"b broadcast", {3}, {}},
    {"a broadcast", {}, {2}},
    {"b broadcast 4-D", {2, 1}, {}},
};

}  // namespace

TEST_CASE("ops::matmul forward equals the reference kernel") {
  Rng rng(21);
  for (const Layout& l : kLayouts) {
    for (int t = 0; t < 4; ++t) {
      bool tA = t & 1, tB = t & 2;
      Tensor a = randomTensor(stored(l.leadA, 5, 7, tA), rng);
      Tensor b = randomTensor(stored(l.leadB, 7, 3, tB), rng);
      Var y = ops::matmul(Var(a), Var(b), tA, tB, 0.5f);
      Tensor r = Tensor::empty(y.shape());
      kernels::MatmulOptions o;
      o.transA = tA;
      o.transB = tB;
      o.alpha = 0.5f;
      kernels::ref::matmul(a, b, r, o);
      INFO(l.name << " transA " << tA << " transB " << tB);
      CHECK(maxAbsDiff(y.value(), r) < 1e-5f);
    }
  }
}

TEST_CASE("ops::matmul gradients: every transpose combination and batch layout") {
  Rng rng(22);
  // Odd sizes and size-1 dims: (M, K, N).
  const int64_t sizes[][3] = {{3, 5, 4}, {1, 6, 1}, {4, 1, 3}};
  for (const Layout& l : kLayouts) {
    for (const auto& mkn : sizes) {
      for (int t = 0; t < 4; ++t) {
        bool tA = t & 1, tB = t & 2;
        float alpha = t == 3 ? -0.7f : 1.f;
        Tensor a = randomTensor(stored(l.leadA, mkn[0], mkn[1], tA), rng);
        Tensor b = randomTensor(stored(l.leadB, mkn[1], mkn[2], tB), rng);
        std::string what = std::string("matmul ") + l.name + " a " + a.shape().toString() +
                           " b " + b.shape().toString() + " tA " + std::to_string(tA) +
                           " tB " + std::to_string(tB);
        gradCheck(
            what,
            [=](const std::vector<Var>& v) { return ops::matmul(v[0], v[1], tA, tB, alpha); },
            {a, b});
      }
    }
  }
}

TEST_CASE("ops::matmul gradient of a product with itself (x · xᵀ)") {
  Rng rng(23);
  gradCheck(
      "matmul x·xT",
      [](const std::vector<Var>& v) { return ops::matmul(v[0], v[0], false, true); },
      {randomTensor({4, 3}, rng)});
}

TEST_CASE("ops::matmul backward accumulates into existing gradients") {
  Rng rng(24);
  Var a = Var::param(randomTensor({2, 3, 4}, rng));
  Var b = Var::param(randomTensor({4, 5}, rng));
  Tensor seed = randomTensor({2, 3, 5}, rng);
  backward(ops::matmul(a, b), seed);
  Tensor ga = a.grad().clone(), gb = b.grad().clone();
  backward(ops::matmul(a, b), seed);
  Tensor ga2 = ga.clone(), gb2 = gb.clone();
  for (float* p = ga2.data<float>(); p != ga2.data<float>() + ga2.elements(); ++p) *p *= 2;
  for (float* p = gb2.data<float>(); p != gb2.data<float>() + gb2.elements(); ++p) *p *= 2;
  CHECK(maxAbsDiff(a.grad(), ga2) < 1e-5f);
  CHECK(maxAbsDiff(b.grad(), gb2) < 1e-5f);
  // Hand-worked: d(sum(a·b))/da = row sums of b broadcast; check one element.
  Var x(Tensor::fromVector({1, 2}, std::vector<float>{1, 2}), true);
  Var w(Tensor::fromVector({2, 2}, std::vector<float>{3, 4, 5, 6}), true);
  backward(ops::matmul(x, w), Tensor::fromVector({1, 2}, std::vector<float>{1, 1}));
  CHECK(x.grad().toVector() == std::vector<float>{7, 11});
  CHECK(w.grad().toVector() == std::vector<float>{1, 1, 2, 2});
}

TEST_CASE("ops::matmul bad shapes raise ShapeError naming the op and both shapes") {
  auto message = [](auto&& fn) { return test::errorMessage<ShapeError>(fn, "ShapeError"); };
  Var a(Tensor::zeros({2, 3})), b(Tensor::zeros({4, 5}));
  CHECK(message([&] { ops::matmul(a, b); }) ==
        "matmul: a [2x3] and b [4x5]: inner dimensions 3 and 4 differ");
  CHECK(message([&] { ops::matmul(a, b, false, true); }) ==
        "matmul: a [2x3] and b [4x5] (transB): inner dimensions 3 and 5 differ");
  Var x(Tensor::zeros({2, 3, 4})), y(Tensor::zeros({2, 2, 4, 5}));
  CHECK(message([&] { ops::matmul(x, y); }) ==
        "matmul: a [2x3x4] and b [2x2x4x5]: batch dimensions [2] and [2x2] differ (need "
        "equal, or one operand of rank 2)");
}
