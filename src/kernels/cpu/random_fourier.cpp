// RFA sin/cos features: one pass per (head, row), OpenMP over rows. The backward recomputes
// the projections instead of keeping them (they cost one dh-dot each).
#include "kernels/random_fourier.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/backend.h"

namespace lt::kernels {

namespace {
constexpr float kMinNorm = 1e-6f;

// d[i] = w_i · x / max(|x|, kMinNorm); returns |x|.
float project(const float* x, const float* w, int64_t m, int64_t dh, float* d) {
  float n2 = 0.f;
  for (int64_t c = 0; c < dh; ++c) n2 += x[c] * x[c];
  const float norm = std::sqrt(n2);
  const float inv = 1.f / std::max(norm, kMinNorm);
  for (int64_t i = 0; i < m; ++i) {
    const float* wi = w + i * dh;
    float acc = 0.f;
#pragma omp simd reduction(+ : acc)
    for (int64_t c = 0; c < dh; ++c) acc += wi[c] * x[c];
    d[i] = acc * inv;
  }
  return norm;
}
}  // namespace

void randomFourierForward(const Tensor& x, const Tensor& w, const Tensor& s, Tensor& y) {
  const int64_t H = x.dim(0), N = x.dim(1), dh = x.dim(2), m = w.dim(1);
  countMacs(H * N * m * dh);
  const float c = 1.f / std::sqrt(float(m));
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  const float* sp = s.data<float>();
  float* yp = y.data<float>();
#pragma omp parallel if (H * N * m * dh > 65536)
  {
    std::vector<float> d(static_cast<size_t>(m));
#pragma omp for schedule(static)
    for (int64_t hn = 0; hn < H * N; ++hn) {
      const int64_t h = hn / N;
      project(xp + hn * dh, wp + h * m * dh, m, dh, d.data());
      float* out = yp + hn * 2 * m;
      for (int64_t i = 0; i < m; ++i) {
        const float a = sp[h] * d[size_t(i)];
        out[i] = c * std::sin(a);
        out[m + i] = c * std::cos(a);
      }
    }
  }
}

void randomFourierBackward(const Tensor& x, const Tensor& w, const Tensor& s, const Tensor& dy,
                           Tensor& dx, Tensor* ds) {
  const int64_t H = x.dim(0), N = x.dim(1), dh = x.dim(2), m = w.dim(1);
  countMacs(2 * H * N * m * dh);
  const float c = 1.f / std::sqrt(float(m));
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  const float* sp = s.data<float>();
  const float* gp = dy.data<float>();
  float* dxp = dx.data<float>();
  std::vector<float> dsRow(static_cast<size_t>(H * N), 0.f);  // per-row ds terms, summed serially
#pragma omp parallel if (H * N * m * dh > 65536)
  {
    std::vector<float> d(static_cast<size_t>(m)), gu(static_cast<size_t>(dh));
#pragma omp for schedule(static)
    for (int64_t hn = 0; hn < H * N; ++hn) {
      const int64_t h = hn / N;
      const float* xr = xp + hn * dh;
      const float* wh = wp + h * m * dh;
      const float norm = project(xr, wh, m, dh, d.data());
      const float inv = 1.f / std::max(norm, kMinNorm);
      const float* g = gp + hn * 2 * m;
      std::fill(gu.begin(), gu.end(), 0.f);
      float dsAcc = 0.f;
      for (int64_t i = 0; i < m; ++i) {
        const float a = sp[h] * d[size_t(i)];
        const float ga = c * (std::cos(a) * g[i] - std::sin(a) * g[m + i]);
        dsAcc += ga * d[size_t(i)];
        const float f = ga * sp[h];
        const float* wi = wh + i * dh;
#pragma omp simd
        for (int64_t k = 0; k < dh; ++k) gu[size_t(k)] += f * wi[k];
      }
      dsRow[size_t(hn)] = dsAcc;
      // dx = inv · (gu - u (u·gu)) with u = x·inv; inside the clamp (|x| < kMinNorm) u = x·inv
      // is linear in x and dx = inv · gu.
      float ug = 0.f;
      for (int64_t k = 0; k < dh; ++k) ug += xr[k] * gu[size_t(k)];
      const bool clamped = norm < kMinNorm;
      float* o = dxp + hn * dh;
      for (int64_t k = 0; k < dh; ++k)
        o[k] = inv * (gu[size_t(k)] - (clamped ? 0.f : xr[k] * inv * ug * inv));
    }
  }
  if (ds) {
    float* dsp = ds->data<float>();
    for (int64_t h = 0; h < H; ++h) {
      double acc = 0;
      for (int64_t n = 0; n < N; ++n) acc += dsRow[size_t(h * N + n)];
      dsp[h] += float(acc);
    }
  }
}

}  // namespace lt::kernels
