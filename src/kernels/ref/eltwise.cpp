#include "kernels/ref/eltwise.h"

#include <cmath>

namespace lt::kernels::ref {

float eltwiseValue(EltwiseKind k, float xf, float alpha, float beta) {
  double x = xf;
  switch (k) {
    case EltwiseKind::Relu: return x > 0 ? xf : 0.f;
    case EltwiseKind::Gelu: return float(0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))));
    case EltwiseKind::Elu: return x > 0 ? xf : float(alpha * std::expm1(x));
    case EltwiseKind::Sigmoid: return float(1.0 / (1.0 + std::exp(-x)));
    case EltwiseKind::Exp: return float(std::exp(x));
    case EltwiseKind::Tanh: return float(std::tanh(x));
    case EltwiseKind::Linear: return float(double(alpha) * x + double(beta));
  }
  return 0.f;
}

float eltwiseDerivative(EltwiseKind k, float xf, float alpha, float beta) {
  double x = xf;
  switch (k) {
    case EltwiseKind::Relu: return x > 0 ? 1.f : 0.f;
    case EltwiseKind::Gelu: {
      const double kInvSqrt2Pi = 0.3989422804014327;
      double cdf = 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
      return float(cdf + x * kInvSqrt2Pi * std::exp(-0.5 * x * x));
    }
    case EltwiseKind::Elu: return x > 0 ? 1.f : float(alpha * std::exp(x));
    case EltwiseKind::Sigmoid: {
      double s = 1.0 / (1.0 + std::exp(-x));
      return float(s * (1.0 - s));
    }
    case EltwiseKind::Exp: return float(std::exp(x));
    case EltwiseKind::Tanh: {
      double t = std::tanh(x);
      return float(1.0 - t * t);
    }
    case EltwiseKind::Linear: return alpha;
  }
  return 0.f;
}

Tensor eltwiseForward(EltwiseKind k, const Tensor& x, float alpha, float beta) {
  Tensor y = Tensor::empty(x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t i = 0; i < x.elements(); ++i) py[i] = eltwiseValue(k, px[i], alpha, beta);
  return y;
}

Tensor eltwiseBackward(EltwiseKind k, const Tensor& x, const Tensor& y, const Tensor& dy,
                       float alpha, float beta) {
  Tensor dx = Tensor::empty(dy.shape());
  const float* px = x.data<float>();
  const float* pd = dy.data<float>();
  float* po = dx.data<float>();
  for (int64_t i = 0; i < dy.elements(); ++i)
    po[i] = eltwiseDerivative(k, px[i], alpha, beta) * pd[i];
  return dx;
}

}  // namespace lt::kernels::ref
