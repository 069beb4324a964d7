#include "layers/attention.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "common/profiler.h"
#include "kernels/backend.h"
#include "kernels/cpu/vec_math.h"
#include "ops/attention.h"
#include "ops/concat.h"
#include "ops/matmul.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"

namespace lt::layers {

MultiHeadAttention::MultiHeadAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads,
                                       float attentionDropout)
    : dim_(dim), heads_(heads), dh_(dim / heads), attnDrop_(attentionDropout) {
  LT_CHECK(heads >= 1 && dim % heads == 0, ConfigError,
           "attention {}: width {} is not divisible by heads {}", scope.str(), dim, heads);
  q_ = Linear(pb, scope / "q", dim, dim);
  k_ = Linear(pb, scope / "k", dim, dim);
  v_ = Linear(pb, scope / "v", dim, dim);
  out_ = Linear(pb, scope / "out", dim, dim);
}

Var MultiHeadAttention::splitHeads(const Var& x) const {
  int64_t B = x.dim(0), T = x.dim(1);
  return ops::transpose(ops::reshape(x, Shape{B, T, heads_, dh_}), {0, 2, 1, 3});
}

Var MultiHeadAttention::mergeHeads(const Var& x) const {
  int64_t B = x.dim(0), T = x.dim(2);
  return ops::reshape(ops::transpose(x, {0, 2, 1, 3}), Shape{B, T, dim_});
}

Var MultiHeadAttention::forward(const Var& query, const Var& keyValue, const Tensor& mask,
                                RunCtx& ctx) const {
  const float scale = 1.f / std::sqrt(float(dh_));
  // One fused op on the projections' own layout (ops/attention.h), with the probabilities'
  // dropout inside it; the dropout site takes its stream whether or not it drops.
  Var q = q_(query), k = k_(keyValue), v = v_(keyValue);
  const uint64_t stream = ctx.nextStream();
  return out_(ops::attention(q, k, v, mask, heads_, scale, ctx.rate(attnDrop_), ctx.seed, stream));
}

Tensor paddingMask(const Tensor& keep, const Shape& shape) {
  LT_CHECK(shape.elements() == keep.elements(), ShapeError,
           "paddingMask: keep {} does not fit {}", keep.shape().toString(), shape.toString());
  Tensor m = Tensor::empty(shape);
  const float* k = keep.data<float>();
  float* p = m.data<float>();
  for (int64_t i = 0; i < m.elements(); ++i) p[i] = k[i] != 0.f ? 0.f : kMaskValue;
  return m;
}

KvCache MultiHeadAttention::allocCache(int capacity, int maxSteps, int window, int global) const {
  HeapScope heap;
  KvCache c;
  int slots = window > 0 ? std::min(maxSteps, global + window) : maxSteps;
  // Not zero-filled: steps read only the slots they have written, so the pages of a long
  // maximum length that decoding never reaches are never touched (nor resident).
  c.k = Tensor::empty(Shape{capacity, heads_, slots, dh_});
  c.v = Tensor::empty(Shape{capacity, heads_, slots, dh_});
  c.slotRow = Tensor::empty(Shape{capacity, slots}, DType::I32);
  c.maxSteps = maxSteps;
  c.window = window;
  c.global = global;
  return c;
}

namespace {
// Writes src rows [N, H·dh] (row stride `stride` floats) into cache [cap, H, L, dh] at step t.
void storeStep(const float* s, int64_t stride, Tensor& cache, int N, int H, int L, int dh, int t) {
  float* c = cache.data<float>();
  for (int n = 0; n < N; ++n)
    for (int h = 0; h < H; ++h)
      std::memcpy(c + ((int64_t(n) * H + h) * L + t) * dh, s + n * stride + int64_t(h) * dh,
                  sizeof(float) * size_t(dh));
}
}  // namespace

