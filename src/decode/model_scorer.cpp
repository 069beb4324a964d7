#include "decode/model_scorer.h"

#include <algorithm>
#include <cmath>

#include "autodiff/var.h"
#include "common/profiler.h"
#include "kernels/softmax.h"
#include "ops/softmax.h"

namespace lt::decode {

ModelScorer::ModelScorer(models::EncoderDecoder& net, const data::Batch& batch, int beam, int maxSteps)
    : net_(net) {
  NoGradScope noGrad;
  HeapScope heap;
  models::EncoderOutput enc = net_.encode(batch.src);
  state_ = net_.startState(enc, maxSteps, beam);
}

Tensor ModelScorer::step(const Tensor& prevWords) {
  NoGradScope noGrad;
  arena_.reset();
  ArenaScope scope(arena_);
  Tensor logits = net_.step(state_, prevWords);
  return ops::logSoftmax(Var(logits)).value();
}

Tensor ModelScorer::stepScores(const Tensor& prevWords, Tensor& shift) {
  NoGradScope noGrad;
  arena_.reset();
  ArenaScope scope(arena_);
  Tensor logits = net_.step(state_, prevWords);
  profiler::Section ps("log_softmax_shift");  // a kernel, not an op: its own profile row
  shift = kernels::logSoftmaxShifts(logits);
  return logits;
}

void ModelScorer::reorder(const Tensor& indices) { net_.reorder(state_, indices); }

int maxDecodeSteps(const data::Batch& batch, float maxLenA, int maxLenB, int maxPositions) {
  int longest = 0;
  for (int32_t l : batch.srcLengths) longest = std::max(longest, int(l) - 1);
  double m = std::floor(double(maxLenA) * longest + maxLenB);
  return int(std::clamp<double>(m + 1, 1, maxPositions));
}

}  // namespace lt::decode
