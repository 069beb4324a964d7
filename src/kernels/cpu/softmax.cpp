// Fused row softmax: per row, short passes over data in L1: add the mask,
// max, exponentiate (a Cephes-style polynomial the compiler vectorises, rel.
// error < 1e-7; libm's expf does not vectorise without -ffast-math), sum,
// normalise. Rows are split across OpenMP threads.
#include "kernels/cpu/softmax.h"

#include <omp.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace lt::kernels::cpu {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr int64_t kParallelMin = 16384;  // elements below which one thread runs
bool gPortable = false;

// e^x for x <= 0 (softmax arguments); 0 below -87 (including -inf). Cephes
// expf: x = n ln2 + r, |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n by
// building the exponent bits. Round-to-nearest of x*log2(e) uses the 1.5*2^23
// trick, and the bit casts are memcpy, so that GCC vectorises calling loops.
inline float expNonPositive(float x) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  float xc = std::max(x, -87.0f);
  float t = xc * 1.44269504088896341f + kMagic;
  int32_t ti;
  std::memcpy(&ti, &t, sizeof ti);
  float n = t - kMagic;
  float r = xc - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r + 1.0f;
  int32_t bits = (ti - 0x4B400000 + 127) << 23;  // ti - bits(kMagic) = n
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.0f ? 0.f : p * scale;
}

// Mask rows of a broadcast mask, walked like an odometer over x's leading
// dims (no division per row).
struct MaskWalker {
  const float* data = nullptr;
  std::vector<int64_t> dims, strides, idx;  // x's leading dims (all but last)
  int64_t lastStride = 0;  // 1, or 0 when the mask broadcasts the last dim
  int64_t off = 0;

  MaskWalker(const Shape& x, const Tensor& mask) {
    if (!mask.defined()) return;
    data = mask.data<float>();
    const Shape& m = mask.shape();
    int r = x.rank();
    std::vector<int64_t> st(static_cast<size_t>(r));
    int64_t s = 1;
    for (int d = r - 1; d >= 0; --d) {
      st[size_t(d)] = m[d] == 1 ? 0 : s;
      s *= m[d];
    }
    lastStride = st[size_t(r - 1)];
    for (int d = 0; d < r - 1; ++d) {
      dims.push_back(x[d]);
      strides.push_back(st[size_t(d)]);
    }
    idx.assign(dims.size(), 0);
  }
  void seek(int64_t r) {
    off = 0;
    for (int d = int(dims.size()) - 1; d >= 0; --d) {
      idx[size_t(d)] = r % dims[size_t(d)];
      off += idx[size_t(d)] * strides[size_t(d)];
      r /= dims[size_t(d)];
    }
  }
  void next() {
    for (int d = int(dims.size()) - 1; d >= 0; --d) {
      off += strides[size_t(d)];
      if (++idx[size_t(d)] < dims[size_t(d)]) return;
      off -= strides[size_t(d)] * dims[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
  const float* row() const { return data + off; }
};

// Max of a row, 16 independent lanes (a single running max is a serial
// dependency chain GCC does not vectorise).
float rowMax(const float* v, int64_t n) {
  constexpr int kLanes = 16;
  float lane[kLanes];
  for (int l = 0; l < kLanes; ++l) lane[l] = kNegInf;
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] = v[j + l] > lane[l] ? v[j + l] : lane[l];
  float mx = kNegInf;
  for (int l = 0; l < kLanes; ++l) mx = std::max(mx, lane[l]);
  for (; j < n; ++j) mx = std::max(mx, v[j]);
  return mx;
}

// y = softmax(x + m) of one row; m may be null, or broadcast (mStride 0).
void softmaxRow(const float* __restrict x, const float* __restrict m, int64_t mStride,
                float* __restrict y, int64_t n, bool logSoftmax) {
  const float* v = x;  // the logits, x + m when masked (then held in y)
  if (m) {
    if (mStride) {
      for (int64_t j = 0; j < n; ++j) y[j] = x[j] + m[j];
    } else {
      float mv = m[0];
      for (int64_t j = 0; j < n; ++j) y[j] = x[j] + mv;
    }
    v = y;
  }
  float mx = rowMax(v, n);
  if (mx == kNegInf) {  // fully masked row
    float fill = logSoftmax ? kNegInf : 0.f;
    for (int64_t j = 0; j < n; ++j) y[j] = fill;
    return;
  }
  float sum = 0.f;
  if (logSoftmax) {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j) sum += expNonPositive(v[j] - mx);
    float shift = mx + std::log(sum);
    for (int64_t j = 0; j < n; ++j) y[j] = v[j] - shift;
  } else {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j) {
      float e = expNonPositive(v[j] - mx);
      y[j] = e;
      sum += e;
    }
    float inv = 1.f / sum;
    for (int64_t j = 0; j < n; ++j) y[j] *= inv;
  }
}

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 reduce intrinsics
// AVX-512 version of softmaxRow: 16 lanes with masked loads and stores, so a
// short attention row (T = 30) is two vector steps per pass, with no scalar
// tail. Same polynomial as expNonPositive.
inline __m512 exp512(__m512 x) {
  const __m512 magic = _mm512_set1_ps(12582912.0f);
  __m512 xc = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
  __m512 t = _mm512_fmadd_ps(xc, _mm512_set1_ps(1.44269504088896341f), magic);
  __m512 n = _mm512_sub_ps(t, magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
  __m512 z = _mm512_mul_ps(r, r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_add_ps(_mm512_fmadd_ps(p, z, r), _mm512_set1_ps(1.0f));
  __m512i bits = _mm512_slli_epi32(
      _mm512_add_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(127 - 0x4B400000)), 23);
  __m512 e = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
  __mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(under, e, _mm512_setzero_ps());
}

inline __mmask16 tailMask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u);
}