void MultiHeadAttention::fuseStepProjections(ParamBuilder& pb) {
  qkv_ = std::make_shared<FusedQkv>();
  const ParamStore* store = &pb.store();  // owns the hook, so outlives it
  pb.store().onFreeze([p = qkv_, parts = std::array<Linear, 3>{q_, k_, v_}, E = dim_, store](InferencePrecision precision) {
    HeapScope heap;
    const int64_t e = E;
    p->bias = Tensor::zeros(Shape{3 * e});
    for (int i = 0; i < 3; ++i)
      if (parts[size_t(i)].bias().defined())
        std::memcpy(p->bias.data<float>() + i * e, parts[size_t(i)].bias().value().data<float>(),
                    sizeof(float) * size_t(e));
    if (precision == InferencePrecision::Int8) {
      // Row scales make the stacked rows of q, k and v (each from an int8 model file, or
      // quantized here) the int8 rows of the stacked weight.
      Tensor q = Tensor::empty(Shape{3 * e, e}, DType::I8), scale = Tensor::empty(Shape{3 * e});
      for (int i = 0; i < 3; ++i) {
        const Var& w = parts[size_t(i)].weight();
        const ParamStore::Int8Rows* rows = store->int8Source(w);
        ops::QuantizedRows own;
        if (!rows) own = ops::quantizeWeightRows(w.value());
        const Tensor& qi = rows ? rows->q : own.q;
        const Tensor& si = rows ? rows->scale : own.scale;
        std::memcpy(q.data<int8_t>() + i * e * e, qi.data<int8_t>(), size_t(e * e));
        std::memcpy(scale.data<float>() + i * e, si.data<float>(), sizeof(float) * size_t(e));
      }
      p->w = ops::packInt8Rows(q, scale);
      return;
    }
    Tensor w = Tensor::empty(Shape{3 * e, e});
    for (int i = 0; i < 3; ++i)
      std::memcpy(w.data<float>() + i * e * e, parts[size_t(i)].weight().value().data<float>(),
                  sizeof(float) * size_t(e * e));
    p->w = ops::packLinearWeight(w, precision);
  }, {q_.weight(), k_.weight(), v_.weight()}, /*int8Aware=*/true);
}

Var MultiHeadAttention::stepSelf(const Var& x, KvCache& cache, int t, float* scratch) const {
  int N = int(x.dim(0));
  LT_CHECK(t < cache.maxSteps, ShapeError,
           "decoder step {} exceeds the {} steps the decoder state was allocated for", t + 1,
           cache.maxSteps);
  LT_CHECK(N <= cache.k.dim(0), ShapeError, "decoder step: {} rows exceed state capacity {}", N,
           cache.k.dim(0));
  // q, k, v rows [N, H·dh] at row stride `stride`: three projections, or one fused GEMM
  // whose output rows are q | k | v.
  Var q, k, v, qkv;
  const float *qp, *kp, *vp;
  int64_t stride = dim_;
  if (qkv_ && qkv_->w.defined() && !gradEnabled()) {
    qkv = ops::linearPacked(x, qkv_->w, Var(qkv_->bias));
    qp = qkv.value().data<float>();
    kp = qp + dim_;
    vp = qp + 2 * dim_;
    stride = 3 * int64_t(dim_);
  } else {
    q = q_(x), k = k_(x), v = v_(x);  // [N, 1, E] = [N, H, dh]
    qp = q.value().data<float>();
    kp = k.value().data<float>();
    vp = v.value().data<float>();
  }
  const int L = cache.slots(), g = cache.global, w = cache.window;
  int slot = t, len = t + 1;
  if (w > 0 && t >= g) {  // softmax attention is order-free: a ring buffer suffices
    slot = g + (t - g) % w;
    len = g + std::min(t + 1 - g, w);
  }
  Tensor o = Tensor::empty(Shape{N, 1, dim_});
  {
    profiler::Section ps("attend_step");  // not an op: would be charged to out_ otherwise
    storeStep(kp, stride, cache.k, N, heads_, L, dh_, slot);
    storeStep(vp, stride, cache.v, N, heads_, L, dh_, slot);
    int32_t* slotRow = cache.slotRow.data<int32_t>();
    for (int n = 0; n < N; ++n) slotRow[int64_t(n) * L + slot] = n;
    attendCached(qp, cache.k.data<float>(), cache.v.data<float>(), L, N, heads_, dh_, len,
                 1.f / std::sqrt(float(dh_)), o.data<float>(), scratch, slotRow, stride);
  }
  return out_(Var(o));
}

