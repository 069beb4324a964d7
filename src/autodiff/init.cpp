#include "autodiff/init.h"

#include <cmath>

namespace lt {

void initialize(Tensor& t, const Init& init, Rng& rng) {
  float* p = t.data<float>();
  int64_t n = t.elements();
  switch (init.kind) {
    case Init::Kind::Zeros: t.zero(); return;
    case Init::Kind::None: return;
    case Init::Kind::Ones: t.fill(1.f); return;
    case Init::Kind::Constant: t.fill(init.a); return;
    case Init::Kind::Uniform:
      for (int64_t i = 0; i < n; ++i) p[i] = rng.uniform(-init.a, init.a);
      return;
    case Init::Kind::Normal:
      for (int64_t i = 0; i < n; ++i) p[i] = rng.normal(0.f, init.a);
      return;
    case Init::Kind::XavierUniform: {
      int64_t fanIn = init.fanIn, fanOut = init.fanOut;
      if (fanIn == 0 || fanOut == 0) {
        LT_CHECK(t.rank() >= 2, ShapeError, "xavier init needs a 2-D weight, got {}",
                 t.shape().toString());
        fanOut = t.dim(0);
        fanIn = t.elements() / fanOut;
      }
      float bound = init.a * std::sqrt(6.f / float(fanIn + fanOut));
      for (int64_t i = 0; i < n; ++i) p[i] = rng.uniform(-bound, bound);
      return;
    }
  }
}

}  // namespace lt