void softmaxRow512(const float* x, const float* m, int64_t mStride, float* y, int64_t n,
                   bool logSoftmax) {
  const float* v = m ? y : x;
  __m512 vmax = _mm512_set1_ps(kNegInf);
  for (int64_t j = 0; j < n; j += 16) {
    __mmask16 k = tailMask(n - j);
    __m512 a = _mm512_maskz_loadu_ps(k, x + j);
    if (m) {
      a = _mm512_add_ps(a, mStride ? _mm512_maskz_loadu_ps(k, m + j) : _mm512_set1_ps(m[0]));
      _mm512_mask_storeu_ps(y + j, k, a);
    }
    vmax = _mm512_mask_max_ps(vmax, k, vmax, a);
  }
  float mx = _mm512_reduce_max_ps(vmax);
  if (mx == kNegInf) {  // fully masked row
    __m512 fill = _mm512_set1_ps(logSoftmax ? kNegInf : 0.f);
    for (int64_t j = 0; j < n; j += 16) _mm512_mask_storeu_ps(y + j, tailMask(n - j), fill);
    return;
  }
  __m512 vmx = _mm512_set1_ps(mx), vsum = _mm512_setzero_ps();
  for (int64_t j = 0; j < n; j += 16) {
    __mmask16 k = tailMask(n - j);
    __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, v + j), vmx));
    if (!logSoftmax) _mm512_mask_storeu_ps(y + j, k, e);
    vsum = _mm512_mask_add_ps(vsum, k, vsum, e);
  }
  float sum = _mm512_reduce_add_ps(vsum);
  if (logSoftmax) {
    __m512 shift = _mm512_set1_ps(mx + std::log(sum));
    for (int64_t j = 0; j < n; j += 16) {
      __mmask16 k = tailMask(n - j);
      _mm512_mask_storeu_ps(y + j, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, v + j), shift));
    }
  } else {
    __m512 inv = _mm512_set1_ps(1.f / sum);
    for (int64_t j = 0; j < n; j += 16) {
      __mmask16 k = tailMask(n - j);
      _mm512_mask_storeu_ps(y + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + j), inv));
    }
  }
}
// Rows of at most 64 (attention over short sentences) stay in registers: no
// store-then-reload of a masked store (which defeats store forwarding).
void softmaxRowShort512(const float* x, const float* m, int64_t mStride, float* y, int64_t n,
                        bool logSoftmax) {
  constexpr int kMaxVecs = 4;
  __m512 v[kMaxVecs];
  __mmask16 km[kMaxVecs];
  const __m512 ninf = _mm512_set1_ps(kNegInf);
  __m512 vmax = ninf;
#pragma GCC unroll 4
  for (int i = 0; i < kMaxVecs; ++i) {
    int64_t j = int64_t(i) * 16;
    km[i] = j < n ? tailMask(n - j) : __mmask16(0);
    __m512 a = _mm512_maskz_loadu_ps(km[i], x + j);
    if (m) a = _mm512_add_ps(a, mStride ? _mm512_maskz_loadu_ps(km[i], m + j) : _mm512_set1_ps(m[0]));
    v[i] = _mm512_mask_mov_ps(ninf, km[i], a);
    vmax = _mm512_max_ps(vmax, v[i]);
  }
  float mx = _mm512_reduce_max_ps(vmax);
  if (mx == kNegInf) {  // fully masked row
    __m512 fill = _mm512_set1_ps(logSoftmax ? kNegInf : 0.f);
    for (int i = 0; i < kMaxVecs; ++i) _mm512_mask_storeu_ps(y + i * 16, km[i], fill);
    return;
  }
  __m512 vmx = _mm512_set1_ps(mx), vsum = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int i = 0; i < kMaxVecs; ++i) {
    __m512 d = _mm512_sub_ps(v[i], vmx);
    __m512 e = exp512(d);  // lanes past n: exp(-inf) = 0
    vsum = _mm512_add_ps(vsum, e);
    if (!logSoftmax) v[i] = e;
  }
  float sum = _mm512_reduce_add_ps(vsum);
  if (logSoftmax) {
    __m512 shift = _mm512_set1_ps(mx + std::log(sum));
#pragma GCC unroll 4
    for (int i = 0; i < kMaxVecs; ++i)
      _mm512_mask_storeu_ps(y + i * 16, km[i], _mm512_sub_ps(v[i], shift));
  } else {
    __m512 inv = _mm512_set1_ps(1.f / sum);
#pragma GCC unroll 4
    for (int i = 0; i < kMaxVecs; ++i)
      _mm512_mask_storeu_ps(y + i * 16, km[i], _mm512_mul_ps(v[i], inv));
  }
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void setPortableSoftmax(bool on) { gPortable = on; }

Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax) {
  const Shape& s = x.shape();
  int64_t n = s[-1];
  int64_t rows = n ? s.elements() / n : 0;
  Tensor y = Tensor::empty(s);
  const float* px = x.data<float>();
  float* py = y.data<float>();
  const MaskWalker walker(s, mask);
#pragma omp parallel if (rows * n >= kParallelMin)
  {
    // Contiguous row block per thread; the mask row follows by odometer steps.
    int nt = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    MaskWalker mw = walker;
    if (mw.data) mw.seek(r0);
    for (int64_t r = r0; r < r1; ++r) {
      const float* m = mw.data ? mw.row() : nullptr;
#if defined(__AVX512F__)
      if (!gPortable && n <= 64) {
        softmaxRowShort512(px + r * n, m, mw.lastStride, py + r * n, n, logSoftmax);
      } else if (!gPortable) {
        softmaxRow512(px + r * n, m, mw.lastStride, py + r * n, n, logSoftmax);
      } else {
        softmaxRow(px + r * n, m, mw.lastStride, py + r * n, n, logSoftmax);
      }
#else
      softmaxRow(px + r * n, m, mw.lastStride, py + r * n, n, logSoftmax);
#endif
      if (mw.data) mw.next();
    }
  }
  return y;
}

Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax) {
  const Shape& s = y.shape();
  int64_t n = s[-1];
  int64_t rows = n ? s.elements() / n : 0;
  Tensor dx = Tensor::empty(s);
  const float* py = y.data<float>();
  const float* pd = dy.data<float>();
  float* px = dx.data<float>();
#pragma omp parallel for schedule(static) if (rows * n >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = py + r * n;
    const float* dr = pd + r * n;
    float* xr = px + r * n;
    float acc = 0.f;
    if (logSoftmax) {
      // Masked elements (y = -inf) do not depend on x: they take no gradient
      // and their dy is left out of the sum (a fully masked row gives zeros).
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < n; ++j) acc += yr[j] == kNegInf ? 0.f : dr[j];
      for (int64_t j = 0; j < n; ++j)
        xr[j] = yr[j] == kNegInf ? 0.f : dr[j] - expNonPositive(yr[j]) * acc;
    } else {
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < n; ++j) acc += dr[j] * yr[j];
      for (int64_t j = 0; j < n; ++j) xr[j] = yr[j] * (dr[j] - acc);
    }
  }
  return dx;
}

}  // namespace lt::kernels::cpu
