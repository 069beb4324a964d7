// What building a model config would allocate, estimated from its sizes before anything is
// allocated, so an absurd config (model-dim 10^6, a vocabulary of 10^9, 10^4 layers) is a
// one-line ConfigError naming the numbers instead of std::bad_alloc or an OOM kill.
//
// The estimate is a lower bound of the parameter count: the embedding tables (one when
// shared), an untied output projection, every layer's FFN (2·d·f + d + f) and LayerNorms,
// every decoder layer's cross-attention projections (4·d², any cross-attention type); the
// token-mixing branches, whose parameters differ per variant, are left out, so the real count
// is higher (transformer: the bound is about 2/3 of it; tests/models/model_memory_test.cpp).
// The sinusoid table (max-positions · d floats) is added to the bytes, and for training the
// activations one batch keeps for the backward pass: per token (padding included) at least
// (10d + f) floats per encoder layer, (12d + f) per decoder layer and V for the logits
// (measured with lt-train at d = 64 and 256: 16d and 13.7d per encoder layer, 19d and 15.4d
// per decoder layer with f = 2d; docs/reliability.md). Being a lower bound, the estimate
// never refuses a config that would fit.
#pragma once
#include <string>

#include "models/model_config.h"

namespace lt::models {

// Lower bound of the parameters `cfg` builds (vocabulary sizes as set; 0 counts as none).
double parameterCountLowerBound(const ModelConfig& cfg);

// Lower bound of the activation bytes a training batch of `tokens` tokens per side keeps.
double trainingActivationBytesLowerBound(const ModelConfig& cfg, double tokens);

// Throws ConfigError when bytesPerParameter · parameterCountLowerBound(cfg), plus the sinusoid
// table, plus the activations of a training batch of `batchTokens` tokens (0 = none), exceeds
// limitBytes. `purpose` completes "need at least X for <purpose>", e.g. "training (16 bytes
// per parameter: weights, gradients, Adam moments)"; `limitSource` says where the limit comes
// from, e.g. "this machine's memory; --memory-limit overrides".
void checkModelMemory(const ModelConfig& cfg, double bytesPerParameter, double batchTokens,
                      double limitBytes, const std::string& purpose, const std::string& limitSource);

}  // namespace lt::models
