// Gated linear unit over the last axis: x [..., 2C] -> y [..., C],
// y = a * sigmoid(b) with a = x[..., :C], b = x[..., C:].
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels {

void gluForward(const Tensor& x, Tensor& y);
// dx [..., 2C] (=, or += when accumulate): da = dy * s, db = dy * a * s * (1 - s), s = sigmoid(b).
void gluBackward(const Tensor& x, const Tensor& dy, Tensor& dx, bool accumulate);

}  // namespace lt::kernels
