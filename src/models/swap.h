// Swap-then-finetune (T2R, Kasai et al. 2021; seed-systems.md §3.2): start a model whose
// config replaces some softmax attention roles (decoder self / cross, encoder self) by
// linear / t2r / performer / local attention from a trained softmax model file. Every weight of
// the checkpoint is copied (the Q/K/V/out projections keep their names); the new feature maps
// (T2R phi, Performer features) stay freshly initialised. Anything else that differs — layer
// counts, widths, heads, vocabularies, conv kernels, a branch type that is not an attention
// swap — is refused with a ConfigError naming the first mismatching key or parameter.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "models/model_config.h"
#include "models/model_file.h"
#include "models/translation_model.h"

namespace lt::models {

// "" when `to` can take the weights of a model built from `from` (both resolved), else a
// description of the first mismatch, e.g. "decoder-block branch 1 heads: checkpoint 4, config 2".
std::string firstArchitectureMismatch(const ModelConfig& from, const ModelConfig& to);

// True for parameters a swap creates fresh (".../phi/weight", ".../phi/bias", ".../features").
bool isFreshFeatureParam(const std::string& name);

struct SwapResult {
  int64_t copiedTensors = 0, copiedElements = 0;
  std::vector<std::string> fresh;  // parameters left at their fresh initialisation
};

// Copies the weights of `file` (read from `path`) into `params` (built from `target`).
SwapResult loadSwappedWeights(const ModelFileContents& file, const ModelConfig& target,
                              ParamStore& params, const std::string& path);

// lt-train --init-from: the vocabularies and weights of the model file at `path`, the
// architecture of `cfg` (vocabulary sizes taken from the file), fresh feature maps from
// `initRng`.
std::unique_ptr<TranslationModel> initFromModelFile(const std::string& path, ModelConfig cfg,
                                                    Rng& initRng, SwapResult* result = nullptr);

// finetune: "all" (every parameter trains) or "attention-only" (T2R's --attn-only-training:
// only the decoder's attention Q/K/V projections and feature maps train; everything else,
// the whole encoder included, is frozen). Returns the number of trainable elements.
// ConfigError for another mode.
int64_t applyFinetuneMode(ParamStore& params, const std::string& mode);

}  // namespace lt::models
