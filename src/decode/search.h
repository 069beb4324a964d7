// What every program that decodes with a model shares: the search SearchOptions selects
// (beam or greedy) and the ModelScorer set-up (caches sized for the longest output the options
// allow). lt-translate and lt-train's validation reach them through makeTranslator
// (translator.h); lt-eval cost --measure and lt-bench decode, which form their own batches,
// through decodeBatch.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "data/batch.h"
#include "decode/beam_search.h"
#include "models/encoder_decoder.h"

namespace lt::decode {

// greedySearch when opt.greedy, else beamSearch (srcLengths without EOS, as fairseq counts).
std::vector<std::vector<Hypothesis>> search(Scorer& scorer, const std::vector<int>& srcLengths,
                                            const SearchOptions& opt);

// Rows of the scorer per sentence: 1 for greedy, else the beam size.
inline int rowsPerSentence(const SearchOptions& opt) { return opt.greedy ? 1 : opt.beamSize; }

// Builds a scorer holding `batch` (B sentences) expanded to `beam` rows each.
using ScorerFactory = std::function<std::unique_ptr<Scorer>(const data::Batch& batch, int beam)>;

// ModelScorers over `net` whose caches hold the longest output `opt` allows for the batch
// (maxDecodeSteps with the model's max-positions). `net` must outlive the factory.
ScorerFactory modelScorerFactory(models::EncoderDecoder& net, const SearchOptions& opt);

// Lets a caller put its own scorer between the model and the search (lt-bench's forced
// output lengths); the returned scorer must outlive the call of decodeBatch.
using ScorerWrap = std::function<Scorer&(Scorer& inner)>;

// Decodes one source batch: the model scorer, wrapped when `wrap` is set, then search().
std::vector<std::vector<Hypothesis>> decodeBatch(models::EncoderDecoder& net, const data::Batch& batch,
                                                 const SearchOptions& opt, const ScorerWrap& wrap = nullptr);

}  // namespace lt::decode
