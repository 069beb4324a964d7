// Bounds on a decoding job, checked before any work (lt-translate), so a beam of 10^5 is a
// one-line error instead of 50 s, 9 GB of RSS and std::bad_alloc.
//
//  - beam size: at most the target vocabulary (a larger beam cannot hold distinct
//    hypotheses), at least n-best;
//  - memory: workers x the estimate below for the largest batch the options allow must fit
//    the memory limit (--memory-limit, default this machine's memory).
//
// Estimate of one batch of B sentences of S source tokens (EOS included) at beam k, R = B·k
// hypothesis rows, T decoding steps (max-length rule, capped by max-positions), fp32,
// L decoder layers of width d, FFN width f, H cross-attention heads, target vocabulary V:
//   self-attention caches   2 · L · R · T · d · 4   (every branch counted as attention: an upper
//                                                     bound for conv and linear-attention ones)
//   cross-attention K/V     2 · L · B · S16 · d · 4  (S rounded up to 16)
//   attention scratch       R · H · max(T, S16) · 4
//   step outputs            R · (V + 4d + f) · 4     (logits and one layer's activations)
//   hypotheses              2 · R · T · 4            (token histories, live and next)
// The largest batch: B = --batch-size (or --batch-tokens when no sentence limit), S =
// --max-input-length + 1, T from the max-length rule at that S.
#pragma once
#include <string>

#include "decode/translator.h"
#include "models/model_config.h"

namespace lt::decode {

struct DecodeMemoryEstimate {
  double selfCache = 0, crossKv = 0, scratch = 0, stepOutputs = 0, hypotheses = 0;
  double total() const { return selfCache + crossKv + scratch + stepOutputs + hypotheses; }
};

// Bytes one batch holds at its peak (see above).
DecodeMemoryEstimate estimateDecodeMemory(const models::ModelConfig& cfg, int sentences, int srcLen,
                                          int beam, int steps);

// The checks above for `opt` (its inputLimit.maxTokens set); ConfigError naming the flags and
// the numbers. `limitSource` says where limitBytes comes from.
void checkDecodeLimits(const models::ModelConfig& cfg, const TranslateOptions& opt, double limitBytes,
                       const std::string& limitSource);

}  // namespace lt::decode
