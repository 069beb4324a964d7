#include "decode/decode_limits.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/memory_limit.h"

namespace lt::decode {

DecodeMemoryEstimate estimateDecodeMemory(const models::ModelConfig& c, int sentences, int srcLen,
                                          int beam, int steps) {
  const double B = sentences, R = double(sentences) * beam, T = steps;
  const double S16 = std::ceil(srcLen / 16.0) * 16.0;
  const double L = c.decoderLayers, d = c.modelDim, f = c.ffnDim, H = c.crossHeads, V = c.tgtVocab;
  DecodeMemoryEstimate e;
  e.selfCache = 2 * L * R * T * d * 4;
  e.crossKv = 2 * L * B * S16 * d * 4;
  e.scratch = R * H * std::max(T, S16) * 4;
  e.stepOutputs = R * (V + 4 * d + f) * 4;
  e.hypotheses = 2 * R * T * 4;
  return e;
}

void checkDecodeLimits(const models::ModelConfig& c, const TranslateOptions& opt, double limitBytes,
                       const std::string& limitSource) {
  const SearchOptions& so = opt.search;
  LT_CHECK(so.beamSize <= c.tgtVocab, ConfigError,
           "--beam-size {} exceeds the target vocabulary of {} pieces: a beam holds distinct "
           "hypotheses, at most one per piece",
           so.beamSize, c.tgtVocab);
  const int srcLen = int(std::min<size_t>(opt.inputLimit.maxTokens ? opt.inputLimit.maxTokens
                                                                     : size_t(c.maxPositions - 1),
                                          size_t(c.maxPositions - 1))) + 1;
  const double want = std::floor(double(so.maxLenA) * (srcLen - 1) + so.maxLenB) + 1;
  const int steps = int(std::clamp<double>(want, 1, std::min(c.maxPositions, so.maxLenCap + 1)));
  const auto& b = opt.batching;
  const int64_t sentences = std::max<int64_t>(1, b.maxSentences ? int64_t(b.maxSentences) : b.maxTokens);
  const int workers = std::max(1, opt.workers);
  const DecodeMemoryEstimate e = estimateDecodeMemory(c, int(std::min<int64_t>(sentences, 1 << 30)),
                                                      srcLen, so.beamSize, steps);
  const double total = e.total() * workers;
  LT_CHECK(total <= limitBytes, ConfigError,
           "decoding would need about {} ({} worker(s) x a batch of {} sentences x beam {} x {} "
           "steps: {} self-attention caches, {} logits and activations), more than the memory "
           "limit of {} ({}); lower --beam-size, --batch-size or --max-length-b",
           formatBytes(total), workers, sentences, so.beamSize, steps, formatBytes(e.selfCache * workers),
           formatBytes(e.stepOutputs * workers), formatBytes(limitBytes), limitSource);
}

}  // namespace lt::decode
