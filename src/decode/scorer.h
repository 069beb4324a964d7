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
  // The same distribution, possibly unnormalised: scores f32 [N, V] and shift f32 [N] with
  // log-probability = scores[r, v] - shift[r] (shift undefined: the scores are the
  // log-probabilities, which is what this default returns). Beam search calls this one, so a
  // model scorer can hand over its logits and the log-softmax shifts and spare the pass that
  // writes a normalised copy (kernels::logSoftmaxShifts).
  virtual Tensor stepScores(const Tensor& prevWords, Tensor& shift) {
    shift = Tensor();
    return step(prevWords);
  }
  // Keeps rows `indices` (I32 [N'], into the current rows), in that order,
  // for the next step (beam reordering and removal of finished sentences).
  virtual void reorder(const Tensor& indices) = 0;
  virtual int vocabSize() const = 0;
};

}  // namespace lt::decode