CrossKv MultiHeadAttention::precompute(const Var& memory, const Tensor& keyMask) const {
  HeapScope heap;
  const int64_t B = memory.dim(0), S = memory.dim(1), P = CrossKv::paddedLength(S), H = heads_,
                dh = dh_;
  LT_CHECK(!keyMask.defined() || keyMask.elements() == B * S, ShapeError,
           "cross-attention: key mask {} does not match memory {}", keyMask.shape().toString(),
           memory.shape().toString());
  // The projections are token-major [B, S, H·dh]; each head's keys go to kt transposed.
  Tensor k = k_(memory).value(), v = v_(memory).value();
  CrossKv kv;
  kv.sourceLength = int(S);
  kv.kt = Tensor::zeros(Shape{B, H, dh, P});
  kv.v = Tensor::zeros(Shape{B, H, P, dh});
  kv.keyMask = Tensor::empty(Shape{B, P});
  const float* kp = k.data<float>();
  const float* vp = v.data<float>();
  float* ktp = kv.kt.data<float>();
  float* vdst = kv.v.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t bh = b * H + h;
      for (int64_t j = 0; j < S; ++j) {
        const int64_t src = (b * S + j) * H * dh + h * dh;
        for (int64_t c = 0; c < dh; ++c) ktp[(bh * dh + c) * P + j] = kp[src + c];
        std::memcpy(vdst + (bh * P + j) * dh, vp + src, sizeof(float) * size_t(dh));
      }
    }
  const float* mask = keyMask.defined() ? keyMask.data<float>() : nullptr;
  float* m = kv.keyMask.data<float>();
  kv.span = Tensor::empty(Shape{B}, DType::I32);
  for (int64_t b = 0; b < B; ++b) {
    int64_t last = 0;  // one past the last unpadded key
    for (int64_t j = 0; j < P; ++j) {
      m[b * P + j] = j >= S ? kMaskValue : mask ? mask[b * S + j] : 0.f;
      if (m[b * P + j] > kMaskValue / 2) last = j + 1;
    }
    kv.span.data<int32_t>()[b] = int32_t(std::max<int64_t>(16, CrossKv::paddedLength(last)));
  }
  return kv;
}

Var MultiHeadAttention::stepCross(const Var& x, const CrossKv& kv, const int32_t* srcRow,
                                  float* scratch) const {
  int N = int(x.dim(0));
  const int P = kv.paddedLength();
  Var q = q_(x);
  Tensor o = Tensor::empty(Shape{N, 1, dim_});
  {
    profiler::Section ps("attend_cross_step");
    attendSource(q.value().data<float>(), kv.kt.data<float>(), kv.v.data<float>(), P, srcRow, N,
                 heads_, dh_, 1.f / std::sqrt(float(dh_)), kv.keyMask.data<float>(),
                 o.data<float>(), scratch, kv.sourceLength, kv.span.data<int32_t>());
  }
  return out_(Var(o));
}

