// ops::embedding: values, gradient check, repeated ids, padding, errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/embedding.h"
#include "support/gradcheck.h"

using namespace lt;

namespace {
template <class E, class F> std::string errorText(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("ops/embedding: output [ids..., d] holds the table rows") {
  Var table(Tensor::fromVector({4, 2}, std::vector<float>{0, 1, 10, 11, 20, 21, 30, 31}));
  Tensor ids = Tensor::fromVector({2, 3}, std::vector<int32_t>{3, 0, 1, 1, 2, 3});
  Var y = ops::embedding(table, ids);
  CHECK(y.shape() == Shape{2, 3, 2});
  CHECK(y.value().toVector() == std::vector<float>{30, 31, 0, 1, 10, 11, 10, 11, 20, 21, 30, 31});
  Var one = ops::embedding(table, Tensor::fromVector({1}, std::vector<int32_t>{2}));
  CHECK(one.shape() == Shape{1, 2});
}

TEST_CASE("ops/embedding: repeated ids accumulate, the pad row gets no gradient") {
  Var table = Var::param(Tensor::zeros({3, 2}));
  Tensor ids = Tensor::fromVector({4}, std::vector<int32_t>{1, 1, 2, 0});
  Tensor seed = Tensor::fromVector({4, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
  backward(ops::embedding(table, ids, /*padId=*/0), seed);
  // row 0 is padding: nothing; row 1: (1,2) + (3,4); row 2: (5,6)
  CHECK(table.grad().toVector() == std::vector<float>{0, 0, 4, 6, 5, 6});
  // Parameter gradients accumulate across backward calls.
  backward(ops::embedding(table, ids, 0), seed);
  CHECK(table.grad().toVector() == std::vector<float>{0, 0, 8, 12, 10, 12});
}

TEST_CASE("ops/embedding: finite-difference gradient check of the table") {
  // eps 1e-2, atol 2e-3, rtol 2e-2 (the op is linear in the table: exact up to rounding).
  Rng rng(3);
  test::GradCheckOptions opt;
  for (auto [v, d] : {std::pair<int64_t, int64_t>{1, 1}, {5, 3}, {11, 8}}) {
    std::vector<int32_t> idv;
    for (int i = 0; i < 7; ++i) idv.push_back(int32_t(rng.below(uint64_t(v))));  // repeats
    Tensor ids = Tensor::fromVector({7}, idv);
    test::gradCheck("embedding", [&](const std::vector<Var>& in) { return ops::embedding(in[0], ids); },
                    {test::randomTensor({v, d}, rng)}, opt);
  }
  // With padding, every row but the pad row matches the no-padding gradient.
  Tensor ids = Tensor::fromVector({2, 3}, std::vector<int32_t>{2, 0, 1, 1, 2, 0});
  Tensor tv = test::randomTensor({3, 4}, rng);
  Tensor seed = test::randomTensor({2, 3, 4}, rng);
  Var a(tv, true), b(tv, true);
  backward(ops::embedding(a, ids, 2), seed);
  backward(ops::embedding(b, ids), seed);
  for (int k = 0; k < 8; ++k) CHECK(a.grad().data<float>()[k] == b.grad().data<float>()[k]);
  for (int k = 8; k < 12; ++k) CHECK(a.grad().data<float>()[k] == 0.f);
}

TEST_CASE("ops/embedding: reference kernels agree") {
  Rng rng(4);
  Tensor tv = test::randomTensor({50, 16}, rng);
  std::vector<int32_t> idv;
  for (int i = 0; i < 300; ++i) idv.push_back(int32_t(rng.below(50)));
  Tensor ids = Tensor::fromVector({20, 15}, idv);
  Tensor seed = test::randomTensor({20, 15, 16}, rng);
  Var a(tv, true), b(tv, true);
  Var ya = ops::embedding(a, ids, 7);
  backward(ya, seed);
  kernels::setReferenceKernels(true);
  Var yb = ops::embedding(b, ids, 7);
  backward(yb, seed);
  kernels::setReferenceKernels(false);
  CHECK(test::maxAbsDiff(ya.value(), yb.value()) == 0.f);
  CHECK(test::maxAbsDiff(a.grad(), b.grad()) == 0.f);  // same summation order
}

TEST_CASE("ops/embedding: errors name the op, the shapes, the id and the vocabulary size") {
  Var table(Tensor::zeros({5, 3}));
  std::string m = errorText<DataError>(
      [&] { ops::embedding(table, Tensor::fromVector({2, 2}, std::vector<int32_t>{0, 4, 7, 1})); });
  CHECK(m.find("embedding") != std::string::npos);
  CHECK(m.find("id 7") != std::string::npos);
  CHECK(m.find("size 5") != std::string::npos);
  CHECK_THROWS_AS(ops::embedding(table, Tensor::fromVector({1}, std::vector<int32_t>{-1})), DataError);
  m = errorText<ShapeError>(
      [&] { ops::embedding(Var(Tensor::zeros({15})), Tensor::fromVector({2}, std::vector<int32_t>{0, 1})); });
  CHECK(m.find("embedding") != std::string::npos);
  CHECK(m.find("[15]") != std::string::npos);
  CHECK(m.find("[2]") != std::string::npos);
  m = errorText<ShapeError>([&] { ops::embedding(table, Tensor::zeros({2, 2})); });
  CHECK(m.find("i32") != std::string::npos);
  CHECK(m.find("[5x3]") != std::string::npos);
  CHECK(m.find("[2x2]") != std::string::npos);
}
