// Reference softmax / log-softmax (plain loops, double accumulation).
#pragma once
#include "kernels/softmax.h"

namespace lt::kernels::ref {

Tensor softmaxForward(const Tensor& x, const Tensor& mask, bool logSoftmax);
Tensor logSoftmaxShifts(const Tensor& x);  // max + log Σ exp(x - max) per row, in double
Tensor softmaxBackward(const Tensor& y, const Tensor& dy, bool logSoftmax);

}  // namespace lt::kernels::ref
