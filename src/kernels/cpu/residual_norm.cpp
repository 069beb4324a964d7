// Fused dropout + residual add + layer norm for training (kernels/residual_norm.h).
//
// Rows are processed in groups whose element count is a multiple of the 64-element mask chunk
// (kernels/cpu/philox.h), so a group draws whole chunks of its own elements only (the vector
// path) and any thread split gives the flat-index mask of kernels::dropoutForward. Within a group the sums
// are written first, then each row is normalised while they are still in cache.
#include "kernels/residual_norm.h"

#include <omp.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "common/error.h"
#include "kernels/backend.h"
#include "kernels/cpu/layer_norm.h"
#include "kernels/cpu/philox.h"
#include "kernels/ref/residual_norm.h"

namespace lt::kernels {

namespace {

struct Geometry {
  int64_t c, rows, groupRows, groups;
  explicit Geometry(const Tensor& t)
      : c(t.rank() ? t.dim(-1) : 0),
        rows(c ? t.elements() / c : 0),
        groupRows(c ? cpu::kMaskChunk / std::gcd(c, cpu::kMaskChunk) : 1),
        groups((rows + groupRows - 1) / groupRows) {}
  int64_t rowEnd(int64_t g) const { return std::min(rows, (g + 1) * groupRows); }
};

void checkShapes(const char* what, const Tensor& a, const Tensor& b, const Tensor& gamma) {
  const int64_t c = a.rank() ? a.dim(-1) : 0;
  LT_CHECK(a.shape() == b.shape() && a.rank() >= 1 && gamma.rank() == 1 && gamma.dim(0) == c,
           ShapeError, "{}: {} and {} with gamma {}: need one shape [..., C] and gamma [C]", what,
           a.shape().toString(), b.shape().toString(), gamma.shape().toString());
}

int threadsFor(int64_t elements) { return elements >= 32768 ? omp_get_max_threads() : 1; }

}  // namespace

ResidualNormResult dropoutAddLayerNormForward(const Tensor& a, const Tensor& b, float p,
                                              uint64_t seed, uint64_t stream, const Tensor& gamma,
                                              const Tensor& beta, float eps) {
  checkShapes("dropoutAddLayerNorm", a, b, gamma);
  if (referenceKernels())
    return ref::dropoutAddLayerNormForward(a, b, p, seed, stream, gamma, beta, eps);
  const Geometry geo(a);
  const int64_t c = geo.c;
  ResidualNormResult r{Tensor::empty(a.shape()), LayerNormResult::empty(a.shape(), geo.rows)};
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  const float* g = gamma.data<float>();
  const float* be = beta.data<float>();
  float* ps = r.sum.data<float>();
  float* py = r.ln.y.data<float>();
  float* pm = r.ln.mean.data<float>();
  float* pv = r.ln.var.data<float>();
#pragma omp parallel for schedule(static) num_threads(threadsFor(a.elements()))
  for (int64_t grp = 0; grp < geo.groups; ++grp) {
    const int64_t r0 = grp * geo.groupRows, r1 = geo.rowEnd(grp);
    cpu::dropoutSpan(r0 * c, (r1 - r0) * c, pb + r0 * c, pa + r0 * c, ps + r0 * c, p, seed, stream);
    for (int64_t i = r0; i < r1; ++i) {
      cpu::normalizeRow(ps + i * c, py + i * c, g, be, c, eps, pm[i], pv[i]);
    }
  }
  return r;
}

ResidualNormGrads dropoutAddLayerNormBackward(const Tensor& dy, const Tensor& sum,
                                              const Tensor& mean, const Tensor& var,
                                              const Tensor& gamma, float p, uint64_t seed,
                                              uint64_t stream, float eps, bool needA, bool needB) {
  checkShapes("dropoutAddLayerNorm backward", dy, sum, gamma);
  if (referenceKernels())
    return ref::dropoutAddLayerNormBackward(dy, sum, mean, var, gamma, p, seed, stream, eps, needA,
                                            needB);
  const Geometry geo(sum);
  const int64_t c = geo.c;
  ResidualNormGrads r;
  if (needA) r.da = Tensor::empty(sum.shape());
  if (needB) r.db = Tensor::empty(sum.shape());
  r.dgamma = Tensor::empty(Shape{c});
  r.dbeta = Tensor::empty(Shape{c});
  const float* pdy = dy.data<float>();
  const float* ps = sum.data<float>();
  const float* pm = mean.data<float>();
  const float* pv = var.data<float>();
  const float* g = gamma.data<float>();
  float* pda = needA ? r.da.data<float>() : nullptr;
  float* pdb = needB ? r.db.data<float>() : nullptr;
  const int maxThreads = threadsFor(sum.elements());
  // Per-thread partial sums of dgamma | dbeta, added in thread order afterwards.
  std::vector<float> partial(size_t(maxThreads) * size_t(2 * c), 0.f);
  int used = 1;
#pragma omp parallel num_threads(maxThreads)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
#pragma omp single
    used = nt;
    float* dg = partial.data() + size_t(t) * size_t(2 * c);
    float* dbt = dg + c;
    // ds rows of one group when da is not wanted (else ds is written into da).
    std::vector<float> scratch(pda ? 0 : size_t(geo.groupRows * c));
    const int64_t g0 = geo.groups * t / nt, g1 = geo.groups * (t + 1) / nt;
    for (int64_t grp = g0; grp < g1; ++grp) {
      const int64_t r0 = grp * geo.groupRows, r1 = geo.rowEnd(grp);
      float* dsBase = pda ? pda + r0 * c : scratch.data();
      for (int64_t i = r0; i < r1; ++i) {
        const float* si = ps + i * c;
        const float* dyi = pdy + i * c;
        float* ds = dsBase + (i - r0) * c;
        const float mu = pm[i], rstd = 1.f / std::sqrt(pv[i] + eps);
        // xhat = (s - mean) * rstd; gx = dy * gamma;
        // ds = rstd * (gx - mean(gx) - xhat * mean(gx * xhat)).
        float m1 = 0.f, m2 = 0.f;
#pragma omp simd reduction(+ : m1, m2)
        for (int64_t j = 0; j < c; ++j) {
          const float xh = (si[j] - mu) * rstd, gx = dyi[j] * g[j];
          m1 += gx;
          m2 += gx * xh;
          dg[j] += dyi[j] * xh;
          dbt[j] += dyi[j];
        }
        m1 /= float(c);
        m2 /= float(c);
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) {
          const float xh = (si[j] - mu) * rstd;
          ds[j] = rstd * (dyi[j] * g[j] - m1 - xh * m2);
        }
      }
      if (pdb) cpu::dropoutSpan(r0 * c, (r1 - r0) * c, dsBase, nullptr, pdb + r0 * c, p, seed, stream);
    }
  }
  float* dgOut = r.dgamma.data<float>();
  float* dbOut = r.dbeta.data<float>();
  for (int64_t j = 0; j < c; ++j) dgOut[j] = dbOut[j] = 0.f;
  for (int t = 0; t < used; ++t) {
    const float* dg = partial.data() + size_t(t) * size_t(2 * c);
    for (int64_t j = 0; j < c; ++j) {
      dgOut[j] += dg[j];
      dbOut[j] += dg[c + j];
    }
  }
  return r;
}

}  // namespace lt::kernels
