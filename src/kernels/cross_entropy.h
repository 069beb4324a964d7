// Label-smoothed cross-entropy fused with log-softmax (fairseq's
// label_smoothed_nll_loss), ignoring padding. Per row i with target t != padId,
// over logits x [V]:
//   logp_j = x_j - lse,  lse = log sum_j exp(x_j)          (max-subtracted)
//   nll_i  = -logp_t,    smooth_i = -sum_j logp_j,  eps_i = epsilon / (V - 1)
//   loss_i = (1 - epsilon - eps_i) * nll_i + eps_i * smooth_i
// and d loss_i / d x_j = softmax_j - q_j with the smoothed target
//   q_j = eps_i + (1 - epsilon - eps_i) [j == t]   (sums to 1).
// Rows are independent (parallel over rows); the row sums are added in row
// order, so results do not depend on the thread count.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace lt::kernels {

struct CrossEntropySums {
  double loss = 0;     // sum of loss_i over non-pad rows
  double nll = 0;      // sum of nll_i over non-pad rows
  int64_t tokens = 0;  // number of non-pad rows
};

// logits [N, V] f32, targets I32 [N] (each in [0, V) or == padId; precondition).
// Writes lse [N] f32 (log-sum-exp per row, kept for the backward pass).
CrossEntropySums crossEntropyForward(const Tensor& logits, const Tensor& targets, float epsilon,
                                     int padId, Tensor& lse);

// dlogits [N, V] (=, or += when accumulate) gradOut * (softmax - q) on non-pad rows;
// pad rows get 0 (left untouched when accumulating).
void crossEntropyBackward(const Tensor& logits, const Tensor& targets, const Tensor& lse,
                          float epsilon, int padId, float gradOut, Tensor& dlogits,
                          bool accumulate);

}  // namespace lt::kernels
