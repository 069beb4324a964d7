// Own OpenMP sum reduction over a collapsed broadcast view (see
// kernels/dnnl/reduce.cpp for when it is used instead of oneDNN).
#pragma once
#include "kernels/cpu/binary.h"

namespace lt::kernels::cpu {

// y (shape v.smallShape(), zero-filled by the callee) = sum of x (v.outShape())
// over the dims where !v.full. Scaled by `scale` at the end (1/count for a mean).
void reduceSum(const float* x, const BroadcastView& v, float* y, float scale);

}  // namespace lt::kernels::cpu
