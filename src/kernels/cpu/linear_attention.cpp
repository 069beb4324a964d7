// OpenMP linear attention: one task per (batch, head), vectorised over m and dv.
// Causal form is chunked (kChunk steps): quadratic inside a chunk (score rows built from
// transposed key/value chunks, no horizontal reductions), running prefix sums
// (S, z forward; U, w reverse for the key/value gradients) across chunks.
#include <algorithm>
#include <vector>

#include "kernels/backend.h"
#include "kernels/linear_attention.h"
#include "kernels/ref/linear_attention.h"

namespace lt::kernels {

namespace {

constexpr int64_t kChunk = 64;
constexpr int64_t kParallelWork = 1 << 15;

inline float denomOf(float x, float eps, Denominator mode) {
  return mode == Denominator::AddEps ? x + eps : std::max(x, eps);
}
inline bool gradThrough(float x, float eps, Denominator mode) {
  return mode == Denominator::AddEps || x > eps;
}
inline float dot(const float* a, const float* b, int64_t n) {
  // 8 independent partial sums: vectorises to one 256-bit FMA per 8 elements.
  float s = 0.f;
  int64_t i = 0;
  if (n >= 8) {
    float acc[8] = {};
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
    s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  }
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}
inline void axpy(float* y, float a, const float* x, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

struct La {
  int64_t B, H, Tq, Tk, m, dv;
  const float *q, *k, *v, *mask;
  float eps;
  Denominator mode;
  const float* Q(int64_t bh) const { return q + bh * Tq * m; }
  const float* K(int64_t bh) const { return k + bh * Tk * m; }
  const float* V(int64_t bh) const { return v + bh * Tk * dv; }
  const float* M(int64_t bh) const { return mask ? mask + (bh / H) * Tk : nullptr; }
};

La makeLa(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, float eps,
          Denominator mode) {
  return {q.dim(0), q.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3), q.data<float>(),
          k.data<float>(), v.data<float>(), mask.defined() ? mask.data<float>() : nullptr,
          eps, mode};
}

// S += ms * k_s v_s^T, z += ms * k_s over s in [s0, s1)
void addKv(const La& L, const float* K, const float* V, const float* M, int64_t s0, int64_t s1,
           float* S, float* z) {
  for (int64_t s = s0; s < s1; ++s) {
    const float ms = M ? M[s] : 1.f;
    if (ms == 0.f) continue;
    for (int64_t i = 0; i < L.m; ++i) {
      const float kv = ms * K[s * L.m + i];
      z[i] += kv;
      axpy(S + i * L.dv, kv, V + s * L.dv, L.dv);
    }
  }
}

// dnum_t = dy_t / den_t, dden_t = -(dy_t . y_t) / den_t (0 when clamped)
void outputGrads(const La& L, const float* Y, const float* D, const float* G, float* gnum,
                 float* gden) {
  for (int64_t t = 0; t < L.Tq; ++t) {
    const float dd = denomOf(D[t], L.eps, L.mode);
    const float inv = 1.f / dd;
    const float* gt = G + t * L.dv;
    for (int64_t e = 0; e < L.dv; ++e) gnum[t * L.dv + e] = gt[e] * inv;
    gden[t] = gradThrough(D[t], L.eps, L.mode) ? -dot(gt, Y + t * L.dv, L.dv) * inv : 0.f;
  }
}

// dst[i * kChunk + r] = scale_r * src[(s0 + r) * d + i], r < n (chunk rows transposed so
// that a row of scores is a sum of contiguous axpys, without horizontal reductions).
void transposeChunk(const float* src, const float* M, int64_t s0, int64_t n, int64_t d,
                    float* dst) {
  for (int64_t r = 0; r < n; ++r) {
    const float ms = M ? M[s0 + r] : 1.f;
    const float* row = src + (s0 + r) * d;
    for (int64_t i = 0; i < d; ++i) dst[i * kChunk + r] = ms * row[i];
  }
}

// row[0..n) = c + sum_i x[i] * Tm[i * kChunk + 0..n)
void scoreRow(const float* x, const float* Tm, int64_t d, int64_t n, float c, float* row) {
  for (int64_t r = 0; r < n; ++r) row[r] = c;
  for (int64_t i = 0; i < d; ++i) axpy(row, x[i], Tm + i * kChunk, n);
}

}  // namespace

void causalLinearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                                  const Tensor& mask, float eps, Denominator mode, Tensor& y,
                                  Tensor& den) {
  const La L = makeLa(q, k, v, mask, eps, mode);
  countMacs(L.B * L.H * L.Tq * L.m * (2 * L.dv + 1));
  if (referenceKernels()) return ref::causalLinearAttentionForward(q, k, v, mask, eps, mode, y, den);
  float* yp = y.data<float>();
  float* dp = den.data<float>();
  const int64_t T = L.Tq, m = L.m, dv = L.dv;
#pragma omp parallel if (L.B * L.H * T * m * dv > kParallelWork)
  {
    std::vector<float> S(static_cast<size_t>(m * dv)), z(static_cast<size_t>(m)),
        KT(static_cast<size_t>(m * kChunk)), row(static_cast<size_t>(kChunk));
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < L.B * L.H; ++bh) {
      const float *Q = L.Q(bh), *K = L.K(bh), *V = L.V(bh), *M = L.M(bh);
      float* Y = yp + bh * T * dv;
      float* D = dp + bh * T;
      std::fill(S.begin(), S.end(), 0.f);
      std::fill(z.begin(), z.end(), 0.f);
      for (int64_t t0 = 0; t0 < T; t0 += kChunk) {
        const int64_t t1 = std::min(T, t0 + kChunk);
        transposeChunk(K, M, t0, t1 - t0, m, KT.data());  // masked keys k~
        for (int64_t t = t0; t < t1; ++t) {
          const float* qt = Q + t * m;
          float* yt = Y + t * dv;
          std::fill(yt, yt + dv, 0.f);
          float dn = 0.f;
          if (t0 > 0) {  // earlier chunks through the running state
            for (int64_t i = 0; i < m; ++i) axpy(yt, qt[i], S.data() + i * dv, dv);
            dn = dot(qt, z.data(), m);
          }
          const int64_t n = t - t0 + 1;  // this chunk, quadratic: a_ts = q_t . k~_s
          scoreRow(qt, KT.data(), m, n, 0.f, row.data());
          for (int64_t r = 0; r < n; ++r) {
            axpy(yt, row[size_t(r)], V + (t0 + r) * dv, dv);
            dn += row[size_t(r)];
          }
          D[t] = dn;
          const float inv = 1.f / denomOf(dn, eps, mode);
          for (int64_t e = 0; e < dv; ++e) yt[e] *= inv;
        }
        if (t1 < T) addKv(L, K, V, M, t0, t1, S.data(), z.data());
      }
    }
  }
}

void causalLinearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                                   const Tensor& mask, float eps, Denominator mode,
                                   const Tensor& y, const Tensor& den, const Tensor& dy,
                                   Tensor& dq, Tensor& dk, Tensor& dv) {
  if (referenceKernels())
    return ref::causalLinearAttentionBackward(q, k, v, mask, eps, mode, y, den, dy, dq, dk, dv);
  const La L = makeLa(q, k, v, mask, eps, mode);
  const int64_t T = L.Tq, m = L.m, ndv = L.dv;
  const float* yp = y.data<float>();
  const float* dp = den.data<float>();
  const float* gp = dy.data<float>();
  float* gq = dq.defined() ? dq.data<float>() : nullptr;
  float* gk = dk.defined() ? dk.data<float>() : nullptr;
  float* gv = dv.defined() ? dv.data<float>() : nullptr;
#pragma omp parallel if (L.B * L.H * T * m * ndv > kParallelWork)
  {
    std::vector<float> S(static_cast<size_t>(m * ndv)), z(static_cast<size_t>(m)),
        gnum(static_cast<size_t>(T * ndv)), gden(static_cast<size_t>(T)),
        KT(static_cast<size_t>(m * kChunk)), VT(static_cast<size_t>(ndv * kChunk)),
        A(static_cast<size_t>(kChunk * kChunk)), GA(static_cast<size_t>(kChunk * kChunk)),
        gkt(static_cast<size_t>(m));
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < L.B * L.H; ++bh) {
      const float *Q = L.Q(bh), *K = L.K(bh), *V = L.V(bh), *M = L.M(bh);
      outputGrads(L, yp + bh * T * ndv, dp + bh * T, gp + bh * T * ndv, gnum.data(), gden.data());
      float* GQ = gq ? gq + bh * T * m : nullptr;
      float* GK = gk ? gk + bh * T * m : nullptr;
      float* GV = gv ? gv + bh * T * ndv : nullptr;
      // Inside each chunk: A[t][s] = q_t . k~_s and GA[t][s] = dnum_t . v_s + dden_t (s <= t):
      //   dq_t += sum_s GA k~_s,  dk~_s += sum_t GA q_t,  dv_s += sum_t A dnum_t.
      for (int64_t t0 = 0; t0 < T; t0 += kChunk) {
        const int64_t n = std::min(T, t0 + kChunk) - t0;
        transposeChunk(K, M, t0, n, m, KT.data());
        transposeChunk(V, nullptr, t0, n, ndv, VT.data());
        for (int64_t r = 0; r < n; ++r) {
          scoreRow(Q + (t0 + r) * m, KT.data(), m, r + 1, 0.f, A.data() + r * kChunk);
          scoreRow(gnum.data() + (t0 + r) * ndv, VT.data(), ndv, r + 1, gden[size_t(t0 + r)],
                   GA.data() + r * kChunk);
        }
        for (int64_t r = 0; r < n; ++r) {  // r = t - t0 for dq, s - t0 for dk and dv
          const float ms = M ? M[t0 + r] : 1.f;
          if (GQ)
            for (int64_t c = 0; c <= r; ++c) {
              const float mc = M ? M[t0 + c] : 1.f;
              axpy(GQ + (t0 + r) * m, GA[size_t(r * kChunk + c)] * mc, K + (t0 + c) * m, m);
            }
          if (ms == 0.f) continue;
          if (GK)
            for (int64_t c = r; c < n; ++c)
              axpy(GK + (t0 + r) * m, ms * GA[size_t(c * kChunk + r)], Q + (t0 + c) * m, m);
          if (GV)
            for (int64_t c = r; c < n; ++c)
              axpy(GV + (t0 + r) * ndv, A[size_t(c * kChunk + r)], gnum.data() + (t0 + c) * ndv,
                   ndv);
        }
      }
      if (T <= kChunk) continue;
      if (GQ) {  // earlier chunks: dq_t += S_{t0} dnum_t + z_{t0} dden_t, forward prefix sums
        std::fill(S.begin(), S.end(), 0.f);
        std::fill(z.begin(), z.end(), 0.f);
        for (int64_t t0 = 0; t0 < T; t0 += kChunk) {
          const int64_t t1 = std::min(T, t0 + kChunk);
          if (t0 > 0)
            for (int64_t t = t0; t < t1; ++t) {
              const float* gn = gnum.data() + t * ndv;
              float* gqt = GQ + t * m;
              for (int64_t i = 0; i < m; ++i)
                gqt[i] += dot(S.data() + i * ndv, gn, ndv) + z[size_t(i)] * gden[size_t(t)];
            }
          if (t1 < T) addKv(L, K, V, M, t0, t1, S.data(), z.data());
        }
      }
      if (GK || GV) {  // later chunks: reverse prefix sums U = sum q_t dnum_t^T, w = sum dden_t q_t
        float* U = S.data();
        float* w = z.data();
        std::fill(S.begin(), S.end(), 0.f);
        std::fill(z.begin(), z.end(), 0.f);
        const int64_t last = ((T - 1) / kChunk) * kChunk;
        for (int64_t t0 = last; t0 >= 0; t0 -= kChunk) {
          const int64_t t1 = std::min(T, t0 + kChunk);
          if (t1 < T)
            for (int64_t s = t0; s < t1; ++s) {
              const float ms = M ? M[s] : 1.f;
              if (ms == 0.f) continue;
              const float* vs = V + s * ndv;
              if (GK)
                for (int64_t i = 0; i < m; ++i)
                  GK[s * m + i] += ms * (dot(U + i * ndv, vs, ndv) + w[i]);
              if (GV) {
                const float* ks = K + s * m;
                for (int64_t i = 0; i < m; ++i) axpy(GV + s * ndv, ms * ks[i], U + i * ndv, ndv);
              }
            }
          if (t0 > 0)
            for (int64_t t = t0; t < t1; ++t) {
              const float* qt = Q + t * m;
              for (int64_t i = 0; i < m; ++i) {
                axpy(U + i * ndv, qt[i], gnum.data() + t * ndv, ndv);
                w[i] += gden[size_t(t)] * qt[i];
              }
            }
        }
      }
    }
  }
}

void linearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                            const Tensor& mask, float eps, Denominator mode, Tensor& y,
                            Tensor& den) {
  const La L = makeLa(q, k, v, mask, eps, mode);
  countMacs(L.B * L.H * (L.Tk * L.m * L.dv + L.Tq * L.m * (L.dv + 1)));
  if (referenceKernels()) return ref::linearAttentionForward(q, k, v, mask, eps, mode, y, den);
  float* yp = y.data<float>();
  float* dp = den.data<float>();
  const int64_t m = L.m, dv = L.dv;
#pragma omp parallel if (L.B * L.H * (L.Tq + L.Tk) * m * dv > kParallelWork)
  {
    std::vector<float> S(static_cast<size_t>(m * dv)), z(static_cast<size_t>(m));
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < L.B * L.H; ++bh) {
      std::fill(S.begin(), S.end(), 0.f);
      std::fill(z.begin(), z.end(), 0.f);
      addKv(L, L.K(bh), L.V(bh), L.M(bh), 0, L.Tk, S.data(), z.data());
      const float* Q = L.Q(bh);
      for (int64_t t = 0; t < L.Tq; ++t) {
        const float* qt = Q + t * m;
        float* yt = yp + (bh * L.Tq + t) * dv;
        std::fill(yt, yt + dv, 0.f);
        for (int64_t i = 0; i < m; ++i) axpy(yt, qt[i], S.data() + i * dv, dv);
        const float dn = dot(qt, z.data(), m);
        dp[bh * L.Tq + t] = dn;
        const float inv = 1.f / denomOf(dn, eps, mode);
        for (int64_t e = 0; e < dv; ++e) yt[e] *= inv;
      }
    }
  }
}

void linearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                             const Tensor& mask, float eps, Denominator mode, const Tensor& y,
                             const Tensor& den, const Tensor& dy, Tensor& dq, Tensor& dk,
                             Tensor& dv) {
  if (referenceKernels())
    return ref::linearAttentionBackward(q, k, v, mask, eps, mode, y, den, dy, dq, dk, dv);
  const La L = makeLa(q, k, v, mask, eps, mode);
  const int64_t m = L.m, ndv = L.dv, Tq = L.Tq, Tk = L.Tk;
  const float* yp = y.data<float>();
  const float* dp = den.data<float>();
  const float* gp = dy.data<float>();
  float* gq = dq.defined() ? dq.data<float>() : nullptr;
  float* gk = dk.defined() ? dk.data<float>() : nullptr;
  float* gv = dv.defined() ? dv.data<float>() : nullptr;
#pragma omp parallel if (L.B * L.H * (Tq + Tk) * m * ndv > kParallelWork)
  {
    std::vector<float> S(static_cast<size_t>(m * ndv)), z(static_cast<size_t>(m)),
        gnum(static_cast<size_t>(Tq * ndv)), gden(static_cast<size_t>(Tq));
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < L.B * L.H; ++bh) {
      const float *Q = L.Q(bh), *K = L.K(bh), *V = L.V(bh), *M = L.M(bh);
      outputGrads(L, yp + bh * Tq * ndv, dp + bh * Tq, gp + bh * Tq * ndv, gnum.data(),
                  gden.data());
      if (gq) {
        std::fill(S.begin(), S.end(), 0.f);
        std::fill(z.begin(), z.end(), 0.f);
        addKv(L, K, V, M, 0, Tk, S.data(), z.data());
        for (int64_t t = 0; t < Tq; ++t) {
          float* gqt = gq + (bh * Tq + t) * m;
          for (int64_t i = 0; i < m; ++i)
            gqt[i] += dot(S.data() + i * ndv, gnum.data() + t * ndv, ndv) +
                      z[size_t(i)] * gden[size_t(t)];
        }
      }
      if (gk || gv) {
        float* U = S.data();
        float* w = z.data();
        std::fill(S.begin(), S.end(), 0.f);
        std::fill(z.begin(), z.end(), 0.f);
        for (int64_t t = 0; t < Tq; ++t)
          for (int64_t i = 0; i < m; ++i) {
            axpy(U + i * ndv, Q[t * m + i], gnum.data() + t * ndv, ndv);
            w[i] += gden[size_t(t)] * Q[t * m + i];
          }
        for (int64_t s = 0; s < Tk; ++s) {
          const float ms = M ? M[s] : 1.f;
          if (ms == 0.f) continue;
          if (gk) {
            float* gks = gk + (bh * Tk + s) * m;
            for (int64_t i = 0; i < m; ++i) gks[i] += ms * (dot(U + i * ndv, V + s * ndv, ndv) + w[i]);
          }
          if (gv) {
            float* gvs = gv + (bh * Tk + s) * ndv;
            for (int64_t i = 0; i < m; ++i) axpy(gvs, ms * K[s * m + i], U + i * ndv, ndv);
          }
        }
      }
    }
  }
}

