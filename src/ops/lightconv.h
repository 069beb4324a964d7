// Lightweight convolution op (Wu et al., ICLR 2019), see kernels/lightconv.h for the math.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

// x [B, T, C], weight [H, k] raw -> [B, T, C]. Head h owns channels [h*C/H, (h+1)*C/H).
// w = softmax over k (if softmaxWeights), then DropConnect with rate dropConnect
// (element i of w dropped iff philoxUniform(seed, stream, i) < p, kept ones scaled by
// 1/(1-p)); y[b,t,c] = sum_j w[h(c), j] * x[b, t + j - padLeft, c], zero outside [0, T).
// Encoder: padLeft = k/2 (odd k) or (k-1)/2 (even k); decoder (causal): padLeft = k - 1.
// Gradients for x and weight (through the drop mask and the softmax).
Var lightConv(const Var& x, const Var& weight, int padLeft, float dropConnect = 0.f,
              uint64_t seed = 0, uint64_t stream = 0, bool softmaxWeights = true);

// Decoding: window [N, k, C] = the last k conv inputs (zeros before the start) as a ring:
// slot (oldest + j) % k holds the j-th oldest (oldest = 0: oldest first), weight [H, k] ->
// [N, C]; equals the last time step of lightConv with padLeft = k - 1 (no DropConnect, no
// gradient).
Tensor lightConvStep(const Tensor& window, const Tensor& weight, bool softmaxWeights = true,
                     int64_t oldest = 0);

}  // namespace lt::ops
