// kernels/quantize.h and kernels::matmulU8S8: hand-worked values, the fast paths bit for bit
// against the plain loops of kernels/ref, non-finite rows, in-place epilogue, shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common/error.h"
#include "common/rng.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "kernels/ref/matmul.h"
#include "kernels/ref/quantize.h"

using namespace lt;

namespace {
Tensor uniform(const Shape& s, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(s);
  for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = rng.uniform(lo, hi);
  return t;
}
bool sameBytes(const Tensor& a, const Tensor& b) {
  return a.bytes() == b.bytes() && std::memcmp(a.rawData(), b.rawData(), a.bytes()) == 0;
}
}  // namespace

TEST_CASE("kernels/quantize: hand-worked rows (ties to even, zero row, non-finite rows)") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  // 17 columns so the AVX-512 block and the scalar tail both run.
  std::vector<float> v(4 * 17, 0.f);
  v[0] = 1.f, v[1] = -0.5f, v[2] = 0.25f, v[16] = -1.f;  // a = 1: x·127 = 127, -63.5, 31.75, -127
  v[2 * 17 + 3] = nan;
  v[3 * 17 + 16] = -inf;
  Tensor x = Tensor::fromVector({4, 17}, v);
  for (bool reference : {false, true}) {
    Tensor q = Tensor::empty({4, 17}, DType::U8), s = Tensor::empty({4});
    (reference ? kernels::ref::quantizeRowsU8 : kernels::quantizeRowsU8)(x, q, s);
    const uint8_t* pq = q.data<uint8_t>();
    CHECK(s.data<float>()[0] == 1.f / 127.f);
    CHECK(int(pq[0]) == 255);
    CHECK(int(pq[1]) == 64);  // -63.5 rounds to the even -64
    CHECK(int(pq[2]) == 160);  // 31.75 -> 32
    CHECK(int(pq[3]) == 128);
    CHECK(int(pq[16]) == 1);
    CHECK(s.data<float>()[1] == 0.f);  // all-zero row
    for (int k = 0; k < 17; ++k) CHECK(int(pq[17 + k]) == 128);
    CHECK(std::isnan(s.data<float>()[2]));  // NaN and -Inf rows: scale NaN, not a finite lie
    CHECK(std::isnan(s.data<float>()[3]));
    for (int k = 0; k < 17; ++k) CHECK(int(pq[3 * 17 + k]) == 128);
  }
}

TEST_CASE("kernels/quantize: the fast row quantizer equals the reference bit for bit") {
  Rng rng(91);
  for (int64_t K : {1, 15, 16, 17, 33, 160, 512, 2051}) {
    for (int64_t M : {1, 3, 70}) {
      Tensor x = uniform({M, K}, rng, -3.f, 3.f);
      // Rows of very different magnitudes, and exact ties (k + 0.5)·a/127.
      for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) x.data<float>()[m * K + k] *= std::pow(10.f, float(m % 5) - 2.f);
      x.data<float>()[0] = 2.5f * 3.f / 127.f;
      Tensor qf = Tensor::empty({M, K}, DType::U8), qr = Tensor::empty({M, K}, DType::U8);
      Tensor sf = Tensor::empty({M}), sr = Tensor::empty({M});
      kernels::quantizeRowsU8(x, qf, sf);
      kernels::ref::quantizeRowsU8(x, qr, sr);
      CHECK_MESSAGE(sameBytes(qf, qr), "M " << M << " K " << K);
      CHECK_MESSAGE(sameBytes(sf, sr), "M " << M << " K " << K);
      // Dequantized values lie within half a step of x.
      double worst = 0;
      for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) {
          double back = (int(qf.data<uint8_t>()[m * K + k]) - 128) * double(sf.data<float>()[m]);
          worst = std::max(worst, std::fabs(back - x.data<float>()[m * K + k]) / sf.data<float>()[m]);
        }
      CHECK(worst <= 0.5 + 1e-4);
    }
  }
}

