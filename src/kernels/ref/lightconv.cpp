#include "kernels/ref/lightconv.h"

#include <cmath>
#include <vector>

#include "common/rng.h"

namespace lt::kernels::ref {

void normalizeConvKernel(const Tensor& raw, bool softmax, float p, uint64_t seed,
                         uint64_t stream, Tensor& wn, Tensor& w) {
  const int64_t k = raw.dim(-1);
  const int64_t rows = raw.elements() / k;
  const float* r = raw.data<float>();
  float* a = wn.data<float>();
  float* o = w.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    const float* ri = r + i * k;
    float* ai = a + i * k;
    if (softmax) {
      float mx = ri[0];
      for (int64_t j = 1; j < k; ++j) mx = std::max(mx, ri[j]);
      double s = 0;
      for (int64_t j = 0; j < k; ++j) s += std::exp(double(ri[j]) - mx);
      for (int64_t j = 0; j < k; ++j) ai[j] = float(std::exp(double(ri[j]) - mx) / s);
    } else {
      for (int64_t j = 0; j < k; ++j) ai[j] = ri[j];
    }
  }
  const int64_t n = raw.elements();
  for (int64_t e = 0; e < n; ++e) {
    if (p > 0.f) {
      bool drop = philoxUniform(seed, stream, uint64_t(e)) < p;
      o[e] = drop ? 0.f : a[e] / (1.f - p);
    } else {
      o[e] = a[e];
    }
  }
}

void normalizeConvKernelBackward(const Tensor& dw, const Tensor& wn, bool softmax, float p,
                                 uint64_t seed, uint64_t stream, Tensor& draw) {
  const int64_t k = wn.dim(-1);
  const int64_t rows = wn.elements() / k;
  const float* g = dw.data<float>();
  const float* a = wn.data<float>();
  float* d = draw.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    // gn = dL/dwn (through the drop mask)
    double dot = 0;
    std::vector<double> gn(static_cast<size_t>(k));
    for (int64_t j = 0; j < k; ++j) {
      int64_t e = i * k + j;
      double gj = g[e];
      if (p > 0.f) gj = philoxUniform(seed, stream, uint64_t(e)) < p ? 0.0 : gj / (1.0 - p);
      gn[size_t(j)] = gj;
      dot += gj * a[e];
    }
    for (int64_t j = 0; j < k; ++j) {
      int64_t e = i * k + j;
      d[e] += softmax ? float(a[e] * (gn[size_t(j)] - dot)) : float(gn[size_t(j)]);
    }
  }
}

void lightConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y) {
  const int64_t B = x.dim(0), T = x.dim(1), C = x.dim(2), H = w.dim(0), k = w.dim(1);
  const int64_t R = C / H;
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t c = 0; c < C; ++c) {
        double s = 0;
        for (int64_t j = 0; j < k; ++j) {
          int64_t src = t + j - padLeft;
          if (src < 0 || src >= T) continue;
          s += double(wp[(c / R) * k + j]) * xp[(b * T + src) * C + c];
        }
        yp[(b * T + t) * C + c] = float(s);
      }
}

void lightConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx) {
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = w.dim(0), k = w.dim(1);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* wp = w.data<float>();
  float* d = dx.data<float>();
  // Scatter form of the forward: y[t] gets w[j] * x[t + j - padLeft].
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < k; ++j) {
        int64_t src = t + j - padLeft;
        if (src < 0 || src >= T) continue;
        for (int64_t c = 0; c < C; ++c)
          d[(b * T + src) * C + c] += wp[(c / R) * k + j] * g[(b * T + t) * C + c];
      }
}

void lightConvBackwardWeight(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw) {
  const int64_t B = dy.dim(0), T = dy.dim(1), C = dy.dim(2), H = dw.dim(0), k = dw.dim(1);
  const int64_t R = C / H;
  const float* g = dy.data<float>();
  const float* xp = x.data<float>();
  float* d = dw.data<float>();
  for (int64_t h = 0; h < H; ++h)
    for (int64_t j = 0; j < k; ++j) {
      double s = 0;
      for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t) {
          int64_t src = t + j - padLeft;
          if (src < 0 || src >= T) continue;
          for (int64_t c = h * R; c < (h + 1) * R; ++c)
            s += double(g[(b * T + t) * C + c]) * xp[(b * T + src) * C + c];
        }
      d[h * k + j] += float(s);
    }
}

void lightConvStep(const Tensor& window, const Tensor& w, Tensor& y) {
  const int64_t N = window.dim(0), k = window.dim(1), C = window.dim(2), H = w.dim(0);
  const int64_t R = C / H;
  const float* xp = window.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double s = 0;
      for (int64_t j = 0; j < k; ++j) s += double(wp[(c / R) * k + j]) * xp[(n * k + j) * C + c];
      yp[n * C + c] = float(s);
    }
}

}  // namespace lt::kernels::ref