namespace {
// Turns scores s[0, len) with maximum mx into unnormalised softmax weights in place (weights
// below e^kSoftmaxCut of the largest are exactly 0) and returns 1 / their sum.
float softmaxWeights(float* s, int len, float mx) {
  using kernels::vec::kSoftmaxCut;
  for (int j = 0; j < len; ++j) s[j] = std::max(s[j] - mx, kSoftmaxCut);
#pragma omp simd
  for (int j = 0; j < len; ++j) s[j] = s[j] > kSoftmaxCut ? kernels::vec::expVec(s[j]) : 0.f;
  float sum = 0.f;
  for (int j = 0; j < len; ++j) sum += s[j];
  return 1.f / sum;
}

// The same for len a multiple of 16 (the padded source layout), finding the maximum itself:
// the max and the sum reduce 16 lanes at a time, with no scalar tails.
float softmaxWeights16(float* s, int len) {
  using kernels::vec::kSoftmaxCut;
  constexpr int W = 16;
  float mx16[W];
  for (int j = 0; j < W; ++j) mx16[j] = s[j];
  for (int j0 = W; j0 < len; j0 += W) {
#pragma omp simd
    for (int j = 0; j < W; ++j) mx16[j] = std::max(mx16[j], s[j0 + j]);
  }
  float mx = mx16[0];
  for (int j = 1; j < W; ++j) mx = std::max(mx, mx16[j]);
  float sum16[W] = {};
  for (int j0 = 0; j0 < len; j0 += W) {
#pragma omp simd
    for (int j = 0; j < W; ++j) s[j0 + j] = std::max(s[j0 + j] - mx, kSoftmaxCut);
#pragma omp simd
    for (int j = 0; j < W; ++j) {
      const float x = s[j0 + j];
      s[j0 + j] = x > kSoftmaxCut ? kernels::vec::expVec(x) : 0.f;
      sum16[j] += s[j0 + j];
    }
  }
  float sum = 0.f;
  for (int j = 0; j < W; ++j) sum += sum16[j];
  return 1.f / sum;
}

// softmax(scale · q·Kᵀ) · V for one (row, head) over cached keys [0, len); key/value j is
// at kb/vb + jr[j]·blockStride + j·d (jr: the slot map's block of each key). DH > 0 fixes
// the head width at compile time so the dot products unroll and the output row stays in
// registers; DH = 0 is the generic path. s: len floats of scratch.
template <int DH>
void attendOne(const float* qv, const float* kb, const float* vb, const int32_t* jr,
               int64_t blockStride, int len, int dh, float scale, float* s, float* o) {
  const int d = DH > 0 ? DH : dh;
  auto at = [&](int j) { return int64_t(jr[j]) * blockStride + int64_t(j) * d; };
  float mx = -INFINITY;
  for (int j = 0; j < len; ++j) {
    const float* kj = kb + at(j);
    float acc = 0.f;
#pragma omp simd reduction(+ : acc)
    for (int c = 0; c < d; ++c) acc += qv[c] * kj[c];
    acc *= scale;
    s[j] = acc;
    mx = std::max(mx, acc);
  }
  const float inv = softmaxWeights(s, len, mx);
  if constexpr (DH > 0) {
    float acc[DH] = {};
    for (int j = 0; j < len; ++j) {
      const float w = s[j] * inv;
      const float* vj = vb + at(j);
#pragma omp simd
      for (int c = 0; c < DH; ++c) acc[c] += w * vj[c];
    }
    for (int c = 0; c < DH; ++c) o[c] = acc[c];
  } else {
    for (int c = 0; c < d; ++c) o[c] = 0.f;
    for (int j = 0; j < len; ++j) {
      const float w = s[j] * inv;
      const float* vj = vb + at(j);
#pragma omp simd
      for (int c = 0; c < d; ++c) o[c] += w * vj[c];
    }
  }
}

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 reduce intrinsics
// attendOne for a fixed head width on AVX-512: q, each key and each value row are
// ceil(DH/16) vectors (the last one masked), a score is one multiply-add chain and a tree
// reduction, and the output row is two accumulator sets (even and odd keys) in registers.
// GCC leaves the generic version's 20-wide dot products and output row (Lite's heads)
// scalar: 16 serial adds per score and 20 scalar multiply-adds per value row.
template <int DH>
void attendOne512(const float* qv, const float* kb, const float* vb, const int32_t* jr,
                  int64_t blockStride, int len, float scale, float* s, float* o) {
  constexpr int NC = (DH + 15) / 16;
  constexpr __mmask16 kLast = DH % 16 == 0 ? __mmask16(0xFFFF) : __mmask16((1u << (DH % 16)) - 1u);
  auto mk = [](int c) { return c == NC - 1 ? kLast : __mmask16(0xFFFF); };
  auto at = [&](int j) { return int64_t(jr[j]) * blockStride + int64_t(j) * DH; };
  __m512 q[NC];
  for (int c = 0; c < NC; ++c) q[c] = _mm512_maskz_loadu_ps(mk(c), qv + 16 * c);
  float mx = -INFINITY;
  for (int j = 0; j < len; ++j) {
    const float* kj = kb + at(j);
    __m512 p = _mm512_mul_ps(q[0], _mm512_maskz_loadu_ps(mk(0), kj));
    for (int c = 1; c < NC; ++c)
      p = _mm512_fmadd_ps(q[c], _mm512_maskz_loadu_ps(mk(c), kj + 16 * c), p);
    const float a = _mm512_reduce_add_ps(p) * scale;
    s[j] = a;
    mx = std::max(mx, a);
  }
  const float inv = softmaxWeights(s, len, mx);
  __m512 e[NC], f[NC];
  for (int c = 0; c < NC; ++c) e[c] = f[c] = _mm512_setzero_ps();
  int j = 0;
  for (; j + 2 <= len; j += 2) {
    const __m512 w0 = _mm512_set1_ps(s[j] * inv), w1 = _mm512_set1_ps(s[j + 1] * inv);
    const float *v0 = vb + at(j), *v1 = vb + at(j + 1);
    for (int c = 0; c < NC; ++c) {
      e[c] = _mm512_fmadd_ps(w0, _mm512_maskz_loadu_ps(mk(c), v0 + 16 * c), e[c]);
      f[c] = _mm512_fmadd_ps(w1, _mm512_maskz_loadu_ps(mk(c), v1 + 16 * c), f[c]);
    }
  }
  if (j < len) {
    const __m512 w0 = _mm512_set1_ps(s[j] * inv);
    const float* v0 = vb + at(j);
    for (int c = 0; c < NC; ++c)
      e[c] = _mm512_fmadd_ps(w0, _mm512_maskz_loadu_ps(mk(c), v0 + 16 * c), e[c]);
  }
  for (int c = 0; c < NC; ++c) _mm512_mask_storeu_ps(o + 16 * c, mk(c), _mm512_add_ps(e[c], f[c]));
}
#pragma GCC diagnostic pop
#endif

// One (row, head) against transposed keys kt [d, P] (row stride P) and values vb [P, d] over
// the first len positions, len a multiple of 16: every loop over positions runs in blocks of
// 16 (whole vectors, no scalar tails), and the max and the sum reduce 16 lanes at a time.
template <int DH>
void attendOneT(const float* qv, const float* kt, const float* vb, int P, int len, const float* m,
                int dh, float scale, float* s, float* o) {
  constexpr int W = 16;
  const int d = DH > 0 ? DH : dh;
  // Scores: four accumulators over interleaved channels, so the multiply-adds of one block
  // are four independent chains instead of one chain of d dependent ones.
  for (int j0 = 0; j0 < len; j0 += W) {
    float a0[W] = {}, a1[W] = {}, a2[W] = {}, a3[W] = {};
    const float* kb = kt + j0;
    int c = 0;
    for (; c + 4 <= d; c += 4) {
      const float q0 = qv[c], q1 = qv[c + 1], q2 = qv[c + 2], q3 = qv[c + 3];
      const float *k0 = kb + int64_t(c) * P, *k1 = k0 + P, *k2 = k1 + P, *k3 = k2 + P;
#pragma omp simd
      for (int j = 0; j < W; ++j) {
        a0[j] += q0 * k0[j];
        a1[j] += q1 * k1[j];
        a2[j] += q2 * k2[j];
        a3[j] += q3 * k3[j];
      }
    }
    for (; c < d; ++c) {
      const float qc = qv[c];
      const float* kr = kb + int64_t(c) * P;
#pragma omp simd
      for (int j = 0; j < W; ++j) a0[j] += qc * kr[j];
    }
#pragma omp simd
    for (int j = 0; j < W; ++j) s[j0 + j] = ((a0[j] + a1[j]) + (a2[j] + a3[j])) * scale + m[j0 + j];
  }
  const float inv = softmaxWeights16(s, len);
  if constexpr (DH > 0) {
    float e[DH] = {}, f[DH] = {};  // even and odd positions: two independent chains
    for (int j = 0; j < len; j += 2) {
      const float w0 = s[j] * inv, w1 = s[j + 1] * inv;
      const float* v0 = vb + int64_t(j) * DH;
      const float* v1 = v0 + DH;
#pragma omp simd
      for (int c = 0; c < DH; ++c) {
        e[c] += w0 * v0[c];
        f[c] += w1 * v1[c];
      }
    }
#pragma omp simd
    for (int c = 0; c < DH; ++c) o[c] = e[c] + f[c];
  } else {
    for (int c = 0; c < d; ++c) o[c] = 0.f;
    for (int j = 0; j < len; ++j) {
      const float w = s[j] * inv;
      const float* vj = vb + int64_t(j) * d;
#pragma omp simd
      for (int c = 0; c < d; ++c) o[c] += w * vj[c];
    }
  }
}

template <int DH>
void attendAll(const float* q, const float* K, const float* V, int L, int N, int H, int dh,
               int len, float scale, float* out, float* scratch, const int32_t* slotRow,
               int64_t qStride) {
  const int64_t total = int64_t(N) * H, block = int64_t(H) * L * dh;
#pragma omp parallel for schedule(static) if (total * len * dh > 16384)
  for (int64_t nh = 0; nh < total; ++nh) {
    const int64_t n = nh / H, h = nh % H;  // per-key blocks: offsets from block 0
    const float* qv = q + n * qStride + h * dh;
#if defined(__AVX512F__)
    if constexpr (DH > 0) {
      attendOne512<DH>(qv, K + h * int64_t(L) * dh, V + h * int64_t(L) * dh,
                       slotRow + n * L, block, len, scale, scratch + nh * len, out + nh * dh);
      continue;
    }
#endif
    attendOne<DH>(qv, K + h * int64_t(L) * dh, V + h * int64_t(L) * dh, slotRow + n * L,
                  block, len, dh, scale, scratch + nh * len, out + nh * dh);
  }
}
// Calls f(std::integral_constant<int, DH>) with DH = dh for the head widths that have
// unrolled loops (20, 32, 40, 64, 128), else DH = 0 (generic).
template <class F>
void withHeadWidth(int dh, F&& f) {
  switch (dh) {
    case 20: return f(std::integral_constant<int, 20>{});
    case 32: return f(std::integral_constant<int, 32>{});
    case 40: return f(std::integral_constant<int, 40>{});
    case 64: return f(std::integral_constant<int, 64>{});
    case 128: return f(std::integral_constant<int, 128>{});
    default: return f(std::integral_constant<int, 0>{});
  }
}

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 reduce intrinsics
// attendOneT for G <= 4 rows that read the same source block (the beam rows of one sentence),
// on AVX-512: each 16-position vector of keys and each value row is loaded once and used by
// all G queries, instead of once per query. Same arithmetic per query as attendOneT except
// the order of the score and output sums. DH <= 64 keeps G x ceil(DH/16) output accumulators
// in registers.
template <int DH>
void attendGroupT512(const float* const* qv, int G, const float* kt, const float* vb, int P,
                     int len, const float* m, float scale, float* const* s, float* const* o) {
  constexpr int NC = (DH + 15) / 16;
  constexpr __mmask16 kLast = DH % 16 == 0 ? __mmask16(0xFFFF) : __mmask16((1u << (DH % 16)) - 1u);
  auto mk = [](int c) { return c == NC - 1 ? kLast : __mmask16(0xFFFF); };
  const __m512 vscale = _mm512_set1_ps(scale);
  float inv[4];
  for (int j0 = 0; j0 < len; j0 += 16) {
    __m512 a[4], b[4];  // even and odd channels: two chains per query
    for (int g = 0; g < 4; ++g) a[g] = b[g] = _mm512_setzero_ps();
    const float* kb = kt + j0;
    int c = 0;
    for (; c + 2 <= DH; c += 2) {
      const __m512 k0 = _mm512_loadu_ps(kb + int64_t(c) * P);
      const __m512 k1 = _mm512_loadu_ps(kb + int64_t(c + 1) * P);
      for (int g = 0; g < G; ++g) {
        a[g] = _mm512_fmadd_ps(_mm512_set1_ps(qv[g][c]), k0, a[g]);
        b[g] = _mm512_fmadd_ps(_mm512_set1_ps(qv[g][c + 1]), k1, b[g]);
      }
    }
    if (c < DH) {
      const __m512 k0 = _mm512_loadu_ps(kb + int64_t(c) * P);
      for (int g = 0; g < G; ++g) a[g] = _mm512_fmadd_ps(_mm512_set1_ps(qv[g][c]), k0, a[g]);
    }
    const __m512 mv = _mm512_loadu_ps(m + j0);
    for (int g = 0; g < G; ++g)
      _mm512_storeu_ps(s[g] + j0, _mm512_fmadd_ps(_mm512_add_ps(a[g], b[g]), vscale, mv));
  }
  for (int g = 0; g < G; ++g) inv[g] = softmaxWeights16(s[g], len);
  __m512 acc[4][NC];
  for (int g = 0; g < 4; ++g)
    for (int c = 0; c < NC; ++c) acc[g][c] = _mm512_setzero_ps();
  for (int j = 0; j < len; ++j) {
    const float* vj = vb + int64_t(j) * DH;
    __m512 vv[NC];
    for (int c = 0; c < NC; ++c) vv[c] = _mm512_maskz_loadu_ps(mk(c), vj + 16 * c);
    for (int g = 0; g < G; ++g) {
      const float wj = s[g][j];
      if (wj == 0.f) continue;  // padding and negligible keys
      const __m512 w = _mm512_set1_ps(wj);
      for (int c = 0; c < NC; ++c) acc[g][c] = _mm512_fmadd_ps(w, vv[c], acc[g][c]);
    }
  }
  for (int g = 0; g < G; ++g) {
    const __m512 vi = _mm512_set1_ps(inv[g]);
    for (int c = 0; c < NC; ++c)
      _mm512_mask_storeu_ps(o[g] + 16 * c, mk(c), _mm512_mul_ps(acc[g][c], vi));
  }
}
#pragma GCC diagnostic pop
#endif

template <int DH>
void attendSourceAll(const float* q, const float* Kt, const float* V, int P, const int32_t* rowOf,
                     int N, int H, int dh, float scale, const float* keyMask, float* out,
                     float* scratch, const int32_t* span) {
  constexpr int64_t G = 4;  // rows per group: a beam's rows share their source block
  const int64_t block = int64_t(H) * P * dh, groups = (N + G - 1) / G;
#pragma omp parallel for schedule(static) if (int64_t(N) * H * P * dh > 16384)
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t h = 0; h < H; ++h) {
#if defined(__AVX512F__)
      if constexpr (DH > 0 && DH <= 64) {
        // Runs of consecutive rows of the group that read the same source block.
        const int64_t end = std::min<int64_t>(N, (g + 1) * G);
        for (int64_t n0 = g * G; n0 < end;) {
          const int64_t r = rowOf ? rowOf[n0] : n0;
          int64_t n1 = n0 + 1;
          while (n1 < end && (rowOf ? rowOf[n1] : n1) == r) ++n1;
          const float* qs[4];
          float *ss[4], *os[4];
          for (int64_t n = n0; n < n1; ++n) {
            const int64_t nh = n * H + h;
            qs[n - n0] = q + nh * dh;
            ss[n - n0] = scratch + nh * P;
            os[n - n0] = out + nh * dh;
          }
          attendGroupT512<DH>(qs, int(n1 - n0), Kt + r * block + h * int64_t(P) * dh,
                              V + r * block + h * int64_t(P) * dh, P, span ? span[r] : P,
                              keyMask + r * P, scale, ss, os);
          n0 = n1;
        }
        continue;
      }
#endif
      for (int64_t n = g * G; n < std::min<int64_t>(N, (g + 1) * G); ++n) {
        const int64_t nh = n * H + h, r = rowOf ? rowOf[n] : n;
        // Kt rows keep their stride P; only the first `len` positions are read.
        attendOneT<DH>(q + nh * dh, Kt + r * block + h * int64_t(P) * dh,
                       V + r * block + h * int64_t(P) * dh, P, span ? span[r] : P,
                       keyMask + r * P, dh, scale, scratch + nh * P, out + nh * dh);
      }
    }
}
}  // namespace

