// Dynamic convolution op (Wu et al., ICLR 2019): a kernel per position, see
// kernels/dynamic_conv.h for the math.
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

// x [B, T, C], kernel [B, T, H, k] raw logits (per position) -> [B, T, C]. Softmax over k
// (if softmaxWeights), then DropConnect over the B*T*H*k normalised weights (flat index i
// dropped iff philoxUniform(seed, stream, i) < p, inverted scaling), then the conv with
// padLeft as in lightConv. Gradients for x and kernel.
Var dynamicConv(const Var& x, const Var& kernel, int padLeft, float dropConnect = 0.f,
                uint64_t seed = 0, uint64_t stream = 0, bool softmaxWeights = true);

// Decoding: window [N, k, C] (a ring whose oldest input is in slot `oldest`, as in
// lightConvStep), kernel [N, H, k] raw (tap 0 = oldest) -> [N, C]; equals the last time
// step of dynamicConv with padLeft = k - 1.
Tensor dynamicConvStep(const Tensor& window, const Tensor& kernel, bool softmaxWeights = true,
                       int64_t oldest = 0);

}  // namespace lt::ops
