// Plain-loop reference for kernels/dynamic_conv.h (test oracle; no threads, no MAC count).
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels::ref {

void dynamicConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y);
void dynamicConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx);
void dynamicConvBackwardKernel(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw);
void dynamicConvStep(const Tensor& window, const Tensor& w, Tensor& y);

}  // namespace lt::kernels::ref
