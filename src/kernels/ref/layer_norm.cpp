#include "kernels/ref/layer_norm.h"

#include <cmath>
#include <vector>

namespace lt::kernels::ref {

LayerNormResult layerNormForward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 float eps) {
  int64_t c = x.shape()[-1];
  int64_t rows = c ? x.elements() / c : 0;
  LayerNormResult r = LayerNormResult::empty(x.shape(), rows);
  const float* px = x.data<float>();
  const float* g = gamma.data<float>();
  const float* b = beta.data<float>();
  float* py = r.y.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = px + i * c;
    double m = 0, v = 0;
    for (int64_t j = 0; j < c; ++j) m += xr[j];
    m /= double(c);
    for (int64_t j = 0; j < c; ++j) v += (xr[j] - m) * (xr[j] - m);
    v /= double(c);
    double rs = 1.0 / std::sqrt(v + double(eps));
    for (int64_t j = 0; j < c; ++j) py[i * c + j] = float((xr[j] - m) * rs * g[j] + b[j]);
    r.mean.data<float>()[i] = float(m);
    r.var.data<float>()[i] = float(v);
  }
  return r;
}

LayerNormGrads layerNormBackward(const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                 const Tensor& var, const Tensor& dy, float eps) {
  int64_t c = x.shape()[-1];
  int64_t rows = c ? x.elements() / c : 0;
  LayerNormGrads r;
  r.dx = Tensor::empty(x.shape());
  std::vector<double> dg(size_t(c), 0.0), db(size_t(c), 0.0);
  const float* px = x.data<float>();
  const float* pd = dy.data<float>();
  const float* g = gamma.data<float>();
  float* pdx = r.dx.data<float>();
  for (int64_t i = 0; i < rows; ++i) {
    double m = mean.data<float>()[i];
    double rs = 1.0 / std::sqrt(double(var.data<float>()[i]) + double(eps));
    // dxhat = dy * gamma; dx = rs * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
    double s1 = 0, s2 = 0;
    for (int64_t j = 0; j < c; ++j) {
      double xh = (px[i * c + j] - m) * rs;
      double dxh = double(pd[i * c + j]) * g[j];
      s1 += dxh;
      s2 += dxh * xh;
      dg[size_t(j)] += double(pd[i * c + j]) * xh;
      db[size_t(j)] += pd[i * c + j];
    }
    s1 /= double(c);
    s2 /= double(c);
    for (int64_t j = 0; j < c; ++j) {
      double xh = (px[i * c + j] - m) * rs;
      double dxh = double(pd[i * c + j]) * g[j];
      pdx[i * c + j] = float(rs * (dxh - s1 - xh * s2));
    }
  }
  r.dgamma = Tensor::empty(Shape{c});
  r.dbeta = Tensor::empty(Shape{c});
  for (int64_t j = 0; j < c; ++j) {
    r.dgamma.data<float>()[j] = float(dg[size_t(j)]);
    r.dbeta.data<float>()[j] = float(db[size_t(j)]);
  }
  return r;
}

}  // namespace lt::kernels::ref
