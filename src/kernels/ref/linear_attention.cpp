#include "kernels/ref/linear_attention.h"

#include <algorithm>
#include <vector>

namespace lt::kernels::ref {

namespace {

struct Dims {
  int64_t B, H, Tq, Tk, m, dv;
};

Dims dimsOf(const Tensor& q, const Tensor& k, const Tensor& v) {
  return {q.dim(0), q.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3)};
}

double denom(double x, float eps, Denominator mode) {
  return mode == Denominator::AddEps ? x + eps : (x > eps ? x : double(eps));
}

double maskAt(const Tensor& mask, int64_t b, int64_t s, int64_t Tk) {
  return mask.defined() ? double(mask.data<float>()[b * Tk + s]) : 1.0;
}

// a_ts = mask_s * (q_t . k_s)
double score(const Dims& d, const float* q, const float* k, const Tensor& mask, int64_t b,
             int64_t h, int64_t t, int64_t s) {
  const float* qt = q + ((b * d.H + h) * d.Tq + t) * d.m;
  const float* ks = k + ((b * d.H + h) * d.Tk + s) * d.m;
  double a = 0;
  for (int64_t i = 0; i < d.m; ++i) a += double(qt[i]) * ks[i];
  return a * maskAt(mask, b, s, d.Tk);
}

void forward(bool causal, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
             float eps, Denominator mode, Tensor& y, Tensor& den) {
  const Dims d = dimsOf(q, k, v);
  const float* qp = q.data<float>();
  const float* kp = k.data<float>();
  const float* vp = v.data<float>();
  float* yp = y.data<float>();
  float* dp = den.data<float>();
  std::vector<double> num(static_cast<size_t>(d.dv));
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t t = 0; t < d.Tq; ++t) {
        const int64_t sEnd = causal ? t + 1 : d.Tk;
        std::fill(num.begin(), num.end(), 0.0);
        double dn = 0;
        for (int64_t s = 0; s < sEnd; ++s) {
          const double a = score(d, qp, kp, mask, b, h, t, s);
          const float* vs = vp + ((b * d.H + h) * d.Tk + s) * d.dv;
          for (int64_t e = 0; e < d.dv; ++e) num[size_t(e)] += a * vs[e];
          dn += a;
        }
        const double dd = denom(dn, eps, mode);
        const int64_t row = (b * d.H + h) * d.Tq + t;
        for (int64_t e = 0; e < d.dv; ++e) yp[row * d.dv + e] = float(num[size_t(e)] / dd);
        dp[row] = float(dn);
      }
}

