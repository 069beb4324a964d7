// Scorer: what beam search needs from a model (Marian's Scorer, fairseq's
// incremental decoder contract). Rows are hypotheses, grouped sentence-major:
// rows [s*k, (s+1)*k) belong to the s-th still-active sentence when k
// hypotheses are live per sentence.
#pragma once
#include "tensor/tensor.h"

namespace lt::decode {

class Scorer {
public:
  virtual ~Scorer() = default;
  // Log-probabilities of the next token for every live row given the previous
  // token of each row. prevWords I32 [N] -> f32 [N, V].
  virtual Tensor step(const Tensor& prevWords) = 0;
  // Keeps rows `indices` (I32 [N'], into the current rows), in that order,
  // for the next step (beam reordering and removal of finished sentences).
  virtual void reorder(const Tensor& indices) = 0;
  virtual int vocabSize() const = 0;
};

}  // namespace lt::decode
