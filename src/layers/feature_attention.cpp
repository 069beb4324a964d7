#include "layers/feature_attention.h"

#include <cmath>
#include <cstring>

#include "common/profiler.h"
#include "kernels/backend.h"
#include "ops/binary.h"
#include "ops/eltwise.h"
#include "ops/matmul.h"
#include "ops/random_fourier.h"
#include "ops/reduce.h"
#include "ops/shape_ops.h"

namespace lt::layers {

namespace {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t hashString(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

Tensor orthogonalRandomFeatures(int H, int m, int dh, Rng& rng) {
  HeapScope heap;
  Tensor out = Tensor::empty(Shape{H, m, dh});
  float* o = out.data<float>();
  std::vector<double> g(size_t(dh) * dh);
  for (int h = 0; h < H; ++h) {
    for (int row = 0; row < m; row += dh) {
      for (auto& x : g) x = rng.normal();
      // Gram-Schmidt over the rows: orthonormal rows of a Gaussian matrix (Haar).
      for (int i = 0; i < dh; ++i) {
        double* gi = g.data() + size_t(i) * dh;
        for (int j = 0; j < i; ++j) {
          const double* gj = g.data() + size_t(j) * dh;
          double dot = 0;
          for (int c = 0; c < dh; ++c) dot += gi[c] * gj[c];
          for (int c = 0; c < dh; ++c) gi[c] -= dot * gj[c];
        }
        double n = 0;
        for (int c = 0; c < dh; ++c) n += gi[c] * gi[c];
        n = std::sqrt(std::max(n, 1e-30));
        for (int c = 0; c < dh; ++c) gi[c] /= n;
      }
      for (int i = 0; i < dh && row + i < m; ++i) {
        double chi = 0;  // norm of an independent Gaussian dh-vector (chi_dh)
        for (int c = 0; c < dh; ++c) {
          double x = rng.normal();
          chi += x * x;
        }
        chi = std::sqrt(chi);
        float* dst = o + (int64_t(h) * m + row + i) * dh;
        for (int c = 0; c < dh; ++c) dst[c] = float(g[size_t(i) * dh + c] * chi);
      }
    }
  }
  return out;
}

FeatureAttention::FeatureAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads,
                                   const FeatureSpec& spec)
    : spec_(spec), dim_(dim), heads_(heads), dh_(dim / std::max(heads, 1)) {
  LT_CHECK(heads >= 1 && dim % heads == 0, ConfigError,
           "attention {}: width {} is not divisible by heads {}", scope.str(), dim, heads);
  q_ = Linear(pb, scope / "q", dim, dim);
  k_ = Linear(pb, scope / "k", dim, dim);
  v_ = Linear(pb, scope / "v", dim, dim);
  out_ = Linear(pb, scope / "out", dim, dim);
  scopeHash_ = hashString(scope.str());
  if (spec.map == FeatureMap::Elu) {
    m_ = dh_;
  } else if (spec.map == FeatureMap::T2R) {
    m_ = spec.features;
    float bound = 1.f / std::sqrt(float(dh_));
    phiW_ = pb.add(scope / "phi" / "weight", Shape{heads, m_, dh_}, Init::uniform(bound));
    phiB_ = pb.add(scope / "phi" / "bias", Shape{heads, m_}, Init::uniform(bound));
  } else {
    m_ = spec.map == FeatureMap::Rfa ? 2 * spec.features : spec.features;
    features_ = pb.add(scope / "features", Shape{heads, spec.features, dh_}, Init::zeros());
    if (spec.map == FeatureMap::Rfa)
      rfaScale_ = pb.add(scope / "rfa_scale", Shape{heads}, Init::constant(1.f));
    features_.node()->requiresGrad = false;  // a buffer, redrawn, never trained
    if (pb.initializing()) redraw(0, true);
  }
}

void FeatureAttention::redraw(int64_t update, bool force) {
  if (spec_.map != FeatureMap::Performer && spec_.map != FeatureMap::Rfa) return;
  int64_t period = spec_.redraw > 0 ? update / spec_.redraw : 0;
  if (!force && period == drawnPeriod_) return;
  Rng rng(mix64(spec_.seed ^ mix64(scopeHash_ ^ mix64(uint64_t(period)))));
  Tensor f = orthogonalRandomFeatures(heads_, spec_.features, dh_, rng);
  std::memcpy(features_.mutableValue().data<float>(), f.data<float>(),
              sizeof(float) * size_t(f.elements()));
  drawnPeriod_ = period;
}

ops::Denominator FeatureAttention::mode() const {
  return spec_.map == FeatureMap::T2R || spec_.map == FeatureMap::Rfa ? ops::Denominator::ClampEps
                                                                       : ops::Denominator::AddEps;
}

Var FeatureAttention::splitHeads(const Var& x) const {
  int64_t B = x.dim(0), T = x.dim(1);
  return ops::transpose(ops::reshape(x, Shape{B, T, heads_, dh_}), {0, 2, 1, 3});
}

Var FeatureAttention::mergeHeads(const Var& x) const {
  int64_t B = x.dim(0), T = x.dim(2);
  return ops::reshape(ops::transpose(x, {0, 2, 1, 3}), Shape{B, T, dim_});
}

Var FeatureAttention::phi(const Var& x, bool query) const {
  int64_t B = x.dim(0), T = x.dim(1), H = heads_;
  if (spec_.map == FeatureMap::Elu) return ops::addScalar(ops::elu(splitHeads(x)), 1.f);
  // Heads first: [B, T, E] -> [H, B*T, dh], one batched product per head.
  Var xh = ops::transpose(ops::reshape(x, Shape{B * T, H, dh_}), {1, 0, 2});
  Var f;
  if (spec_.map == FeatureMap::T2R) {
    if (query) xh = ops::scale(xh, 1.f / std::sqrt(float(dh_)));
    f = ops::matmul(xh, phiW_, false, true);                         // [H, B*T, k]
    f = ops::relu(ops::add(f, ops::reshape(phiB_, Shape{H, 1, m_})));
  } else if (spec_.map == FeatureMap::Rfa) {
    f = ops::randomFourierFeatures(xh, features_.value(), rfaScale_);  // [H, B*T, 2m]
  } else {
    xh = ops::scale(xh, 1.f / std::pow(float(dh_), 0.25f));
    Var wx = ops::matmul(xh, Var(features_.value()), false, true);  // [H, B*T, m]
    Var sq = ops::scale(ops::sum(ops::mul(xh, xh), -1, true), -0.5f);  // [H, B*T, 1]
    f = ops::exp(ops::addScalar(ops::add(wx, sq), -0.5f * std::log(float(m_))));
  }
  return ops::transpose(ops::reshape(f, Shape{H, B, T, m_}), {1, 0, 2, 3});  // [B, H, T, m]
}

Tensor dropPositions(const Tensor& keep, int64_t B, int64_t T, float p, uint64_t seed,
                     uint64_t stream) {
  Tensor out = Tensor::empty(Shape{B, T});
  float* o = out.data<float>();
  const float* k = keep.defined() ? keep.data<float>() : nullptr;
  for (int64_t i = 0; i < B * T; ++i) {
    bool kept = (!k || k[i] != 0.f) && philoxUniform(seed, stream, uint64_t(i)) >= p;
    o[i] = kept ? 1.f : 0.f;
  }
  return out;
}

Var FeatureAttention::forward(const Var& query, const Var& keyValue, bool causal,
                              const Tensor& keep, RunCtx& ctx) const {
  Tensor kk = keep;
  if (!causal) {
    uint64_t stream = ctx.nextStream();
    float p = ctx.rate(spec_.positionDropout);
    if (p > 0.f) kk = dropPositions(keep, keyValue.dim(0), keyValue.dim(1), p, ctx.seed, stream);
  }
  Var pq = phi(q_(query), true);
  Var pk = phi(k_(keyValue), false);
  Var v = splitHeads(v_(keyValue));
  Var o = causal ? ops::causalLinearAttention(pq, pk, v, spec_.eps, mode(), keep)
                 : ops::linearAttention(pq, pk, v, spec_.eps, mode(), kk);
  return out_(mergeHeads(o));
}

LinearState FeatureAttention::allocState(int capacity) const {
  HeapScope heap;
  LinearState st;
  st.S = Tensor::zeros(Shape{capacity, heads_, m_, dh_});
  st.z = Tensor::zeros(Shape{capacity, heads_, m_});
  return st;
}

Var FeatureAttention::stepSelf(const Var& x, LinearState& st) const {
  int N = int(x.dim(0));
  LT_CHECK(N <= st.S.dim(0), ShapeError, "decoder step: {} rows exceed state capacity {}", N,
           st.S.dim(0));
  Tensor pq = phi(q_(x), true).value().reshape(Shape{N, heads_, m_});
  Tensor pk = phi(k_(x), false).value().reshape(Shape{N, heads_, m_});
  Tensor v = v_(x).value().reshape(Shape{N, heads_, dh_});
  ops::LinearAttentionState s{st.S.slice(0, N), st.z.slice(0, N)};
  Tensor o = Tensor::empty(Shape{N, heads_, dh_});
  {
    profiler::Section ps("linear_attention_step");  // not an op: would be charged to out_
    ops::linearAttentionStep(s, pq, pk, v, spec_.eps, mode(), o);
  }
  return out_(Var(o.reshape(Shape{N, 1, dim_})));
}

LinearState FeatureAttention::precompute(const Var& memory, const Tensor& keep) const {
  Tensor pk = phi(k_(memory), false).value();        // [B, H, S, m]
  Tensor v = splitHeads(v_(memory)).value();         // [B, H, S, dh]
  HeapScope heap;
  const int64_t B = pk.dim(0), H = heads_, S = pk.dim(2), m = m_, dh = dh_;
  LinearState st;
  st.S = Tensor::zeros(Shape{B, H, m, dh});
  st.z = Tensor::zeros(Shape{B, H, m});
  kernels::countMacs(B * H * S * m * dh);
  const float* kp = pk.data<float>();
  const float* vp = v.data<float>();
  const float* kk = keep.defined() ? keep.data<float>() : nullptr;
  float* Sp = st.S.data<float>();
  float* zp = st.z.data<float>();
#pragma omp parallel for schedule(static) if (B * H * S * m * dh > 65536)
  for (int64_t bh = 0; bh < B * H; ++bh) {
    int64_t b = bh / H;
    float* Sb = Sp + bh * m * dh;
    float* zb = zp + bh * m;
    for (int64_t s = 0; s < S; ++s) {
      float w = kk ? kk[b * S + s] : 1.f;
      if (w == 0.f) continue;
      const float* ks = kp + (bh * S + s) * m;
      const float* vs = vp + (bh * S + s) * dh;
      for (int64_t i = 0; i < m; ++i) {
        float a = w * ks[i];
        zb[i] += a;
        float* row = Sb + i * dh;
#pragma omp simd
        for (int64_t c = 0; c < dh; ++c) row[c] += a * vs[c];
      }
    }
  }
  return st;
}

Var FeatureAttention::stepCross(const Var& x, const LinearState& sums,
                                const int32_t* srcRow) const {
  const int64_t N = x.dim(0), H = heads_, m = m_, dh = dh_;
  Tensor pq = phi(q_(x), true).value();  // [N, H, 1, m]
  Tensor o = Tensor::empty(Shape{N, 1, dim_});
  {
    profiler::Section ps("linear_attention_cross_step");
    kernels::countMacs(N * H * m * (dh + 1));
    const float* q = pq.data<float>();
    const float* Sp = sums.S.data<float>();
    const float* zp = sums.z.data<float>();
    float* op = o.data<float>();
    const bool clamp = mode() == ops::Denominator::ClampEps;
    const float eps = spec_.eps;
#pragma omp parallel for schedule(static) if (N * H * m * dh > 65536)
    for (int64_t nh = 0; nh < N * H; ++nh) {
      int64_t n = nh / H, h = nh % H;
      int64_t r = srcRow ? srcRow[n] : n;
      const float* qv = q + nh * m;
      const float* S = Sp + (r * H + h) * m * dh;
      const float* z = zp + (r * H + h) * m;
      float* out = op + nh * dh;
      float den = 0.f;
      for (int64_t i = 0; i < m; ++i) den += qv[i] * z[i];
      den = clamp ? std::max(den, eps) : den + eps;
      for (int64_t c = 0; c < dh; ++c) out[c] = 0.f;
      for (int64_t i = 0; i < m; ++i) {
        float a = qv[i];
        const float* row = S + i * dh;
#pragma omp simd
        for (int64_t c = 0; c < dh; ++c) out[c] += a * row[c];
      }
      float inv = 1.f / den;
      for (int64_t c = 0; c < dh; ++c) out[c] *= inv;
    }
  }
  return out_(Var(o));
}

}  // namespace lt::layers
