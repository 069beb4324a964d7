// ModelScorer: a Scorer over an EncoderDecoder. The constructor encodes the
// batch and builds the decoder state (caches preallocated for the longest
// allowed output, rows expanded to the beam); step() runs one incremental
// decoder step and returns log-probabilities. Step outputs come from an arena
// reset at every step, so the hot loop allocates nothing from the system after
// the first steps.
#pragma once
#include "data/batch.h"
#include "decode/scorer.h"
#include "models/encoder_decoder.h"
#include "tensor/arena.h"

namespace lt::decode {

class ModelScorer : public Scorer {
public:
  // maxSteps: the most tokens any hypothesis may take, EOS included.
  ModelScorer(models::EncoderDecoder& net, const data::Batch& batch, int beam, int maxSteps);
  Tensor step(const Tensor& prevWords) override;
  Tensor stepScores(const Tensor& prevWords, Tensor& shift) override;  // logits and shifts
  void reorder(const Tensor& indices) override;
  int vocabSize() const override { return net_.config().tgtVocab; }
  size_t arenaPeakBytes() const { return arena_.peakBytes(); }

private:
  models::EncoderDecoder& net_;
  models::DecoderState state_;
  Arena arena_{size_t(16) << 20};
};

// Longest output (tokens incl. EOS) beamSearch may produce for a batch.
int maxDecodeSteps(const data::Batch& batch, float maxLenA, int maxLenB, int maxPositions);

}  // namespace lt::decode