TEST_CASE("kernels/quantize: epilogue hand-worked, fast equals reference, in place") {
  // y = fma(float(acc - off), rs·cs, b): (300 - 256)·(0.5·0.25) + 1 = 6.5; (-10 - 0)·(0.5·2) - 1 = -11
  Tensor acc = Tensor::fromVector({1, 2}, std::vector<int32_t>{300, -10});
  Tensor rs = Tensor::fromVector({1}, std::vector<float>{0.5f});
  Tensor cs = Tensor::fromVector({2}, std::vector<float>{0.25f, 2.f});
  Tensor off = Tensor::fromVector({2}, std::vector<int32_t>{256, 0});
  Tensor b = Tensor::fromVector({2}, std::vector<float>{1.f, -1.f});
  Tensor y = Tensor::empty({1, 2});
  kernels::dequantizeRows(acc, rs, cs, off, b, false, y);
  CHECK(y.toVector() == std::vector<float>{6.5f, -11.f});
  kernels::dequantizeRows(acc, rs, cs, off, b, true, y);
  CHECK(y.toVector() == std::vector<float>{6.5f, 0.f});
  kernels::dequantizeRows(acc, rs, cs, off, Tensor(), false, y);
  CHECK(y.toVector() == std::vector<float>{5.5f, -10.f});

  Rng rng(92);
  for (int64_t N : {1, 16, 37, 512}) {
    const int64_t M = 9;
    Tensor a = Tensor::empty({M, N}, DType::I32), o = Tensor::empty({N}, DType::I32);
    for (int64_t i = 0; i < a.elements(); ++i) a.data<int32_t>()[i] = int32_t(rng.below(2000000)) - 1000000;
    for (int64_t i = 0; i < N; ++i) o.data<int32_t>()[i] = int32_t(rng.below(20000)) - 10000;
    Tensor r = uniform({M}, rng, 0.f, 0.1f), c = uniform({N}, rng, 0.f, 0.01f), bb = uniform({N}, rng, -1.f, 1.f);
    r.data<float>()[1] = std::nanf("");  // a NaN row stays NaN through relu
    for (bool relu : {false, true}) {
      Tensor yr = Tensor::empty({M, N});
      kernels::ref::dequantizeRows(a, r, c, o, bb, relu, yr);
      Tensor inPlace = a.clone();
      kernels::dequantizeRows(inPlace, r, c, o, bb, relu, inPlace.bitcast(DType::F32));
      CHECK_MESSAGE(sameBytes(inPlace, yr), "N " << N << " relu " << relu);
      for (int64_t n = 0; n < N; ++n) CHECK(std::isnan(yr.data<float>()[N + n]));
    }
  }
}

TEST_CASE("kernels::matmulU8S8: exact integer sums (oneDNN vs plain loop), padded ldb") {
  Rng rng(93);
  struct Case { int64_t M, N, K, ldb; };
  for (Case c : {Case{1, 1, 1, 1}, Case{3, 5, 7, 5}, Case{17, 40, 33, 48}, Case{64, 512, 512, 512},
                 Case{5, 160, 2048, 160}}) {
    Tensor a = Tensor::empty({c.M, c.K}, DType::U8), b = Tensor::empty({c.K, c.ldb}, DType::I8);
    for (int64_t i = 0; i < a.elements(); ++i) a.data<uint8_t>()[i] = uint8_t(rng.below(256));
    for (int64_t i = 0; i < b.elements(); ++i) b.data<int8_t>()[i] = int8_t(int(rng.below(255)) - 127);
    Tensor got = Tensor::empty({c.M, c.N}, DType::I32), want = Tensor::empty({c.M, c.N}, DType::I32);
    kernels::matmulU8S8(a, b, got);
    kernels::ref::matmulU8S8(a, b, want);
    CHECK_MESSAGE(sameBytes(got, want), "M " << c.M << " N " << c.N << " K " << c.K);
  }
  // Extremes: 255 · 127 · K without overflow in int32 for K = 2048.
  Tensor a = Tensor::empty({2, 2048}, DType::U8), b = Tensor::empty({2048, 3}, DType::I8);
  std::memset(a.rawData(), 255, a.bytes());
  for (int64_t i = 0; i < b.elements(); ++i) b.data<int8_t>()[i] = int8_t(i % 3 == 0 ? 127 : (i % 3 == 1 ? -127 : 1));
  Tensor c = Tensor::empty({2, 3}, DType::I32);
  kernels::matmulU8S8(a, b, c);
  CHECK(c.data<int32_t>()[0] == 255 * 127 * 2048);
  CHECK(c.data<int32_t>()[1] == -255 * 127 * 2048);
  CHECK(c.data<int32_t>()[2] == 255 * 2048);
  CHECK_THROWS_AS(kernels::matmulU8S8(Tensor::empty({2, 3}), b, c), ShapeError);
  CHECK_THROWS_AS(kernels::matmulU8S8(a, Tensor::empty({2047, 3}, DType::I8), c), ShapeError);
}

TEST_CASE("kernels/quantize: shape and dtype errors name the tensors") {
  Tensor x = Tensor::empty({2, 3});
  CHECK_THROWS_AS(kernels::quantizeRowsU8(x, Tensor::empty({2, 3}), Tensor::empty({2})), ShapeError);
  CHECK_THROWS_AS(kernels::quantizeRowsU8(x, Tensor::empty({2, 3}, DType::U8), Tensor::empty({3})), ShapeError);
  Tensor acc = Tensor::empty({2, 3}, DType::I32);
  CHECK_THROWS_AS(kernels::dequantizeRows(acc, Tensor::empty({2}), Tensor::empty({3}),
                                          Tensor::empty({2}, DType::I32), Tensor(), false, Tensor::empty({2, 3})),
                  ShapeError);
  CHECK_THROWS_AS(kernels::dequantizeRows(acc, Tensor::empty({2}), Tensor::empty({3}),
                                          Tensor::empty({3}, DType::I32), Tensor::empty({2}), false, Tensor::empty({2, 3})),
                  ShapeError);
}
