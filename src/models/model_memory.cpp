#include "models/model_memory.h"

#include "common/error.h"
#include "common/memory_limit.h"

namespace lt::models {

double parameterCountLowerBound(const ModelConfig& c) {
  const double d = c.modelDim, f = c.ffnDim, vs = c.srcVocab, vt = c.tgtVocab;
  const double enc = c.encoderLayers, dec = c.decoderLayers;
  double p = c.sharing == "all" ? vs * d : (vs + vt) * d;  // embedding tables
  if (c.sharing == "none") p += vt * d;                     // output projection
  const double ffn = 2 * d * f + d + f;
  p += enc * (ffn + 2 * 2 * d);          // FFN, ln1, ln2
  p += dec * (ffn + 3 * 2 * d + 4 * d * d);  // FFN, ln1-3, cross-attention q, k, v, out
  return p;
}

double trainingActivationBytesLowerBound(const ModelConfig& c, double tokens) {
  const double d = c.modelDim, f = c.ffnDim;
  const double perToken = c.encoderLayers * (10 * d + f) + c.decoderLayers * (12 * d + f) + c.tgtVocab;
  return tokens * perToken * 4.0;
}

void checkModelMemory(const ModelConfig& c, double bytesPerParameter, double batchTokens,
                      double limitBytes, const std::string& purpose, const std::string& limitSource) {
  const double params = parameterCountLowerBound(c);
  const double activations = trainingActivationBytesLowerBound(c, batchTokens);
  const double bytes = params * bytesPerParameter + double(c.maxPositions) * c.modelDim * 4.0 + activations;
  LT_CHECK(bytes <= limitBytes, ConfigError,
           "model config: at least {:.3g} parameters (model-dim {}, ffn-dim {}, {} + {} layers, "
           "vocabularies {} / {}, max-positions {}){} need at least {} for {}, more than the "
           "memory limit of {} ({})",
           params, c.modelDim, c.ffnDim, c.encoderLayers, c.decoderLayers, c.srcVocab, c.tgtVocab,
           c.maxPositions,
           batchTokens > 0 ? fmt::format(" and the activations of a batch of {:.0f} tokens ({})",
                                         batchTokens, formatBytes(activations))
                           : std::string(),
           formatBytes(bytes), purpose, formatBytes(limitBytes), limitSource);
}

}  // namespace lt::models
