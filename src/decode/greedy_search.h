// Greedy (arg-max) decoding over a Scorer, beside beamSearch; lt-train's validation BLEU
// (--valid-decode greedy) decodes with it.
//
// At each step every live row takes its highest-scoring allowed token (beam search's token
// rules: pad and BOS never, EOS not before minLen tokens); ties go to the lower id. The
// ranking reads the scorer's raw scores (stepScores: logits), so two tokens are never
// compared through log-probabilities rounded to the same float. A sentence ends on EOS, or
// when it holds maxOutputLength(srcLen) tokens: then it stops without running an EOS step
// (its logProb has no EOS term). Finished rows leave the scorer through reorder() at once,
// so later steps run only the live rows. Returns one hypothesis per sentence.
#pragma once
#include <vector>

#include "decode/beam_search.h"

namespace lt::decode {

// The scorer holds one row per sentence (beam 1), in the order of srcLengths.
std::vector<std::vector<Hypothesis>> greedySearch(Scorer& scorer, const std::vector<int>& srcLengths,
                                                  const SearchOptions& opt);

}  // namespace lt::decode
