#include "kernels/ref/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace lt::kernels::ref {

namespace {
double smoothingEps(float epsilon, int64_t v) { return v > 1 ? double(epsilon) / double(v - 1) : 0.0; }
}  // namespace

CrossEntropySums crossEntropyForward(const Tensor& logits, const Tensor& targets, float epsilon,
                                     int padId, Tensor& lse) {
  int64_t n = logits.dim(0), v = logits.dim(1);
  const float* x = logits.data<float>();
  const int32_t* t = targets.data<int32_t>();
  float* l = lse.data<float>();
  double epsI = smoothingEps(epsilon, v);
  CrossEntropySums s;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = x + i * v;
    double m = row[0];
    for (int64_t j = 1; j < v; ++j) m = std::max(m, double(row[j]));
    double z = 0;
    for (int64_t j = 0; j < v; ++j) z += std::exp(double(row[j]) - m);
    double lz = m + std::log(z);
    l[i] = float(lz);
    if (t[i] == padId) continue;
    double nll = lz - row[t[i]];
    double smooth = 0;
    for (int64_t j = 0; j < v; ++j) smooth += lz - row[j];
    s.loss += (1.0 - epsilon - epsI) * nll + epsI * smooth;
    s.nll += nll;
    s.tokens += 1;
  }
  return s;
}

void crossEntropyBackward(const Tensor& logits, const Tensor& targets, const Tensor& lse,
                          float epsilon, int padId, float gradOut, Tensor& dlogits,
                          bool accumulate) {
  int64_t n = logits.dim(0), v = logits.dim(1);
  const float* x = logits.data<float>();
  const int32_t* t = targets.data<int32_t>();
  const float* l = lse.data<float>();
  float* d = dlogits.data<float>();
  double epsI = smoothingEps(epsilon, v);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < v; ++j) {
      double g = 0;
      if (t[i] != padId) {
        double q = epsI + (j == t[i] ? 1.0 - epsilon - epsI : 0.0);
        g = double(gradOut) * (std::exp(double(x[i * v + j]) - l[i]) - q);
      }
      float& out = d[i * v + j];
      out = accumulate ? out + float(g) : float(g);
    }
  }
}

}  // namespace lt::kernels::ref
