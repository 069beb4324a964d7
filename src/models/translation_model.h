// TranslationModel: everything a trained model file holds, ready to use — the
// effective config, the parameters, the network and its two vocabularies
// (identical objects' bytes when the vocabulary is joint). lt-train writes
// it, lt-translate and lt-eval read it.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "autodiff/param_store.h"
#include "data/vocab.h"
#include "models/encoder_decoder.h"
#include "models/model_file.h"
#include "models/model_config.h"

namespace lt::models {

inline constexpr const char* kSrcVocabBlob = "vocab/src";
inline constexpr const char* kTgtVocabBlob = "vocab/tgt";

struct TranslationModel {
  ModelConfig config;  // resolved
  ParamStore params;
  std::unique_ptr<EncoderDecoder> net;
  data::Vocab srcVocab, tgtVocab;

  // Builds a fresh model (parameters initialised from `initRng`); config
  // srcVocab/tgtVocab sizes are taken from the vocabularies.
  static std::unique_ptr<TranslationModel> create(ModelConfig cfg, data::Vocab src, data::Vocab tgt,
                                                  Rng& initRng);
  // Loads a model file; IoError/DataError name the file and the problem
  // (including vocabularies that do not match the embedding sizes).
  // deferInt8 (int8 decoding): int8-stored matrices stay int8 until
  // params.freezeForInference, which must come before anything reads the parameters
  // (models::loadWeights).
  static std::unique_ptr<TranslationModel> load(const std::string& path, bool deferInt8 = false);
  // Writes atomically; `extra` blobs are stored beside the vocabularies.
  // WeightStorage::Int8 stores the matrices as int8 rows (model_file.h).
  void save(const std::string& path, const std::map<std::string, std::string>& extra = {},
            WeightStorage storage = WeightStorage::F32) const;
};

}  // namespace lt::models
