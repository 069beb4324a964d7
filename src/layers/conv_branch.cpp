#include "layers/conv_branch.h"

#include <cstring>

#include "common/profiler.h"
#include "ops/binary.h"
#include "ops/dynamic_conv.h"
#include "ops/glu.h"
#include "ops/lightconv.h"
#include "ops/shape_ops.h"

namespace lt::layers {

ConvBranch::ConvBranch(ParamBuilder& pb, const Scope& scope, Kind kind, int dim, int heads,
                       int kernel, bool glu, bool causal, float weightDropout)
    : kind_(kind), dim_(dim), heads_(heads), k_(kernel), glu_(glu), causal_(causal),
      weightDrop_(weightDropout) {
  LT_CHECK(heads >= 1 && dim % heads == 0, ConfigError,
           "conv branch {}: width {} is not divisible by heads {}", scope.str(), dim, heads);
  LT_CHECK(kernel >= 1, ConfigError, "conv branch {}: kernel size {} < 1", scope.str(), kernel);
  padLeft_ = causal ? kernel - 1 : (kernel % 2 == 1 ? kernel / 2 : (kernel - 1) / 2);
  linear1_ = Linear(pb, scope / "linear1", dim, glu ? 2 * dim : dim);
  if (kind == Kind::Light)
    weight_ = pb.add(scope / "weight", Shape{heads, kernel},
                     Init::xavier(1.f, kernel, int64_t(heads) * kernel));
  else
    kernelGen_ = Linear(pb, scope / "kernel_gen", dim, heads * kernel, false);
  linear2_ = Linear(pb, scope / "linear2", dim, dim);
}

Var ConvBranch::convInput(const Var& x) const {
  Var h = linear1_(x);
  return glu_ ? ops::glu(h) : h;
}

Var ConvBranch::forward(const Var& x, const Tensor& keep, RunCtx& ctx) const {
  Var h = convInput(x);                       // [B, T, b]
  if (keep.defined()) h = ops::mul(h, Var(keep));
  uint64_t stream = ctx.nextStream();
  float p = ctx.rate(weightDrop_);
  Var y;
  if (kind_ == Kind::Light) {
    y = ops::lightConv(h, weight_, padLeft_, p, ctx.seed, stream);
  } else {
    int64_t B = h.dim(0), T = h.dim(1);
    Var ker = ops::reshape(kernelGen_(h), Shape{B, T, heads_, k_});  // [B, T, H, k]
    y = ops::dynamicConv(h, ker, padLeft_, p, ctx.seed, stream);
  }
  return linear2_(y);
}

ConvWindow ConvBranch::allocWindow(int capacity) const {
  HeapScope heap;
  return ConvWindow{Tensor::zeros(Shape{capacity, k_, dim_})};
}

Var ConvBranch::step(const Var& x, ConvWindow& w) const {
  LT_CHECK(causal_, Error, "conv branch: step() is only defined for causal (decoder) branches");
  int N = int(x.dim(0));
  LT_CHECK(N <= w.buf.dim(0), ShapeError, "decoder step: {} rows exceed state capacity {}", N,
           w.buf.dim(0));
  Var h = convInput(x);  // [N, 1, b]
  Tensor ker;
  if (kind_ == Kind::Dynamic) ker = kernelGen_(h).value().reshape(Shape{N, heads_, k_});  // [N, H, k]
  Tensor y;
  {
    profiler::Section ps("conv_step");  // window update + step kernel: not ops
    float* buf = w.buf.data<float>();
    const float* hv = h.value().data<float>();
    const size_t rowBytes = sizeof(float) * size_t(dim_);
    for (int n = 0; n < N; ++n)
      std::memcpy(buf + (int64_t(n) * k_ + w.next) * dim_, hv + int64_t(n) * dim_, rowBytes);
    w.next = (w.next + 1) % k_;  // now the oldest slot
    Tensor window = w.buf.slice(0, N);  // [N, k, b]
    y = kind_ == Kind::Light ? ops::lightConvStep(window, weight_.value(), true, w.next)
                             : ops::dynamicConvStep(window, ker, true, w.next);
  }
  return linear2_(Var(y.reshape(Shape{N, 1, dim_})));
}

}  // namespace lt::layers
