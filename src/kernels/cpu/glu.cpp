// GLU over the last axis, parallel over rows, vectorised across channels with a
// branch-free exp (same polynomial as cpu/cross_entropy.cpp).
#include "kernels/glu.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "kernels/backend.h"
#include "kernels/ref/glu.h"

namespace lt::kernels {

namespace {
// exp(x) as 2^n * p(r) (Cephes expf polynomial, ~2 ulp) for x in [-87.3, 88.3]; inputs
// are clamped to that range, so exp(-inf) gives 1.2e-38, not 0 (harmless in a sum of
// exps or a sigmoid). Branch-free and floor-free so that GCC vectorises it.
inline float expVec(float x) {
  float xc = std::min(std::max(x, -87.3f), 88.3f);
  constexpr float kRound = 12582912.f;  // 1.5 * 2^23: adding it rounds to an integer
  float fn = (xc * 1.44269504088896341f + kRound) - kRound;
  float r = xc - fn * 0.693359375f - fn * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  float e = std::fma(p, r * r, r) + 1.f;
  return e * std::bit_cast<float>((int32_t(fn) + 127) << 23);
}

inline float sigmoidVec(float v) { return 1.f / (1.f + expVec(-v)); }
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
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) o[j] = a[j] * sigmoidVec(b[j]);
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
    if (accumulate) {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        float s = sigmoidVec(b[j]);
        da[j] += gy[j] * s;
        db[j] += gy[j] * a[j] * s * (1.f - s);
      }
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        float s = sigmoidVec(b[j]);
        da[j] = gy[j] * s;
        db[j] = gy[j] * a[j] * s * (1.f - s);
      }
    }
  }
}

}  // namespace lt::kernels
