// Fused row softmax: per row, short passes over data in L1: add the mask,
// max, exponentiate (a Cephes-style polynomial the compiler vectorises, rel.
// error < 1e-7; libm's expf does not vectorise without -ffast-math), sum,
// normalise. Rows are split across OpenMP threads. Intrinsic rows for AVX-512 and AVX2+FMA
// builds (the portable loop stays as the fallback and the tested alternative).
#include "kernels/cpu/softmax.h"

#include <omp.h>
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/cpu/vec_math.h"

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
  using namespace vec;
  float xc = std::max(x, -87.0f);
  float t = xc * kLog2e + kExpRound;
  int32_t ti;
  std::memcpy(&ti, &t, sizeof ti);
  float n = t - kExpRound;
  float r = xc - n * kLn2Hi;
  r = r + n * kLn2Lo;
  float z = r * r;
  float p = kExpP[0];
  p = p * r + kExpP[1];
  p = p * r + kExpP[2];
  p = p * r + kExpP[3];
  p = p * r + kExpP[4];
  p = p * r + kExpP[5];
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
// shiftOnly (log-softmax only): store the row's shift (log-softmax = x - shift, +inf for a
// fully masked row) there and skip the pass that writes y.
void softmaxRow(const float* __restrict x, const float* __restrict m, int64_t mStride,
                float* __restrict y, int64_t n, bool logSoftmax, float* shiftOnly = nullptr) {
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
    if (shiftOnly) {
      *shiftOnly = -kNegInf;
      return;
    }
    float fill = logSoftmax ? kNegInf : 0.f;
    for (int64_t j = 0; j < n; ++j) y[j] = fill;
    return;
  }
  float sum = 0.f;
  if (logSoftmax) {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j) sum += expNonPositive(v[j] - mx);
    float shift = mx + std::log(sum);
    if (shiftOnly) {
      *shiftOnly = shift;
      return;
    }
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
  using namespace vec;
  const __m512 magic = _mm512_set1_ps(kExpRound);
  __m512 xc = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
  __m512 t = _mm512_fmadd_ps(xc, _mm512_set1_ps(kLog2e), magic);
  __m512 n = _mm512_sub_ps(t, magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), xc);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 z = _mm512_mul_ps(r, r);
  __m512 p = _mm512_set1_ps(kExpP[0]);
  for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP[i]));
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
                   bool logSoftmax, float* shiftOnly = nullptr) {
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
    if (shiftOnly) {
      *shiftOnly = -kNegInf;
      return;
    }
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
    if (shiftOnly) {
      *shiftOnly = mx + std::log(sum);
      return;
    }
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
                        bool logSoftmax, float* shiftOnly = nullptr) {
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
    if (shiftOnly) {
      *shiftOnly = -kNegInf;
      return;
    }
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
    if (shiftOnly) {
      *shiftOnly = mx + std::log(sum);
      return;
    }
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


#if defined(__AVX2__) && defined(__FMA__) && !defined(__AVX512F__)
// AVX2 version of softmaxRow (8 lanes; the tail through masked loads and stores). GCC
// leaves the portable row's exp loop scalar, which made log-softmax over a 10k vocabulary
// 4% of a decoding profile on an AVX2 machine. Same polynomial as expNonPositive.
inline __m256 exp256(__m256 x) {
  using namespace vec;
  const __m256 magic = _mm256_set1_ps(kExpRound);
  __m256 xc = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  __m256 t = _mm256_fmadd_ps(xc, _mm256_set1_ps(kLog2e), magic);
  __m256 n = _mm256_sub_ps(t, magic);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), xc);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 z = _mm256_mul_ps(r, r);
  __m256 p = _mm256_set1_ps(kExpP[0]);
  for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP[i]));
  p = _mm256_add_ps(_mm256_fmadd_ps(p, z, r), _mm256_set1_ps(1.0f));
  __m256i bits = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127 - 0x4B400000)), 23);
  __m256 e = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
  __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_LT_OQ);
  return _mm256_andnot_ps(under, e);
}

// Lane mask for the last `left` (< 8) elements: all ones in lanes [0, left).
inline __m256i tailMask256(int64_t left) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(left)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline float hmax256(__m256 v) {
  __m128 a = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  a = _mm_max_ps(a, _mm_movehl_ps(a, a));
  a = _mm_max_ss(a, _mm_movehdup_ps(a));
  return _mm_cvtss_f32(a);
}

inline float hsum256(__m256 v) {
  __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  a = _mm_add_ps(a, _mm_movehl_ps(a, a));
  a = _mm_add_ss(a, _mm_movehdup_ps(a));
  return _mm_cvtss_f32(a);
}