void backward(bool causal, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
              float eps, Denominator mode, const Tensor& dy, Tensor& dq, Tensor& dk, Tensor& dv) {
  const Dims d = dimsOf(q, k, v);
  const float* qp = q.data<float>();
  const float* kp = k.data<float>();
  const float* vp = v.data<float>();
  const float* gy = dy.data<float>();
  std::vector<double> gq(static_cast<size_t>(d.B * d.H * d.Tq * d.m), 0.0);
  std::vector<double> gk(static_cast<size_t>(d.B * d.H * d.Tk * d.m), 0.0);
  std::vector<double> gv(static_cast<size_t>(d.B * d.H * d.Tk * d.dv), 0.0);
  std::vector<double> num(static_cast<size_t>(d.dv)), gnum(static_cast<size_t>(d.dv));
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t t = 0; t < d.Tq; ++t) {
        const int64_t sEnd = causal ? t + 1 : d.Tk;
        const int64_t row = (b * d.H + h) * d.Tq + t;
        // recompute num_t and den_t
        std::fill(num.begin(), num.end(), 0.0);
        double dn = 0;
        for (int64_t s = 0; s < sEnd; ++s) {
          const double a = score(d, qp, kp, mask, b, h, t, s);
          const float* vs = vp + ((b * d.H + h) * d.Tk + s) * d.dv;
          for (int64_t e = 0; e < d.dv; ++e) num[size_t(e)] += a * vs[e];
          dn += a;
        }
        const double dd = denom(dn, eps, mode);
        const bool through = mode == Denominator::AddEps || dn > eps;
        double gyNum = 0;
        for (int64_t e = 0; e < d.dv; ++e) {
          gnum[size_t(e)] = gy[row * d.dv + e] / dd;
          gyNum += gy[row * d.dv + e] * num[size_t(e)];
        }
        const double gden = through ? -gyNum / (dd * dd) : 0.0;
        for (int64_t s = 0; s < sEnd; ++s) {
          const int64_t krow = (b * d.H + h) * d.Tk + s;
          const double ms = maskAt(mask, b, s, d.Tk);
          const double a = score(d, qp, kp, mask, b, h, t, s);
          double ga = gden;
          for (int64_t e = 0; e < d.dv; ++e) ga += gnum[size_t(e)] * vp[krow * d.dv + e];
          for (int64_t i = 0; i < d.m; ++i) {
            gq[size_t(row * d.m + i)] += ga * ms * kp[krow * d.m + i];
            gk[size_t(krow * d.m + i)] += ga * ms * qp[row * d.m + i];
          }
          for (int64_t e = 0; e < d.dv; ++e) gv[size_t(krow * d.dv + e)] += a * gnum[size_t(e)];
        }
      }
  auto addTo = [](Tensor& g, const std::vector<double>& src) {
    if (!g.defined()) return;
    float* p = g.data<float>();
    for (size_t i = 0; i < src.size(); ++i) p[i] += float(src[i]);
  };
  addTo(dq, gq);
  addTo(dk, gk);
  addTo(dv, gv);
}

}  // namespace

void causalLinearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                                  const Tensor& mask, float eps, Denominator mode, Tensor& y,
                                  Tensor& den) {
  forward(true, q, k, v, mask, eps, mode, y, den);
}

void causalLinearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                                   const Tensor& mask, float eps, Denominator mode,
                                   const Tensor&, const Tensor&, const Tensor& dy, Tensor& dq,
                                   Tensor& dk, Tensor& dv) {
  backward(true, q, k, v, mask, eps, mode, dy, dq, dk, dv);
}

void linearAttentionForward(const Tensor& q, const Tensor& k, const Tensor& v,
                            const Tensor& mask, float eps, Denominator mode, Tensor& y,
                            Tensor& den) {
  forward(false, q, k, v, mask, eps, mode, y, den);
}

void linearAttentionBackward(const Tensor& q, const Tensor& k, const Tensor& v,
                             const Tensor& mask, float eps, Denominator mode, const Tensor&,
                             const Tensor&, const Tensor& dy, Tensor& dq, Tensor& dk,
                             Tensor& dv) {
  backward(false, q, k, v, mask, eps, mode, dy, dq, dk, dv);
}

void linearAttentionStep(Tensor& S, Tensor& z, const Tensor& q, const Tensor& k,
                         const Tensor& v, float eps, Denominator mode, Tensor& out) {
  const int64_t N = q.dim(0), H = q.dim(1), m = q.dim(2), dv = v.dim(2);
  float* Sp = S.data<float>();
  float* zp = z.data<float>();
  const float* qp = q.data<float>();
  const float* kp = k.data<float>();
  const float* vp = v.data<float>();
  float* op = out.data<float>();
  for (int64_t nh = 0; nh < N * H; ++nh) {
    for (int64_t i = 0; i < m; ++i) {
      zp[nh * m + i] += kp[nh * m + i];
      for (int64_t e = 0; e < dv; ++e) Sp[(nh * m + i) * dv + e] += kp[nh * m + i] * vp[nh * dv + e];
    }
    double dn = 0;
    for (int64_t i = 0; i < m; ++i) dn += double(qp[nh * m + i]) * zp[nh * m + i];
    const double dd = denom(dn, eps, mode);
    for (int64_t e = 0; e < dv; ++e) {
      double s = 0;
      for (int64_t i = 0; i < m; ++i) s += double(qp[nh * m + i]) * Sp[(nh * m + i) * dv + e];
      op[nh * dv + e] = float(s / dd);
    }
  }
}

}  // namespace lt::kernels::ref
