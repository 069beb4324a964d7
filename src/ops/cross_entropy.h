// Label-smoothed cross-entropy fused with log-softmax, ignoring padding
// (fairseq's label_smoothed_cross_entropy criterion).
#pragma once
#include <cstdint>

#include "autodiff/var.h"

namespace lt::ops {

struct CrossEntropyResult {
  Var loss;             // [1]: summed label-smoothed loss over non-pad tokens
  double nll = 0;       // summed plain NLL (-log p(target)) over the same tokens
  int64_t tokens = 0;   // number of tokens with target != padId
};

// logits [N, V], targets I32 [N]. Per token with target t != padId:
//   eps_i = epsilon / (V - 1); loss_i = (1 - epsilon - eps_i) * nll_i + eps_i * (-sum_j logp_j)
// The gradient of loss w.r.t. logits is gradOut * (softmax - smoothed target) on non-pad rows,
// 0 on pad rows. 0 <= epsilon < 1 (ConfigError); a target outside [0, V) that is not padId
// throws DataError.
CrossEntropyResult labelSmoothedCrossEntropy(const Var& logits, const Tensor& targets,
                                             float epsilon, int padId);

}  // namespace lt::ops
