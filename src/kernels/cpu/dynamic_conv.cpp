// OpenMP dynamic convolution: parallel over batch x time rows, vectorised over the
// channels of one head (each tap is a scalar weight times a contiguous channel block).
#include <algorithm>

#include "kernels/backend.h"
#include "kernels/dynamic_conv.h"
#include "kernels/ref/dynamic_conv.h"

namespace lt::kernels {

namespace {

constexpr int64_t kParallelWork = 1 << 15;
constexpr int64_t kBlock = 64;

// out[c] (+)= sum_{i<nTaps} wt[i*wStride] * in0[i*inStride + c], c < n
void scalarTaps(float* out, const float* in0, int64_t inStride, const float* wt, int64_t wStride,
                int64_t nTaps, int64_t n, bool accumulate) {
  for (int64_t c0 = 0; c0 < n; c0 += kBlock) {
    const int64_t m = std::min(kBlock, n - c0);
    float acc[kBlock];
    for (int64_t c = 0; c < kBlock; ++c) acc[c] = 0.f;
    for (int64_t i = 0; i < nTaps; ++i) {
      const float* xr = in0 + i * inStride + c0;
      const float s = wt[i * wStride];
      if (m == kBlock) {
#pragma omp simd
        for (int64_t c = 0; c < kBlock; ++c) acc[c] += s * xr[c];
      } else {
        for (int64_t c = 0; c < m; ++c) acc[c] += s * xr[c];
      }
    }
    float* o = out + c0;
    if (accumulate) {
      for (int64_t c = 0; c < m; ++c) o[c] += acc[c];
    } else {
      for (int64_t c = 0; c < m; ++c) o[c] = acc[c];
    }
  }
}

}  // namespace

void dynamicConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y) {
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2), H = w.dim(2), k = w.dim(3);
  countMacs(B * T * C * k);
  if (referenceKernels()) return ref::dynamicConvForward(x, w, padLeft, y);
  const int64_t R = C / H;
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
#pragma omp parallel for schedule(static) if (B * T * C * k > kParallelWork)
  for (int64_t bt = 0; bt < B * T; ++bt) {
    const int64_t b = bt / T, t = bt % T;
    const int64_t jlo = std::max<int64_t>(0, padLeft - t);
    const int64_t jhi = std::min<int64_t>(k, T + padLeft - t);
    float* yr = yp + bt * C;
    if (jhi <= jlo) {
      std::fill(yr, yr + C, 0.f);
      continue;
    }
    const float* x0 = xp + (b * T + t + jlo - padLeft) * C;
    for (int64_t h = 0; h < H; ++h)
      scalarTaps(yr + h * R, x0 + h * R, C, wp + (bt * H + h) * k + jlo, 1, jhi - jlo, R, false);
  }
}

void dynamicConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx) {
  if (referenceKernels()) return ref::dynamicConvBackwardData(dy, w, padLeft, dx);
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = w.dim(2), k = w.dim(3);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* wp = w.data<float>();
  float* d = dx.data<float>();
#pragma omp parallel for schedule(static) if (B * T * C * k > kParallelWork)
  for (int64_t bs = 0; bs < B * T; ++bs) {
    const int64_t b = bs / T, s = bs % T;
    // contributions from t = s - j + padLeft in [0, T) with weight w[b, t, h, j]
    const int64_t jlo = std::max<int64_t>(0, s + padLeft - T + 1);
    const int64_t jhi = std::min<int64_t>(k, s + padLeft + 1);
    if (jhi <= jlo) continue;
    const int64_t t0 = s - jlo + padLeft;  // time of tap jlo; tap i reads time t0 - i
    const float* g0 = g + (b * T + t0) * C;
    // weight of tap i: w[b, t0 - i, h, jlo + i]: stride -(H*k) + 1 elements
    const int64_t wStride = 1 - H * k;
    for (int64_t h = 0; h < H; ++h)
      scalarTaps(d + bs * C + h * R, g0 + h * R, -C, wp + ((b * T + t0) * H + h) * k + jlo,
                 wStride, jhi - jlo, R, true);
  }
}

void dynamicConvBackwardKernel(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw) {
  if (referenceKernels()) return ref::dynamicConvBackwardKernel(dy, x, padLeft, dw);
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = dw.dim(2), k = dw.dim(3);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* xp = x.data<float>();
  float* d = dw.data<float>();
#pragma omp parallel for schedule(static) if (B * T * C * k > kParallelWork)
  for (int64_t bt = 0; bt < B * T; ++bt) {
    const int64_t b = bt / T, t = bt % T;
    const int64_t jlo = std::max<int64_t>(0, padLeft - t);
    const int64_t jhi = std::min<int64_t>(k, T + padLeft - t);
    const float* gr = g + bt * C;
    for (int64_t j = jlo; j < jhi; ++j) {
      const float* xr = xp + (b * T + t + j - padLeft) * C;
      for (int64_t h = 0; h < H; ++h) {
        float s = 0.f;
        const float* gh = gr + h * R;
        const float* xh = xr + h * R;
#pragma omp simd reduction(+ : s)
        for (int64_t c = 0; c < R; ++c) s += gh[c] * xh[c];
        d[(bt * H + h) * k + j] += s;
      }
    }
  }
}

void dynamicConvStep(const Tensor& window, const Tensor& w, Tensor& y) {
  const int64_t N = window.dim(0), k = window.dim(1), C = window.dim(2), H = w.dim(1);
  countMacs(N * C * k);
  if (referenceKernels()) return ref::dynamicConvStep(window, w, y);
  const int64_t R = C / H;
  const float* xp = window.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
#pragma omp parallel for schedule(static) if (N * C * k > kParallelWork)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t h = 0; h < H; ++h)
      scalarTaps(yp + n * C + h * R, xp + n * k * C + h * R, C, wp + (n * H + h) * k, 1, k, R,
                 false);
}

}  // namespace lt::kernels
