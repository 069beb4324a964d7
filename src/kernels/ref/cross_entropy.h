// Plain-loop reference for kernels/cross_entropy.h: the test oracle. Same
// contracts; computes in double with std::exp/std::log.
#pragma once

#include "kernels/cross_entropy.h"

namespace lt::kernels::ref {

CrossEntropySums crossEntropyForward(const Tensor& logits, const Tensor& targets, float epsilon,
                                     int padId, Tensor& lse);
void crossEntropyBackward(const Tensor& logits, const Tensor& targets, const Tensor& lse,
                          float epsilon, int padId, float gradOut, Tensor& dlogits,
                          bool accumulate);

}  // namespace lt::kernels::ref
