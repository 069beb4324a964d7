#include "models/swap.h"

#include <fmt/format.h>

#include <cstring>

#include "common/error.h"

namespace lt::models {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// An attention role may change between the softmax-parameterised kinds (same q/k/v/out).
bool attentionKind(const std::string& t) {
  return t == "attention" || t == "softmax" || t == "local" || isFeatureAttention(t);
}

std::string compareBranch(const BranchConfig& a, const BranchConfig& b, const std::string& key) {
  auto diff = [&](const std::string& field, const std::string& x, const std::string& y) {
    return fmt::format("{} {}: checkpoint {}, config {}", key, field, x, y);
  };
  if (a.type != b.type && !(attentionKind(a.type) && attentionKind(b.type)))
    return diff("type", a.type, b.type);
  if (a.dim != b.dim) return diff("dim", std::to_string(a.dim), std::to_string(b.dim));
  if (a.heads != b.heads) return diff("heads", std::to_string(a.heads), std::to_string(b.heads));
  if (a.kernels != b.kernels) return diff("kernels", "other", "other");
  if (a.glu != b.glu) return diff("glu", a.glu ? "true" : "false", b.glu ? "true" : "false");
  if (a.type == b.type && (a.type == "t2r" || a.type == "performer" || a.type == "rfa") &&
      a.features != b.features)
    return diff("features", std::to_string(a.features), std::to_string(b.features));
  if (a.type == b.type && a.type == "linformer" && (a.k != b.k || a.maxLength != b.maxLength))
    return diff("k / max-length", fmt::format("{} / {}", a.k, a.maxLength),
                fmt::format("{} / {}", b.k, b.maxLength));
  return "";
}

}  // namespace

std::string firstArchitectureMismatch(const ModelConfig& a, const ModelConfig& b) {
  auto num = [](auto x) { return fmt::format("{}", x); };
  std::vector<std::tuple<const char*, std::string, std::string>> scalars = {
      {"encoder-layers", num(a.encoderLayers), num(b.encoderLayers)},
      {"decoder-layers", num(a.decoderLayers), num(b.decoderLayers)},
      {"model-dim", num(a.modelDim), num(b.modelDim)},
      {"ffn-dim", num(a.ffnDim), num(b.ffnDim)},
      {"cross-heads", num(a.crossHeads), num(b.crossHeads)},
      {"pre-norm", num(a.preNorm), num(b.preNorm)},
      {"share-embeddings", a.sharing, b.sharing},
      {"src-vocab-size", num(a.srcVocab), num(b.srcVocab)},
      {"tgt-vocab-size", num(a.tgtVocab), num(b.tgtVocab)},
  };
  for (const auto& [key, x, y] : scalars)
    if (x != y) return fmt::format("{}: checkpoint {}, config {}", key, x, y);
  for (auto [name, ba, bb] : {std::tuple{"encoder-block", &a.encoderBlock, &b.encoderBlock},
                              std::tuple{"decoder-block", &a.decoderBlock, &b.decoderBlock}}) {
    if (ba->branches.size() != bb->branches.size())
      return fmt::format("{}: checkpoint has {} branches, config {}", name, ba->branches.size(),
                         bb->branches.size());
    for (size_t i = 0; i < ba->branches.size(); ++i) {
      std::string m = compareBranch(ba->branches[i], bb->branches[i],
                                    fmt::format("{} branch {}", name, i + 1));
      if (!m.empty()) return m;
    }
  }
  const auto& ca = a.crossAttention;
  const auto& cb = b.crossAttention;
  if (ca.type == cb.type && ca.type != "softmax" && ca.type != "linear" &&
      ca.features != cb.features)
    return fmt::format("cross-attention features: checkpoint {}, config {}", ca.features,
                       cb.features);
  return "";
}

bool isFreshFeatureParam(const std::string& name) {
  return endsWith(name, "/phi/weight") || endsWith(name, "/phi/bias") ||
         endsWith(name, "/features") || endsWith(name, "/rfa_scale");
}

