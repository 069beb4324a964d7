// kernels/concat.h: narrowAxis / insertAxis vs the reference on every axis.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "common/rng.h"
#include "kernels/concat.h"
#include "kernels/ref/concat.h"

using namespace lt;

namespace {
Tensor uniformTensor(const Shape& s, Rng& rng) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(-1.f, 1.f);
  return t;
}
bool sameBits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("kernels/concat: narrowAxis and insertAxis equal the reference on every axis") {
  Rng rng(12);
  std::vector<Shape> shapes = {{1}, {7}, {3, 5}, {2, 1, 9}, {4, 3, 5, 2}, {300, 513}};
  for (int k = 0; k < 4; ++k) {  // plus random shapes of rank 1-4, dims 1-9
    std::vector<int64_t> d(1 + rng.below(4));
    for (auto& x : d) x = int64_t(1 + rng.below(9));
    shapes.push_back(Shape(d));
  }
  for (const Shape& s : shapes) {
    Tensor big = uniformTensor(s, rng);
    for (int axis = 0; axis < s.rank(); ++axis) {
      int64_t n = s[axis];
      for (int64_t start = 0; start < n; start += std::max<int64_t>(1, n / 3)) {
        int64_t len = std::max<int64_t>(1, (n - start) / 2);
        Shape ws = s.with(axis, len);
        INFO(s.toString() << " axis " << axis << " start " << start << " len " << len);
        for (bool acc : {false, true}) {
          Tensor f = uniformTensor(ws, rng);
          Tensor r = f.clone();
          kernels::narrowAxis(big, axis, start, f, acc);
          kernels::ref::narrowAxis(big, axis, start, r, acc);
          CHECK(sameBits(f, r));
          Tensor bf = big.clone(), br = big.clone();
          kernels::insertAxis(f, axis, start, bf, acc);
          kernels::ref::insertAxis(f, axis, start, br, acc);
          CHECK(sameBits(bf, br));
        }
      }
    }
  }
}

TEST_CASE("kernels/concat: hand-worked narrow and insert on the middle axis") {
  // x [2x3x2] = 0..11; narrow axis 1, start 1, len 2 -> rows (2,3,4,5) and (8,9,10,11)
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[size_t(i)] = float(i);
  Tensor x = Tensor::fromVector({2, 3, 2}, v);
  Tensor w = Tensor::empty({2, 2, 2});
  kernels::narrowAxis(x, 1, 1, w, false);
  CHECK(w.toVector() == std::vector<float>{2, 3, 4, 5, 8, 9, 10, 11});
  Tensor z = Tensor::zeros({2, 3, 2});
  kernels::insertAxis(w, 1, 0, z, false);
  CHECK(z.toVector() == std::vector<float>{2, 3, 4, 5, 0, 0, 8, 9, 10, 11, 0, 0});
  kernels::insertAxis(w, 1, 1, z, true);
  CHECK(z.toVector() == std::vector<float>{2, 3, 6, 8, 4, 5, 8, 9, 18, 20, 10, 11});
  // int32 payloads copy as bytes
  Tensor xi = Tensor::fromVector({2, 2}, std::vector<int32_t>{1, 2, 3, 4});
  Tensor wi = Tensor::empty({2, 1}, DType::I32);
  kernels::narrowAxis(xi, 1, 1, wi, false);
  CHECK(wi.data<int32_t>()[0] == 2);
  CHECK(wi.data<int32_t>()[1] == 4);
}
