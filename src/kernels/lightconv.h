// Lightweight depthwise 1-D convolution (Wu et al., ICLR 2019) over [batch, time, channels]
// with H weight-sharing heads: head h owns the contiguous channel block
// [h*C/H, (h+1)*C/H) (the LT/fairseq TBC and CUDA mapping, seed-systems.md §1.7).
//
//   y[b,t,c] = sum_j w[h(c), j] * x[b, t + j - padLeft, c],   x = 0 outside [0, T).
//
// The kernels take the EFFECTIVE weights w (already softmax-normalised and DropConnect-ed);
// normalizeConvKernel / normalizeConvKernelBackward turn raw logits into them and back
// (shared with dynamic_conv.h). Backward kernels ACCUMULATE (+=) into their outputs.
// Entry points run the plain-loop reference (kernels/ref/lightconv.h) when
// referenceKernels() is on. Callers check shapes; these functions assume valid ones.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

// raw [..., k] -> wn = softmax over the last axis (or raw itself when !softmax), then
// DropConnect: element i (flat index) is dropped iff philoxUniform(seed, stream, i) < p,
// kept ones are scaled by 1/(1-p). Writes wn (pre-drop, needed by backward) and w
// (effective weights). p == 0: w equals wn.
void normalizeConvKernel(const Tensor& raw, bool softmax, float p, uint64_t seed,
                         uint64_t stream, Tensor& wn, Tensor& w);
// Given dL/dw, accumulates dL/draw into draw (through the drop mask and the softmax).
void normalizeConvKernelBackward(const Tensor& dw, const Tensor& wn, bool softmax, float p,
                                 uint64_t seed, uint64_t stream, Tensor& draw);

// Decoding steps: raw [..., k] (tap j, 0 = oldest) -> the normalised weights (softmax over
// k if `softmax`, no DropConnect) laid out in a ring window's slot order: slot
// (oldest + j) % k gets tap j, so a window whose oldest input sits in slot `oldest` needs no
// shifting (oldest = 0: the plain order).
Tensor stepConvKernel(const Tensor& raw, bool softmax, int64_t oldest);

// x [B, T, C], w [H, k] -> y [B, T, C] (overwritten). Counts B*T*C*k MACs.
void lightConvForward(const Tensor& x, const Tensor& w, int padLeft, Tensor& y);
// dy [B, T, C], w [H, k]: dx [B, T, C] += dL/dx.
void lightConvBackwardData(const Tensor& dy, const Tensor& w, int padLeft, Tensor& dx);
// dy, x [B, T, C]: dw [H, k] += dL/dw.
void lightConvBackwardWeight(const Tensor& dy, const Tensor& x, int padLeft, Tensor& dw);

// Decoding step: window [N, k, C] (oldest first), w [H, k] -> y [N, C] (overwritten);
// y[n,c] = sum_j w[h(c), j] * window[n, j, c]. Counts N*C*k MACs.
void lightConvStep(const Tensor& window, const Tensor& w, Tensor& y);

}  // namespace lt::kernels