SwapResult loadSwappedWeights(const ModelFileContents& file, const ModelConfig& target,
                              ParamStore& params, const std::string& path) {
  ModelConfig from = resolveModelConfig(file.config);
  ModelConfig to = resolveModelConfig(target);
  std::string m = firstArchitectureMismatch(from, to);
  LT_CHECK(m.empty(), ConfigError,
           "--init-from {}: the checkpoint's architecture does not match the config: {}", path, m);
  SwapResult r;
  for (const auto& [name, var] : params.all()) {
    const Tensor* w = file.find(name);
    if (!w) {
      LT_CHECK(isFreshFeatureParam(name), ConfigError,
               "--init-from {}: parameter '{}' of the config is missing from the checkpoint", path,
               name);
      r.fresh.push_back(name);
      continue;
    }
    Tensor& dst = const_cast<Var&>(var).mutableValue();
    LT_CHECK(w->shape() == dst.shape() && w->dtype() == dst.dtype(), ConfigError,
             "--init-from {}: parameter '{}': checkpoint shape {}, config shape {}", path, name,
             w->shape().toString(), dst.shape().toString());
    std::memcpy(dst.data<float>(), w->data<float>(), dst.bytes());
    r.copiedTensors += 1;
    r.copiedElements += dst.elements();
  }
  for (const auto& [name, w] : file.weights)
    LT_CHECK(params.has(name), ConfigError,
             "--init-from {}: checkpoint parameter '{}' has no place in the config", path, name);
  return r;
}

std::unique_ptr<TranslationModel> initFromModelFile(const std::string& path, ModelConfig cfg,
                                                    Rng& initRng, SwapResult* result) {
  ModelFileContents file = readModelFile(path);
  auto blob = [&](const char* name) -> const std::string& {
    auto it = file.blobs.find(name);
    LT_CHECK(it != file.blobs.end(), IoError, "--init-from {}: model file has no '{}'", path,
             name);
    return it->second;
  };
  data::Vocab src = data::Vocab::fromBytes(blob(kSrcVocabBlob), path + " (source vocabulary)");
  data::Vocab tgt = data::Vocab::fromBytes(blob(kTgtVocabBlob), path + " (target vocabulary)");
  cfg.srcVocab = src.size();
  cfg.tgtVocab = tgt.size();
  // Check the architecture before building (cheap, and the message names the key).
  std::string m = firstArchitectureMismatch(resolveModelConfig(file.config), resolveModelConfig(cfg));
  LT_CHECK(m.empty(), ConfigError,
           "--init-from {}: the checkpoint's architecture does not match the config: {}", path, m);
  auto model = TranslationModel::create(cfg, std::move(src), std::move(tgt), initRng);
  SwapResult r = loadSwappedWeights(file, model->config, model->params, path);
  if (result) *result = r;
  return model;
}

int64_t applyFinetuneMode(ParamStore& params, const std::string& mode) {
  LT_CHECK(mode == "all" || mode == "attention-only", ConfigError,
           "finetune: unknown value '{}' (allowed: all, attention-only)", mode);
  int64_t trainable = 0;
  for (const auto& [name, var] : params.all()) {
    if (isFreshFeatureParam(name) && endsWith(name, "/features")) continue;  // buffers
    bool train = true;
    if (mode == "attention-only") {
      bool decoderAttention = name.rfind("decoder/", 0) == 0 &&
                              (name.find("/mix/") != std::string::npos ||
                               name.find("/cross/") != std::string::npos);
      bool projection = name.find("/q/") != std::string::npos ||
                        name.find("/k/") != std::string::npos ||
                        name.find("/v/") != std::string::npos ||
                        name.find("/phi/") != std::string::npos ||
                        endsWith(name, "/rfa_scale");
      train = decoderAttention && projection;
    }
    var.node()->requiresGrad = train;
    if (train) trainable += var.value().elements();
  }
  return trainable;
}

}  // namespace lt::models
