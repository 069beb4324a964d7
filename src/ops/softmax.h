// Softmax and log-softmax over the last axis, with an optional additive mask.
#pragma once
#include "autodiff/var.h"

namespace lt::ops {

// x [..., N] -> [..., N]. mask: undefined, or f32 with x's rank and each dim
// equal to x's or 1 (e.g. [B,1,1,S] key padding with -inf, [1,1,T,T] causal);
// it takes no gradient. A row masked entirely (-inf everywhere) gives zeros
// from softmax and -inf from logSoftmax, with zero gradient (never NaN).
Var softmax(const Var& x, const Tensor& mask = Tensor());
Var logSoftmax(const Var& x, const Tensor& mask = Tensor());

}  // namespace lt::ops
