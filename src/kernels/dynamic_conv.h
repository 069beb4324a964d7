// Dynamic convolution (Wu et al., ICLR 2019): like lightconv.h but every position has its
// own kernel, w [B, T, H, k] (effective weights: softmax + DropConnect applied by
// normalizeConvKernel from lightconv.h over the last axis).
//
//   y[b,t,c] = sum_j w[b, t, h(c), j] * x[b, t + j - padLeft, c],   x = 0 outside [0, T),
//   head h owns channels [h*C/H, (h+1)*C/H).
//
// Backward kernels ACCUMULATE (+=). Entry points run kernels/ref/dynamic_conv.h when
// referenceKernels() is on. Callers check shapes.
#pragma once
#include "tensor/tensor.h"

namespace lt::kernels {

// x [B, T, C], w [B, T, H, k] -> y [B, T, C] (overwritten). Counts B*T*C*k MACs.
void dynamicConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y);
// dx [B, T, C] += dL/dx.
void dynamicConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx);
// dw [B, T, H, k] += dL/dw.
void dynamicConvBackwardKernel(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw);
// window [N, k, C] (oldest first), w [N, H, k] -> y [N, C] (overwritten). Counts N*C*k MACs.
void dynamicConvStep(const Tensor& window, const Tensor& w, Tensor& y);

}  // namespace lt::kernels
