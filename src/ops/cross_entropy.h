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
//
// Logits::Consume (the training loss): the backward writes the gradient over the logits'
// own storage instead of a second [N, V] buffer, so the logits must not be read after
// backward() (the output layer's linear backward reads only the gradient). Same values as
// Logits::Keep, bit for bit; one logits-sized buffer and its pass of memory traffic fewer.
// It falls back to a fresh buffer when the logits already carry a gradient or are a parameter.
enum class Logits : uint8_t { Keep, Consume };
CrossEntropyResult labelSmoothedCrossEntropy(const Var& logits, const Tensor& targets,
                                             float epsilon, int padId,
                                             Logits logitsUse = Logits::Keep);

}  // namespace lt::ops