void softmaxRow256(const float* x, const float* m, int64_t mStride, float* y, int64_t n,
                   bool logSoftmax, float* shiftOnly = nullptr) {
  const float* v = m ? y : x;
  const int64_t nv = n / 8 * 8;
  const __m256 ninf = _mm256_set1_ps(kNegInf);
  const __m256i tail = tailMask256(n - nv);
  __m256 vmax0 = ninf, vmax1 = ninf;
  auto load = [&](int64_t j) {
    __m256 a = _mm256_loadu_ps(x + j);
    if (m) {
      a = _mm256_add_ps(a, mStride ? _mm256_loadu_ps(m + j) : _mm256_set1_ps(m[0]));
      _mm256_storeu_ps(y + j, a);
    }
    return a;
  };
  int64_t j = 0;
  for (; j + 16 <= nv; j += 16) {
    vmax0 = _mm256_max_ps(vmax0, load(j));
    vmax1 = _mm256_max_ps(vmax1, load(j + 8));
  }
  for (; j < nv; j += 8) vmax0 = _mm256_max_ps(vmax0, load(j));
  if (nv < n) {
    __m256 a = _mm256_maskload_ps(x + nv, tail);
    if (m) {
      a = _mm256_add_ps(a, mStride ? _mm256_maskload_ps(m + nv, tail) : _mm256_set1_ps(m[0]));
      _mm256_maskstore_ps(y + nv, tail, a);
    }
    vmax0 = _mm256_max_ps(vmax0, _mm256_blendv_ps(ninf, a, _mm256_castsi256_ps(tail)));
  }
  float mx = hmax256(_mm256_max_ps(vmax0, vmax1));
  if (mx == kNegInf) {  // fully masked row
    if (shiftOnly) {
      *shiftOnly = -kNegInf;
      return;
    }
    float fill = logSoftmax ? kNegInf : 0.f;
    for (int64_t i = 0; i < n; ++i) y[i] = fill;
    return;
  }
  const __m256 vmx = _mm256_set1_ps(mx);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  for (j = 0; j + 16 <= nv; j += 16) {
    __m256 e0 = exp256(_mm256_sub_ps(_mm256_loadu_ps(v + j), vmx));
    __m256 e1 = exp256(_mm256_sub_ps(_mm256_loadu_ps(v + j + 8), vmx));
    if (!logSoftmax) {
      _mm256_storeu_ps(y + j, e0);
      _mm256_storeu_ps(y + j + 8, e1);
    }
    s0 = _mm256_add_ps(s0, e0);
    s1 = _mm256_add_ps(s1, e1);
  }
  for (; j < nv; j += 8) {
    __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(v + j), vmx));
    if (!logSoftmax) _mm256_storeu_ps(y + j, e);
    s0 = _mm256_add_ps(s0, e);
  }
  if (nv < n) {
    __m256 e = exp256(_mm256_sub_ps(_mm256_maskload_ps(v + nv, tail), vmx));
    e = _mm256_and_ps(e, _mm256_castsi256_ps(tail));
    if (!logSoftmax) _mm256_maskstore_ps(y + nv, tail, e);
    s0 = _mm256_add_ps(s0, e);
  }
  const float sum = hsum256(_mm256_add_ps(s0, s1));
  if (logSoftmax) {
    if (shiftOnly) {
      *shiftOnly = mx + std::log(sum);
      return;
    }
    const __m256 shift = _mm256_set1_ps(mx + std::log(sum));
    for (j = 0; j < nv; j += 8) _mm256_storeu_ps(y + j, _mm256_sub_ps(_mm256_loadu_ps(v + j), shift));
    if (nv < n)
      _mm256_maskstore_ps(y + nv, tail, _mm256_sub_ps(_mm256_maskload_ps(v + nv, tail), shift));
  } else {
    const __m256 inv = _mm256_set1_ps(1.f / sum);
    for (j = 0; j < nv; j += 8) _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), inv));
    if (nv < n)
      _mm256_maskstore_ps(y + nv, tail, _mm256_mul_ps(_mm256_maskload_ps(y + nv, tail), inv));
  }
}
#endif

// The row routine of this build: the intrinsic row for the instruction set, or
// the portable loop (always, with setPortableSoftmax(true)).
void rowOfBuild(const float* x, const float* m, int64_t mStride, float* y, int64_t n,
                bool logSoftmax, float* shiftOnly = nullptr) {
#if defined(__AVX512F__)
  if (!gPortable && n <= 64) return softmaxRowShort512(x, m, mStride, y, n, logSoftmax, shiftOnly);
  if (!gPortable) return softmaxRow512(x, m, mStride, y, n, logSoftmax, shiftOnly);
#elif defined(__AVX2__) && defined(__FMA__)
  if (!gPortable) return softmaxRow256(x, m, mStride, y, n, logSoftmax, shiftOnly);
#endif
  softmaxRow(x, m, mStride, y, n, logSoftmax, shiftOnly);
}

}  // namespace

void softmaxRowF32(const float* x, const float* m, float* y, int64_t n) {
  rowOfBuild(x, m, 1, y, n, false);
}

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
      rowOfBuild(px + r * n, m, mw.lastStride, py + r * n, n, logSoftmax);
      if (mw.data) mw.next();
    }
  }
  return y;
}

Tensor logSoftmaxShifts(const Tensor& x) {
  const Shape& s = x.shape();
  const int64_t n = s[-1], rows = n ? s.elements() / n : 0;
  Tensor shift = Tensor::empty(Shape{rows});
  const float* px = x.data<float>();
  float* ps = shift.data<float>();
#pragma omp parallel for schedule(static) if (rows * n >= kParallelMin)
  for (int64_t r = 0; r < rows; ++r)
    rowOfBuild(px + r * n, nullptr, 0, nullptr, n, true, ps + r);
  return shift;
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
