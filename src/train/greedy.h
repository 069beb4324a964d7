// Greedy decoding on EncoderDecoder::startState / step, used for validation
// BLEU (the full beam search lives in src/decode; lt-train can plug it in via
// ModelHooks::translate). At each step every live row takes the arg-max token
// (pad and BOS excluded; ties to the lower id); a row finishes on EOS or at its
// length limit a * srcLen + b (capped by the model's max-positions). Finished
// rows are dropped from the decoder state with reorder().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/vocab.h"
#include "models/encoder_decoder.h"

namespace lt::train {

struct GreedyOptions {
  float maxLenA = 1.2f;  // length limit a * srcLen + b (tokens, EOS excluded)
  int maxLenB = 10;
  int64_t maxTokens = 4096;  // decoding batch size (source tokens incl. padding)
  size_t maxSentences = 128;
};

// Token ids (no BOS/EOS) for each row of `batch` (row order).
std::vector<std::vector<int32_t>> greedyDecode(models::EncoderDecoder& net, const data::Batch& batch,
                                               const GreedyOptions& opts);

// Raw source lines -> detokenised hypotheses in input order.
std::vector<std::string> greedyTranslate(models::EncoderDecoder& net, const data::Vocab& srcVocab,
                                         const data::Vocab& tgtVocab,
                                         const std::vector<std::string>& lines,
                                         const GreedyOptions& opts);

}  // namespace lt::train
