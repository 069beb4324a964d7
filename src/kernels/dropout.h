// Inverted dropout with a counter-based mask: element i (flat row-major index)
// is dropped iff philoxUniform(seed, stream, i) < p, kept ones are scaled by
// 1/(1-p). The mask is a pure function of (seed, stream, i), so it is the same
// at any thread count, and backward regenerates it instead of storing it: no
// activation memory is held between forward and backward, and the vectorised
// Philox costs far less than the multiply it feeds (see docs in cpu/dropout.cpp).
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

// y = x * mask / (1 - p); x, y f32 of equal element count; 0 <= p < 1.
void dropoutForward(const Tensor& x, float p, uint64_t seed, uint64_t stream, Tensor& y);

// y = a + dropout(b) in one pass (a residual plus its dropped-out sublayer output); a, b, y f32
// of equal element count (y may alias a); 0 <= p < 1, p == 0 adds without drawing.
void dropoutAddForward(const Tensor& a, const Tensor& b, float p, uint64_t seed, uint64_t stream,
                       Tensor& y);

// dx (=, or += when accumulate) dy * mask / (1 - p) with the forward's mask.
void dropoutBackward(const Tensor& dy, float p, uint64_t seed, uint64_t stream, Tensor& dx,
                     bool accumulate);

namespace detail {
// The uniforms of the 64 elements starting at element 4 * firstBlock, from the
// path apply() uses for full chunks (AVX2 when built with it). For tests: the
// block counter's carry into its high word cannot be reached with real tensors.
void dropoutChunkUniforms(uint64_t firstBlock, uint64_t seed, uint64_t stream, float u[64]);
}  // namespace detail

}  // namespace lt::kernels
