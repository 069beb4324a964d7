// Beam search over a Scorer (fairseq's sequence_generator semantics).
//
// Per sentence and step: candidates are the top 2k of (cumulative log-prob +
// next-token log-prob) over the k live hypotheses × vocabulary (at the first
// step only hypothesis 0 is expanded, all k being identical). A candidate that
// ends in EOS and ranks within the first k is finished, with score
// normalised by the length penalty; the first k non-EOS candidates continue.
// A sentence is done when it has k finished hypotheses, or at its maximum
// length, where EOS is forced. pad and bos are never generated; EOS is not
// allowed before min-length tokens. Ties break by lower row, then lower token
// id, so results are deterministic.
//
// Length penalty (the score reported and ranked):
//   fairseq: logprob / len^lenpen        (len counts the EOS token)
//   gnmt:    logprob / ((5 + len) / 6)^alpha
// Maximum length per sentence: maxLenA * srcLen + maxLenB tokens (EOS excluded).
#pragma once
#include <string>
#include <vector>

#include "decode/scorer.h"

namespace lt::decode {

enum class LengthPenalty { Fairseq, Gnmt };

struct SearchOptions {
  int beamSize = 4;
  // Arg-max decoding (greedySearch, decode/greedy_search.h) instead of beam search; beamSize
  // and nBest are then 1 whatever they say. decode::search() dispatches on it.
  bool greedy = false;
  LengthPenalty penalty = LengthPenalty::Fairseq;
  float lenpen = 1.0f;  // fairseq exponent (--lenpen)
  float alpha = 0.6f;   // GNMT alpha (--length-penalty-alpha)
  float maxLenA = 0.f;  // max length = a * srcLen + b
  int maxLenB = 200;
  int maxLenCap = 1 << 30;  // hard cap (model positions)
  int minLen = 1;       // tokens before EOS may be generated
  int nBest = 1;
  int bos = 2, eos = 3, pad = 0;
};

struct Hypothesis {
  std::vector<int> tokens;  // without BOS and EOS
  float score = 0;          // length-normalised log-probability
  float logProb = 0;        // raw cumulative log-probability (including EOS)
};

// Decodes `srcLengths.size()` sentences whose rows the scorer already holds,
// expanded to beamSize rows each (sentence-major). Returns up to nBest
// hypotheses per sentence, best first.
std::vector<std::vector<Hypothesis>> beamSearch(Scorer& scorer, const std::vector<int>& srcLengths,
                                                const SearchOptions& opt);

float normalizedScore(float logProb, int length, const SearchOptions& opt);

// Most tokens (EOS excluded) a hypothesis of a source of `srcLen` tokens may take:
// floor(maxLenA * srcLen + maxLenB), capped by maxLenCap, at least 0.
int maxOutputLength(int srcLen, const SearchOptions& opt);

}  // namespace lt::decode
