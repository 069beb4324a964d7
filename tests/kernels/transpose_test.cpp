// kernels transpose (oneDNN reorder) against the plain-loop oracle.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/rng.h"
#include "kernels/ref/transpose.h"
#include "kernels/transpose.h"

using namespace lt;
using namespace lt::kernels;

TEST_CASE("transpose kernel: hand-worked 2-D") {
  Tensor x = Tensor::fromVector(Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor y = transpose(x, {1, 0});
  CHECK(y.shape() == Shape{3, 2});
  CHECK(y.toVector() == std::vector<float>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("transpose kernel: permutations match reference") {
  Rng rng(61);
  std::vector<std::pair<Shape, std::vector<int>>> cases = {
      {Shape{7}, {0}},
      {Shape{3, 5}, {0, 1}},
      {Shape{2, 3, 4}, {2, 0, 1}},
      {Shape{2, 3, 4}, {0, 2, 1}},
      {Shape{2, 3, 4}, {1, 0, 2}},
      {Shape{4, 9, 2, 8}, {0, 2, 1, 3}},  // [B,T,H,d] -> [B,H,T,d]
      {Shape{4, 2, 9, 8}, {0, 2, 1, 3}},
      {Shape{4, 2, 9, 8}, {0, 1, 3, 2}},
      {Shape{1, 3, 1, 5}, {3, 2, 1, 0}},
      {Shape{2, 1, 3}, {1, 2, 0}},
      {Shape{2, 3, 1, 4, 2}, {4, 0, 3, 2, 1}},
      {Shape{2, 2, 3, 1, 2, 3}, {5, 4, 3, 2, 1, 0}},
      {Shape{64, 30, 8, 64}, {0, 2, 1, 3}}};
  for (auto& [s, perm] : cases) {
    Tensor x = Tensor::empty(s);
    for (int64_t i = 0; i < x.elements(); ++i) x.data<float>()[i] = rng.uniform(-1.f, 1.f);
    Tensor yf = transpose(x, perm), yr = ref::transpose(x, perm);
    INFO(s.toString() << " perm " << perm.size());
    REQUIRE(yf.shape() == yr.shape());
    CHECK(yf.toVector() == yr.toVector());  // a copy: bit-exact
  }
}
