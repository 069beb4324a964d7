// ops::gatherRows: values, gradient check with repeated indices, errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/backend.h"
#include "ops/gather.h"
#include "support/gradcheck.h"

using namespace lt;

TEST_CASE("ops/gatherRows: selects rows, repeats allowed; backward scatter-adds") {
  Var x(Tensor::fromVector({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6}), true);
  Tensor idx = Tensor::fromVector({4}, std::vector<int32_t>{2, 0, 2, 2});
  Var y = ops::gatherRows(x, idx);
  CHECK(y.shape() == Shape{4, 2});
  CHECK(y.value().toVector() == std::vector<float>{5, 6, 1, 2, 5, 6, 5, 6});
  backward(y, Tensor::fromVector({4, 2}, std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4}));
  CHECK(x.grad().toVector() == std::vector<float>{2, 2, 0, 0, 8, 8});
  Var e = ops::gatherRows(x, Tensor::fromVector({0}, std::vector<int32_t>{}));
  CHECK(e.shape() == Shape{0, 2});
}

TEST_CASE("ops/gatherRows: finite-difference gradient check") {
  // eps 1e-2, atol 2e-3, rtol 2e-2.
  Rng rng(17);
  Tensor idx = Tensor::fromVector({5}, std::vector<int32_t>{3, 0, 3, 1, 3});
  test::gradCheck("gatherRows", [&](const std::vector<Var>& in) { return ops::gatherRows(in[0], idx); },
                  {test::randomTensor({4, 2, 3}, rng)});
  Tensor one = Tensor::fromVector({1}, std::vector<int32_t>{0});
  test::gradCheck("gatherRows1", [&](const std::vector<Var>& in) { return ops::gatherRows(in[0], one); },
                  {test::randomTensor({1}, rng)});
}

TEST_CASE("ops/gatherRows: reference kernels agree bit for bit") {
  Rng rng(18);
  Tensor xv = test::randomTensor({40, 33}, rng);
  std::vector<int32_t> iv;
  for (int i = 0; i < 200; ++i) iv.push_back(int32_t(rng.below(40)));
  Tensor idx = Tensor::fromVector({200}, iv);
  Tensor seed = test::randomTensor({200, 33}, rng);
  Var a(xv, true), b(xv, true);
  backward(ops::gatherRows(a, idx), seed);
  kernels::setReferenceKernels(true);
  backward(ops::gatherRows(b, idx), seed);
  kernels::setReferenceKernels(false);
  CHECK(test::maxAbsDiff(a.grad(), b.grad()) == 0.f);
}

TEST_CASE("ops/gatherRows: errors name the op and the shapes") {
  Var x(Tensor::zeros({5, 3}));
  try {
    ops::gatherRows(x, Tensor::fromVector({2}, std::vector<int32_t>{1, 5}));
    FAIL("no exception");
  } catch (const ShapeError& e) {
    std::string m = e.what();
    CHECK(m.find("gatherRows") != std::string::npos);
    CHECK(m.find("index 5") != std::string::npos);
    CHECK(m.find("[5x3]") != std::string::npos);
  }
  try {
    ops::gatherRows(x, Tensor::fromVector({2, 1}, std::vector<int32_t>{1, 2}));
    FAIL("no exception");
  } catch (const ShapeError& e) {
    std::string m = e.what();
    CHECK(m.find("[5x3]") != std::string::npos);
    CHECK(m.find("[2x1]") != std::string::npos);
  }
}
