// OpenMP lightweight convolution: vectorised over channels (the weights are expanded once
// to a per-channel [k, C] table so the inner loop is a contiguous fused multiply-add),
// parallel over batch x time rows.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/rng.h"
#include "kernels/backend.h"
#include "kernels/lightconv.h"
#include "kernels/ref/lightconv.h"

namespace lt::kernels {

namespace {

constexpr int64_t kParallelWork = 1 << 15;  // MACs below which threads cost more than they save
constexpr int64_t kBlock = 64;             // channels kept in registers per pass

// wc[j*C + c] = w[h(c), j]
std::vector<float> expandWeights(const Tensor& w, int64_t C) {
  const int64_t H = w.dim(0), k = w.dim(1), R = C / H;
  const float* wp = w.data<float>();
  std::vector<float> wc(static_cast<size_t>(k * C));
  for (int64_t j = 0; j < k; ++j)  // head-major channels: no division per element
    for (int64_t h = 0; h < H; ++h)
      std::fill_n(wc.data() + j * C + h * R, R, wp[h * k + j]);
  return wc;
}

// out[c] (+)= sum_{i<nTaps} wc[i*C + c] * in0[i*inStride + c]
void taps(float* out, const float* in0, int64_t inStride, const float* wc, int64_t nTaps,
          int64_t C, bool accumulate) {
  for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
    const int64_t n = std::min(kBlock, C - c0);
    float acc[kBlock];
    for (int64_t c = 0; c < kBlock; ++c) acc[c] = 0.f;
    for (int64_t i = 0; i < nTaps; ++i) {
      const float* xr = in0 + i * inStride + c0;
      const float* wr = wc + i * C + c0;
      if (n == kBlock) {
#pragma omp simd
        for (int64_t c = 0; c < kBlock; ++c) acc[c] += wr[c] * xr[c];
      } else {
#pragma omp simd
        for (int64_t c = 0; c < n; ++c) acc[c] += wr[c] * xr[c];
      }
    }
    float* o = out + c0;
    if (accumulate) {
      for (int64_t c = 0; c < n; ++c) o[c] += acc[c];
    } else {
      for (int64_t c = 0; c < n; ++c) o[c] = acc[c];
    }
  }
}

}  // namespace

Tensor stepConvKernel(const Tensor& raw, bool softmax, int64_t oldest) {
  Tensor wn = Tensor::empty(raw.shape());
  Tensor w = Tensor::empty(raw.shape());
  normalizeConvKernel(raw, softmax, 0.f, 0, 0, wn, w);
  if (oldest == 0) return w;
  const int64_t k = w.dim(-1), rows = w.elements() / k;
  const float* src = w.data<float>();
  float* dst = wn.data<float>();  // free after normalising: holds the rotation
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) dst[r * k + (oldest + j) % k] = src[r * k + j];
  return wn;
}

void normalizeConvKernel(const Tensor& raw, bool softmax, float p, uint64_t seed,
                         uint64_t stream, Tensor& wn, Tensor& w) {
  if (referenceKernels()) return ref::normalizeConvKernel(raw, softmax, p, seed, stream, wn, w);
  const int64_t k = raw.dim(-1);
  const int64_t rows = raw.elements() / k;
  const float* r = raw.data<float>();
  float* a = wn.data<float>();
  float* o = w.data<float>();
  const float keep = p > 0.f ? 1.f / (1.f - p) : 1.f;
#pragma omp parallel for schedule(static) if (rows * k > kParallelWork / 4)
  for (int64_t i = 0; i < rows; ++i) {
    const float* ri = r + i * k;
    float* ai = a + i * k;
    float* oi = o + i * k;
    if (softmax) {
      float mx = ri[0];
      for (int64_t j = 1; j < k; ++j) mx = std::max(mx, ri[j]);
      float s = 0.f;
      for (int64_t j = 0; j < k; ++j) {
        ai[j] = std::exp(ri[j] - mx);
        s += ai[j];
      }
      const float inv = 1.f / s;
      for (int64_t j = 0; j < k; ++j) ai[j] *= inv;
    } else {
      for (int64_t j = 0; j < k; ++j) ai[j] = ri[j];
    }
    for (int64_t j = 0; j < k; ++j) {
      if (p > 0.f)
        oi[j] = philoxUniform(seed, stream, uint64_t(i * k + j)) < p ? 0.f : ai[j] * keep;
      else
        oi[j] = ai[j];
    }
  }
}

void normalizeConvKernelBackward(const Tensor& dw, const Tensor& wn, bool softmax, float p,
                                 uint64_t seed, uint64_t stream, Tensor& draw) {
  if (referenceKernels())
    return ref::normalizeConvKernelBackward(dw, wn, softmax, p, seed, stream, draw);
  const int64_t k = wn.dim(-1);
  const int64_t rows = wn.elements() / k;
  const float* g = dw.data<float>();
  const float* a = wn.data<float>();
  float* d = draw.data<float>();
  const float keep = p > 0.f ? 1.f / (1.f - p) : 1.f;
#pragma omp parallel for schedule(static) if (rows * k > kParallelWork / 4)
  for (int64_t i = 0; i < rows; ++i) {
    float gn[256];
    std::vector<float> big;
    float* gi = gn;
    if (k > 256) {
      big.resize(size_t(k));
      gi = big.data();
    }
    float dot = 0.f;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t e = i * k + j;
      float v = g[e];
      if (p > 0.f) v = philoxUniform(seed, stream, uint64_t(e)) < p ? 0.f : v * keep;
      gi[j] = v;
      dot += v * a[e];
    }
    for (int64_t j = 0; j < k; ++j) {
      const int64_t e = i * k + j;
      d[e] += softmax ? a[e] * (gi[j] - dot) : gi[j];
    }
  }
}

void lightConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y) {
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2), k = w.dim(1);
  countMacs(B * T * C * k);
  if (referenceKernels()) return ref::lightConvForward(x, w, padLeft, y);
  const std::vector<float> wc = expandWeights(w, C);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
#pragma omp parallel for schedule(static) if (B * T * C * k > kParallelWork)
  for (int64_t bt = 0; bt < B * T; ++bt) {
    const int64_t b = bt / T, t = bt % T;
    // taps j with 0 <= t + j - padLeft < T
    const int64_t jlo = std::max<int64_t>(0, padLeft - t);
    const int64_t jhi = std::min<int64_t>(k, T + padLeft - t);
    float* yr = yp + bt * C;
    if (jhi <= jlo) {
      std::fill(yr, yr + C, 0.f);
      continue;
    }
    taps(yr, xp + (b * T + t + jlo - padLeft) * C, C, wc.data() + jlo * C, jhi - jlo, C, false);
  }
}

void lightConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx) {
  if (referenceKernels()) return ref::lightConvBackwardData(dy, w, padLeft, dx);
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), k = w.dim(1);
  const std::vector<float> wc = expandWeights(w, C);
  const float* g = dy.data<float>();
  float* d = dx.data<float>();
#pragma omp parallel for schedule(static) if (B * T * C * k > kParallelWork)
  for (int64_t bs = 0; bs < B * T; ++bs) {
    const int64_t b = bs / T, s = bs % T;
    // dx[s] += sum_j w[j] dy[t], t = s - j + padLeft in [0, T)
    const int64_t jlo = std::max<int64_t>(0, s + padLeft - T + 1);
    const int64_t jhi = std::min<int64_t>(k, s + padLeft + 1);
    if (jhi <= jlo) continue;
    taps(d + bs * C, g + (b * T + s - jlo + padLeft) * C, -C, wc.data() + jlo * C, jhi - jlo, C,
         true);
  }
}

void lightConvBackwardWeight(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw) {
  if (referenceKernels()) return ref::lightConvBackwardWeight(dy, x, padLeft, dw);
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = dw.dim(0), k = dw.dim(1);
  const int64_t R = C / H;
  const int64_t rows = B * T;
  const bool par = rows * C * k > kParallelWork;
  // Fixed contiguous row chunks, each with its own per-channel accumulator, summed in chunk
  // order: deterministic for a given thread count.
  const int64_t nChunks = par ? std::min<int64_t>(rows, omp_get_max_threads()) : 1;
  std::vector<float> acc(static_cast<size_t>(nChunks * k * C), 0.f);
  const float* g = dy.data<float>();
  const float* xp = x.data<float>();
#pragma omp parallel for schedule(static, 1) if (par)
  for (int64_t ch = 0; ch < nChunks; ++ch) {
    float* a = acc.data() + ch * k * C;
    const int64_t r0 = rows * ch / nChunks, r1 = rows * (ch + 1) / nChunks;
    for (int64_t bt = r0; bt < r1; ++bt) {
      const int64_t b = bt / T, t = bt % T;
      const int64_t jlo = std::max<int64_t>(0, padLeft - t);
      const int64_t jhi = std::min<int64_t>(k, T + padLeft - t);
      const float* gr = g + bt * C;
      for (int64_t j = jlo; j < jhi; ++j) {
        const float* xr = xp + (b * T + t + j - padLeft) * C;
        float* aj = a + j * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) aj[c] += gr[c] * xr[c];
      }
    }
  }
  float* d = dw.data<float>();
  for (int64_t ch = 1; ch < nChunks; ++ch) {
    const float* a = acc.data() + ch * k * C;
    for (int64_t e = 0; e < k * C; ++e) acc[size_t(e)] += a[e];
  }
  for (int64_t h = 0; h < H; ++h)
    for (int64_t j = 0; j < k; ++j) {
      float s = 0.f;
      for (int64_t c = h * R; c < (h + 1) * R; ++c) s += acc[size_t(j * C + c)];
      d[h * k + j] += s;
    }
}

void lightConvStep(const Tensor& window, const Tensor& w, Tensor& y) {
  const int64_t N = window.dim(0), k = window.dim(1), C = window.dim(2);
  countMacs(N * C * k);
  if (referenceKernels()) return ref::lightConvStep(window, w, y);
  const std::vector<float> wc = expandWeights(w, C);
  const float* xp = window.data<float>();
  float* yp = y.data<float>();
#pragma omp parallel for schedule(static) if (N * C * k > kParallelWork)
  for (int64_t n = 0; n < N; ++n) taps(yp + n * C, xp + n * k * C, C, wc.data(), k, C, false);
}

}  // namespace lt::kernels