void linearAttentionStep(Tensor& S, Tensor& z, const Tensor& q, const Tensor& k,
                         const Tensor& v, float eps, Denominator mode, Tensor& out) {
  const int64_t N = q.dim(0), H = q.dim(1), m = q.dim(2), dv = v.dim(2);
  countMacs(N * H * m * (2 * dv + 1));
  if (referenceKernels()) return ref::linearAttentionStep(S, z, q, k, v, eps, mode, out);
  float* Sp = S.data<float>();
  float* zp = z.data<float>();
  const float* qp = q.data<float>();
  const float* kp = k.data<float>();
  const float* vp = v.data<float>();
  float* op = out.data<float>();
#pragma omp parallel for schedule(static) if (N * H * m * dv > kParallelWork)
  for (int64_t nh = 0; nh < N * H; ++nh) {
    float* Sn = Sp + nh * m * dv;
    float* zn = zp + nh * m;
    const float* qn = qp + nh * m;
    const float* kn = kp + nh * m;
    float* on = op + nh * dv;
    for (int64_t i = 0; i < m; ++i) {
      zn[i] += kn[i];
      axpy(Sn + i * dv, kn[i], vp + nh * dv, dv);
    }
    std::fill(on, on + dv, 0.f);
    for (int64_t i = 0; i < m; ++i) axpy(on, qn[i], Sn + i * dv, dv);
    const float inv = 1.f / denomOf(dot(qn, zn, m), eps, mode);
    for (int64_t e = 0; e < dv; ++e) on[e] *= inv;
  }
}

}  // namespace lt::kernels
