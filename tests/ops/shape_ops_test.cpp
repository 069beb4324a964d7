// ops transpose / reshape: values vs the reference, finite-difference
// gradients, round trips, views, shape errors.
#include <doctest/doctest.h>

#include <string>

#include "common/error.h"
#include "kernels/ref/transpose.h"
#include "ops/binary.h"
#include "ops/shape_ops.h"
#include "support/gradcheck.h"

using namespace lt;
using namespace lt::test;

TEST_CASE("ops::transpose values and round trip") {
  Rng rng(16);
  Tensor x = randomTensor(Shape{2, 5, 3, 4}, rng);
  std::vector<int> perm = {0, 2, 1, 3};
  Var y = ops::transpose(Var(x), perm);
  CHECK(y.shape() == Shape{2, 3, 5, 4});
  CHECK(y.value().toVector() == kernels::ref::transpose(x, perm).toVector());
  Var back = ops::transpose(ops::transpose(Var(x), {3, 0, 2, 1}), {1, 3, 2, 0});
  CHECK(back.value().toVector() == x.toVector());
}

TEST_CASE("ops::transpose / reshape gradients (finite differences)") {
  Rng rng(17);
  GradCheckOptions o;
  struct Case {
    Shape s;
    std::vector<int> perm;
  };
  for (const Case& c : {Case{Shape{3, 5}, {1, 0}}, Case{Shape{2, 3, 4}, {2, 0, 1}},
                        Case{Shape{2, 4, 3, 5}, {0, 2, 1, 3}}, Case{Shape{1, 3, 1}, {2, 1, 0}}}) {
    Tensor x = randomTensor(c.s, rng);
    std::vector<int> perm = c.perm;
    gradCheck("transpose " + c.s.toString(),
              [perm](const std::vector<Var>& v) { return ops::transpose(v[0], perm); }, {x}, o);
  }
  Tensor x = randomTensor(Shape{2, 3, 4}, rng);
  gradCheck("reshape", [](const std::vector<Var>& v) { return ops::reshape(v[0], Shape{4, 6}); }, {x}, o);
  // reshape feeding a broadcasting op: the gradient comes back in x's shape.
  Tensor b = randomTensor(Shape{6}, rng);
  gradCheck("reshape+mul", [](const std::vector<Var>& v) {
    return ops::mul(ops::reshape(v[0], Shape{4, 6}), v[1]);
  }, {x, b}, o);
}

TEST_CASE("ops::reshape is a view and accumulates gradients") {
  Rng rng(18);
  Tensor x = randomTensor(Shape{2, 6}, rng);
  Var v(x, true);
  Var r = ops::reshape(v, Shape{3, 4});
  CHECK(r.value().sharesStorage(x));
  // x used twice: directly and through the reshape.
  Var y = ops::add(ops::reshape(r, Shape{2, 6}), v);
  backward(y, Tensor::full(Shape{2, 6}, 1.f));
  for (int64_t i = 0; i < 12; ++i) CHECK(v.grad().data<float>()[i] == 2.f);
}

TEST_CASE("ops shape errors name the op and the shapes") {
  Var x(Tensor::zeros(Shape{2, 3}));
  try {
    ops::reshape(x, Shape{4, 2});
    FAIL("no ShapeError");
  } catch (const ShapeError& e) {
    std::string msg = e.what();
    CHECK(msg.find("reshape") != std::string::npos);
    CHECK(msg.find("[2x3]") != std::string::npos);
    CHECK(msg.find("[4x2]") != std::string::npos);
  }
  for (std::vector<int> perm : {std::vector<int>{0}, std::vector<int>{1, 1}, std::vector<int>{0, 2}}) {
    try {
      ops::transpose(x, perm);
      FAIL("no ShapeError");
    } catch (const ShapeError& e) {
      std::string msg = e.what();
      CHECK(msg.find("transpose") != std::string::npos);
      CHECK(msg.find("[2x3]") != std::string::npos);
    }
  }
}
