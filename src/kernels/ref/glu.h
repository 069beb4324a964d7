// Plain-loop reference for kernels/glu.h: the test oracle. Same contracts.
#pragma once

#include "tensor/tensor.h"

namespace lt::kernels::ref {

void gluForward(const Tensor& x, Tensor& y);
void gluBackward(const Tensor& x, const Tensor& dy, Tensor& dx, bool accumulate);

}  // namespace lt::kernels::ref