void attendSource(const float* q, const float* Kt, const float* V, int P, const int32_t* rowOf,
                  int N, int H, int dh, float scale, const float* keyMask, float* out,
                  float* scratch, int counted, const int32_t* span) {
  LT_CHECK(P % 16 == 0 && keyMask, ShapeError,
           "attendSource: {} positions must be a multiple of 16, with a key mask", P);
  kernels::countMacs(2 * int64_t(N) * H * counted * dh);
  withHeadWidth(dh, [&](auto DH) {
    attendSourceAll<DH.value>(q, Kt, V, P, rowOf, N, H, dh, scale, keyMask, out, scratch, span);
  });
}

void attendCached(const float* q, const float* K, const float* V, int L, int N, int H, int dh,
                  int len, float scale, float* out, float* scratch, const int32_t* slotRow,
                  int64_t qStride) {
  LT_CHECK(slotRow && len <= L, ShapeError, "attendCached: needs the slot map and len {} <= {}",
           len, L);
  kernels::countMacs(2 * int64_t(N) * H * len * dh);
  withHeadWidth(dh, [&](auto DH) {
    attendAll<DH.value>(q, K, V, L, N, H, dh, len, scale, out, scratch, slotRow,
                        qStride ? qStride : int64_t(H) * dh);
  });
}

}  // namespace lt::layers
