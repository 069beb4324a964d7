#include "models/translation_model.h"

#include "models/model_file.h"

namespace lt::models {

std::unique_ptr<TranslationModel> TranslationModel::create(ModelConfig cfg, data::Vocab src,
                                                           data::Vocab tgt, Rng& initRng) {
  auto m = std::make_unique<TranslationModel>();
  cfg.srcVocab = src.size();
  cfg.tgtVocab = tgt.size();
  m->config = resolveModelConfig(cfg);
  m->srcVocab = std::move(src);
  m->tgtVocab = std::move(tgt);
  m->net = std::make_unique<EncoderDecoder>(m->config, m->params, initRng, true);
  return m;
}

std::unique_ptr<TranslationModel> TranslationModel::load(const std::string& path, bool deferInt8) {
  ModelFileReader file(path);  // weights stay in the file until loadWeights reads them
  auto m = std::make_unique<TranslationModel>();
  auto blob = [&](const char* name) -> const std::string& {
    auto it = file.blobs().find(name);
    LT_CHECK(it != file.blobs().end(), IoError, "{}: model file has no '{}' (not written by lt-train?)",
             path, name);
    return it->second;
  };
  m->srcVocab = data::Vocab::fromBytes(blob(kSrcVocabBlob), path + " (source vocabulary)");
  m->tgtVocab = data::Vocab::fromBytes(blob(kTgtVocabBlob), path + " (target vocabulary)");
  m->config = resolveModelConfig(file.config());
  LT_CHECK(m->config.srcVocab == m->srcVocab.size() && m->config.tgtVocab == m->tgtVocab.size(),
           DataError,
           "{}: vocabularies do not match the model: embeddings expect {} source and {} target "
           "entries, the stored vocabularies have {} and {}",
           path, m->config.srcVocab, m->config.tgtVocab, m->srcVocab.size(), m->tgtVocab.size());
  Rng unused(0);
  m->net = std::make_unique<EncoderDecoder>(m->config, m->params, unused, false);
  loadWeights(file, m->params, deferInt8);
  return m;
}

void TranslationModel::save(const std::string& path, const std::map<std::string, std::string>& extra,
                            WeightStorage storage) const {
  std::map<std::string, std::string> blobs = extra;
  blobs[kSrcVocabBlob] = srcVocab.serialize();
  blobs[kTgtVocabBlob] = tgtVocab.serialize();
  writeModelFile(path, config, params, blobs, storage);
}

}  // namespace lt::models
