// GLU over the last axis, parallel over rows, vectorised across channels with a
// branch-free exp (same polynomial as cpu/cross_entropy.cpp).
#include "kernels/glu.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "kernels/backend.h"
#include "kernels/cpu/vec_math.h"
#include "kernels/ref/glu.h"

// Exp-heavy loops: 512-bit vectors measured ~15% less CPU time than the default 256 on
// AVX-512 machines (no effect elsewhere).
#pragma GCC target("prefer-vector-width=512")

namespace lt::kernels {

namespace {
using vec::expVec;
using vec::kExpHi;
using vec::kExpLo;
using vec::kTile;

// buf[k] = exp(-b[k]) for k < len, with the argument clamped to expVec's range.
inline void expNeg(const float* b, int64_t len, float* buf) {
#pragma omp simd
  for (int64_t k = 0; k < len; ++k) {
    float c = -b[k];
    c = c > kExpLo ? c : kExpLo;
    buf[k] = c < kExpHi ? c : kExpHi;
  }
#pragma omp simd
  for (int64_t k = 0; k < len; ++k) buf[k] = expVec(buf[k]);
}
}  // namespace

void gluForward(const Tensor& x, Tensor& y) {
  if (referenceKernels()) return ref::gluForward(x, y);
  int64_t c = y.dim(-1);
  int64_t rows = c ? y.elements() / c : 0;
  const float* in = x.data<float>();
  float* out = y.data<float>();
#pragma omp parallel for schedule(static) if (rows * c > 16384)
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = in + r * 2 * c;
    const float* b = a + c;
    float* o = out + r * c;
    alignas(64) float e[kTile];
    for (int64_t j0 = 0; j0 < c; j0 += kTile) {
      int64_t len = std::min(kTile, c - j0);
      expNeg(b + j0, len, e);
#pragma omp simd
      for (int64_t k = 0; k < len; ++k) o[j0 + k] = a[j0 + k] / (1.f + e[k]);
    }
  }
}

void gluBackward(const Tensor& x, const Tensor& dy, Tensor& dx, bool accumulate) {
  if (referenceKernels()) return ref::gluBackward(x, dy, dx, accumulate);
  int64_t c = dy.dim(-1);
  int64_t rows = c ? dy.elements() / c : 0;
  const float* in = x.data<float>();
  const float* g = dy.data<float>();
  float* gx = dx.data<float>();
#pragma omp parallel for schedule(static) if (rows * c > 16384)
  for (int64_t r = 0; r < rows; ++r) {
    const float* a = in + r * 2 * c;
    const float* b = a + c;
    const float* gy = g + r * c;
    float* da = gx + r * 2 * c;
    float* db = da + c;
    alignas(64) float e[kTile];
    for (int64_t j0 = 0; j0 < c; j0 += kTile) {
      int64_t len = std::min(kTile, c - j0);
      expNeg(b + j0, len, e);
      const float* aj = a + j0;
      const float* gj = gy + j0;
      float* daj = da + j0;
      float* dbj = db + j0;
      // s = 1 / (1 + e); 1 - s = e * s (no cancellation near s = 1)
      if (accumulate) {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) {
          float s = 1.f / (1.f + e[k]);
          daj[k] += gj[k] * s;
          dbj[k] += gj[k] * aj[k] * s * (e[k] * s);
        }
      } else {
#pragma omp simd
        for (int64_t k = 0; k < len; ++k) {
          float s = 1.f / (1.f + e[k]);
          daj[k] = gj[k] * s;
          dbj[k] = gj[k] * aj[k] * s * (e[k] * s);
        }
      }
    }
  }
}

}  // namespace lt::kernels
