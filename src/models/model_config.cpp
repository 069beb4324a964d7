#include "models/model_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

#include "common/error.h"
#include "common/parse.h"

namespace lt::models {

namespace {

const std::vector<int> kDefaultKernels = {3, 7, 15, 31, 31, 31};
const std::vector<std::string> kBranchTypes = {"attention", "lightconv", "dynamicconv",
                                               "linear",    "t2r",       "performer",
                                               "rfa",       "local",     "linformer", "bigbird",
                                               "fastformer"};
const std::vector<std::string> kDecoderTypes = {"attention", "lightconv", "dynamicconv", "linear",
                                                "t2r",       "performer", "rfa",
                                                "local"};
const std::vector<std::string> kCrossTypes = {"softmax", "linear", "t2r", "performer",
                                                "rfa"};

bool isConv(const std::string& t) { return t == "lightconv" || t == "dynamicconv"; }
const std::vector<std::string> kSharing = {"none", "decoder-output", "all"};
const std::vector<std::string> kFfnInit = {"xavier", "ratio-xavier"};

std::string joinList(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// "file:line" of a node: replaces a trailing ":<line>" of `where` with the node's own line.
thread_local bool tNoLines = false;  // values from the command line have no useful lines

std::string at(const std::string& where, const YAML::Node& n) {
  if (tNoLines || !n.IsDefined() || n.Mark().line < 0) return where;
  std::string base = where;
  auto colon = base.rfind(':');
  if (colon != std::string::npos && colon + 1 < base.size() &&
      std::all_of(base.begin() + long(colon) + 1, base.end(), ::isdigit))
    base.resize(colon);
  return fmt::format("{}:{}", base, n.Mark().line + 1);
}

std::string scalarText(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return "nothing";
}

int asInt(const YAML::Node& n, const std::string& key, const std::string& where) {
  try {
    if (n.IsScalar()) return n.as<int>();
  } catch (const YAML::Exception&) {
  }
  LT_THROW(ConfigError, "{}: key '{}' expects an integer, got {}", where, key, scalarText(n));
}

float asFloat(const YAML::Node& n, const std::string& key, const std::string& where) {
  try {
    if (n.IsScalar()) return n.as<float>();
  } catch (const YAML::Exception&) {
  }
  LT_THROW(ConfigError, "{}: key '{}' expects a number, got {}", where, key, scalarText(n));
}

bool asBool(const YAML::Node& n, const std::string& key, const std::string& where) {
  try {
    if (n.IsScalar()) return n.as<bool>();
  } catch (const YAML::Exception&) {
  }
  LT_THROW(ConfigError, "{}: key '{}' expects true or false, got {}", where, key,
           scalarText(n));
}

std::string asChoice(const YAML::Node& n, const std::string& key, const std::string& where,
                     const std::vector<std::string>& allowed) {
  LT_CHECK(n.IsScalar(), ConfigError, "{}: key '{}' expects one of {}, got {}", where, key,
           joinList(allowed), scalarText(n));
  std::string v = n.Scalar();
  LT_CHECK(contains(allowed, v), ConfigError, "{}: key '{}': unknown value '{}' (allowed: {})",
           where, key, v, joinList(allowed));
  return v;
}

float asRate(const YAML::Node& n, const std::string& key, const std::string& where) {
  float p = asFloat(n, key, where);
  LT_CHECK(p >= 0.f && p < 1.f, ConfigError, "{}: key '{}' must be in [0, 1), got {}", where,
           key, p);
  return p;
}

std::vector<int> asIntList(const YAML::Node& n, const std::string& key, const std::string& where) {
  std::vector<int> out;
  if (n.IsScalar()) {
    out.push_back(asInt(n, key, where));
    return out;
  }
  LT_CHECK(n.IsSequence(), ConfigError, "{}: key '{}' expects a list of integers, got {}", where,
           key, scalarText(n));
  for (const auto& e : n) out.push_back(asInt(e, key, at(where, e)));
  return out;
}

// Reads the fields of one branch map (or the cross-attention map) into b.
void parseBranchFields(const YAML::Node& n, const std::string& ctx, const std::string& where,
                       const std::vector<std::string>& types, BranchConfig& b, bool cross) {
  static const std::vector<std::string> kKeys = {
      "type",   "dim",    "heads",  "kernels", "glu", "features", "eps",       "redraw",
      "seed",   "window", "global", "k",       "max-length", "block", "random"};
  static const std::vector<std::string> kCrossKeys = {"type", "features", "eps", "redraw",
                                                      "seed"};
  bool hasType = false;
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    std::string w = at(where, kv.first);
    std::string full = ctx + " " + k;
    const auto& allowed = cross ? kCrossKeys : kKeys;
    LT_CHECK(contains(allowed, k), ConfigError, "{}: unknown key '{}' in {} (allowed: {})", w, k,
             ctx, joinList(allowed));
    if (k == "type") {
      b.type = asChoice(kv.second, full, w, types);
      if (cross && b.type == "attention") b.type = "softmax";
      hasType = true;
    } else if (k == "dim") b.dim = asInt(kv.second, full, w);
    else if (k == "heads") b.heads = asInt(kv.second, full, w);
    else if (k == "kernels") b.kernels = asIntList(kv.second, full, w);
    else if (k == "glu") b.glu = asBool(kv.second, full, w);
    else if (k == "features") b.features = asInt(kv.second, full, w);
    else if (k == "eps") b.eps = asFloat(kv.second, full, w);
    else if (k == "redraw") b.redraw = asInt(kv.second, full, w);
    else if (k == "seed") b.seed = asInt(kv.second, full, w);
    else if (k == "window") b.window = asInt(kv.second, full, w);
    else if (k == "global") b.global = asInt(kv.second, full, w);
    else if (k == "k") b.k = asInt(kv.second, full, w);
    else if (k == "max-length") b.maxLength = asInt(kv.second, full, w);
    else if (k == "block") b.block = asInt(kv.second, full, w);
    else if (k == "random") b.random = asInt(kv.second, full, w);
  }
  LT_CHECK(hasType, ConfigError, "{}: {} has no 'type' (allowed: {})", at(where, n), ctx,
           joinList(types));
}

BranchConfig parseBranch(const YAML::Node& n, const std::string& blockKey, size_t idx,
                         const std::string& where) {
  std::string ctx = fmt::format("{} branch {}", blockKey, idx + 1);
  LT_CHECK(n.IsMap(), ConfigError,
           "{}: key '{}' expects a map {{type, dim, heads, ...}}, got {}", where, ctx,
           scalarText(n));
  BranchConfig b;
  parseBranchFields(n, ctx, where, kBranchTypes, b, false);
  if (isConv(b.type) && b.kernels.empty()) b.kernels = kDefaultKernels;
  return b;
}

BranchConfig parseCross(const YAML::Node& n, const std::string& where) {
  const std::string key = "cross-attention";
  BranchConfig b;
  std::vector<std::string> types = kCrossTypes;
  types.push_back("attention");
  if (n.IsScalar()) {
    b.type = asChoice(n, key, where, types);
    if (b.type == "attention") b.type = "softmax";
    return b;
  }
  LT_CHECK(n.IsMap(), ConfigError,
           "{}: key '{}' expects one of {} or a map {{type, features, eps, redraw, seed}}, got {}",
           where, key, joinList(kCrossTypes), scalarText(n));
  parseBranchFields(n, key, where, types, b, true);
  return b;
}

// Variant fields written by toYaml (after defaults are applied they are explicit).
std::string variantYaml(const BranchConfig& b) {
  const std::string& t = b.type;
  if (t == "linear") return fmt::format(", eps: {}", b.eps);
  if (t == "t2r") return fmt::format(", features: {}, eps: {}", b.features, b.eps);
  if (t == "performer" || t == "rfa")
    return fmt::format(", features: {}, eps: {}, redraw: {}, seed: {}", b.features, b.eps,
                       b.redraw, b.seed);
  if (t == "local") return fmt::format(", window: {}, global: {}", b.window, b.global);
  if (t == "linformer") return fmt::format(", k: {}, max-length: {}", b.k, b.maxLength);
  if (t == "bigbird")
    return fmt::format(", block: {}, window: {}, random: {}, global: {}, seed: {}", b.block,
                       b.window, b.random, b.global, b.seed);
  return "";
}

// Fills unset variant fields with their defaults and checks their ranges.
void resolveVariant(BranchConfig& b, const std::string& what) {
  const std::string& t = b.type;
  auto def = [](auto& field, auto unset, auto value) {
    if (field == unset) field = value;
  };
  if (t == "linear") def(b.eps, 0.f, 1e-6f);
  if (t == "t2r") {
    def(b.features, 0, 32);
    def(b.eps, 0.f, 1e-2f);
  }
  if (t == "performer") {
    def(b.features, 0, 64);
    def(b.eps, 0.f, 1e-6f);
    def(b.redraw, -1, 1000);
    def(b.seed, int64_t(-1), int64_t(1));
  }
  if (t == "rfa") {
    def(b.features, 0, 32);
    def(b.eps, 0.f, 1e-2f);
    def(b.redraw, -1, 1000);
    def(b.seed, int64_t(-1), int64_t(1));
  }
  if (t == "local") {
    def(b.window, -1, 8);
    def(b.global, -1, 0);
  }
  if (t == "linformer") {
    def(b.k, 0, 32);
    def(b.maxLength, 0, 256);
  }
  if (t == "bigbird") {
    def(b.block, 0, 4);
    def(b.window, -1, 3);
    def(b.random, -1, 2);
    def(b.global, -1, 1);
    def(b.seed, int64_t(-1), int64_t(1));
  }
  if (isFeatureAttention(t)) {
    LT_CHECK(b.eps > 0.f, ConfigError, "model config: {} ({}): eps must be > 0, got {}", what, t,
             b.eps);
    if (t != "linear")
      LT_CHECK(b.features >= 1, ConfigError, "model config: {} ({}): features must be >= 1, got {}",
               what, t, b.features);
    if (t == "performer" || t == "rfa")
      LT_CHECK(b.redraw >= 0, ConfigError,
               "model config: {} ({}): redraw must be >= 0 (0 = never), got {}", what, t,
               b.redraw);
  }
  if (t == "local")
    LT_CHECK(b.window >= 1 && b.global >= 0, ConfigError,
             "model config: {} (local): window must be >= 1 and global >= 0, got {} and {}", what,
             b.window, b.global);
  if (t == "linformer")
    LT_CHECK(b.k >= 1 && b.maxLength >= 1, ConfigError,
             "model config: {} (linformer): k and max-length must be >= 1, got {} and {}", what,
             b.k, b.maxLength);
  if (t == "bigbird")
    LT_CHECK(b.block >= 1 && b.window >= 1 && b.random >= 0 && b.global >= 0, ConfigError,
             "model config: {} (bigbird): block and window must be >= 1, random and global >= 0",
             what);
}

BlockConfig parseBlock(const YAML::Node& n, const std::string& key, const std::string& where,
                       int singleHeads) {
  if (n.IsScalar()) {
    std::string name = n.Scalar();
    LT_CHECK(contains(blockPresetNames(), name), ConfigError,
             "{}: key '{}': unknown block preset '{}' (allowed: {}, or a map with 'branches')",
             where, key, name, joinList(blockPresetNames()));
    return blockPreset(name, 0, singleHeads);
  }
  LT_CHECK(n.IsMap(), ConfigError,
           "{}: key '{}' expects a preset name ({}) or a map with 'branches', got {}", where, key,
           joinList(blockPresetNames()), scalarText(n));
  if (n["branches"]) {
    for (const auto& kv : n) {
      std::string k = kv.first.as<std::string>();
      LT_CHECK(k == "branches", ConfigError, "{}: unknown key '{}' in {} (allowed: branches)",
               at(where, kv.first), k, key);
    }
    const YAML::Node& list = n["branches"];
    LT_CHECK(list.IsSequence() && list.size() > 0, ConfigError,
             "{}: key '{} branches' expects a non-empty list of branches", at(where, list), key);
    BlockConfig blk;
    for (size_t i = 0; i < list.size(); ++i)
      blk.branches.push_back(parseBranch(list[i], key, i, at(where, list[i])));
    return blk;
  }
  static const std::vector<std::string> kKeys = {"preset", "heads", "glu", "kernels"};
  LT_CHECK(n["preset"], ConfigError, "{}: key '{}' needs 'branches' or 'preset' (presets: {})",
           where, key, joinList(blockPresetNames()));
  std::string name = asChoice(n["preset"], key + " preset", at(where, n["preset"]),
                              blockPresetNames());
  int heads = 0;
  if (n["heads"]) heads = asInt(n["heads"], key + " heads", at(where, n["heads"]));
  BlockConfig blk = blockPreset(name, heads, singleHeads);
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    std::string w = at(where, kv.first);
    if (k == "preset" || k == "heads") continue;
    if (k == "glu") {
      bool g = asBool(kv.second, key + " glu", w);
      for (auto& b : blk.branches)
        if (isConv(b.type)) b.glu = g;
    } else if (k == "kernels") {
      auto ks = asIntList(kv.second, key + " kernels", w);
      for (auto& b : blk.branches)
        if (isConv(b.type)) b.kernels = ks;
    } else {
      LT_THROW(ConfigError, "{}: unknown key '{}' in {} (allowed: {})", w, k, key,
               joinList(kKeys));
    }
  }
  return blk;
}

std::string intList(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string blockYaml(const BlockConfig& b) {
  std::string s = "\n  branches:\n";
  for (const auto& br : b.branches) {
    s += fmt::format("    - {{type: {}, dim: {}, heads: {}", br.type, br.dim, br.heads);
    if (isConv(br.type))
      s += fmt::format(", kernels: {}, glu: {}", intList(br.kernels), br.glu ? "true" : "false");
    s += variantYaml(br);
    s += "}\n";
  }
  return s;
}

void resolveBlock(BlockConfig& blk, const std::string& key, int d, int crossHeads,
                  bool decoder) {
  LT_CHECK(!blk.branches.empty(), ConfigError, "model config: key '{}' has no branches", key);
  int fixed = 0, zeros = 0;
  for (const auto& b : blk.branches) {
    LT_CHECK(b.dim >= 0, ConfigError, "model config: key '{}': branch dim {} is negative", key,
             b.dim);
    fixed += b.dim;
    zeros += b.dim == 0;
  }
  if (zeros > 0) {
    int rest = d - fixed;
    LT_CHECK(rest > 0 && rest % zeros == 0, ConfigError,
             "model config: key '{}': {} channels of model-dim {} left for {} branches with dim 0 "
             "do not split evenly",
             key, rest, d, zeros);
    for (auto& b : blk.branches)
      if (b.dim == 0) b.dim = rest / zeros;
  }
  int sum = 0;
  std::string terms;
  for (size_t i = 0; i < blk.branches.size(); ++i) {
    auto& b = blk.branches[i];
    sum += b.dim;
    terms += (i ? " + " : "") + std::to_string(b.dim);
    LT_CHECK(contains(kBranchTypes, b.type), ConfigError,
             "model config: key '{}' branch {}: unknown type '{}' (allowed: {})", key, i + 1,
             b.type, joinList(kBranchTypes));
    if (decoder && !contains(kDecoderTypes, b.type))
      LT_THROW(ConfigError,
               "model config: key '{}' branch {}: type '{}' is encoder-only (its mixing uses future "
               "positions, so it has no causal incremental form); allowed in the decoder: {}",
               key, i + 1, b.type, joinList(kDecoderTypes));
    resolveVariant(b, fmt::format("key '{}' branch {}", key, i + 1));
    if (b.heads == 0) b.heads = crossHeads;
    LT_CHECK(b.heads >= 1, ConfigError, "model config: key '{}' branch {} ({}): heads must be >= 1",
             key, i + 1, b.type);
    LT_CHECK(b.dim % b.heads == 0, ConfigError,
             "model config: key '{}' branch {} ({}): dim {} is not divisible by heads {}", key,
             i + 1, b.type, b.dim, b.heads);
    if (isConv(b.type)) {
      if (b.kernels.empty()) b.kernels = kDefaultKernels;
      for (int k : b.kernels)
        LT_CHECK(k >= 1, ConfigError, "model config: key '{}' branch {} ({}): kernel size {} < 1",
                 key, i + 1, b.type, k);
    } else {
      b.kernels.clear();
      b.glu = false;
    }
  }
  LT_CHECK(sum == d, ConfigError,
           "model config: key '{}': branch dims {} = {} must sum to model-dim {}", key, terms, sum,
           d);
}

}  // namespace

int BranchConfig::kernelFor(int layer) const {
  const auto& ks = kernels.empty() ? kDefaultKernels : kernels;
  return ks[std::min<size_t>(size_t(layer), ks.size() - 1)];
}

ModelConfig::ModelConfig() {
  encoderBlock = blockPreset("transformer");
  decoderBlock = encoderBlock;
  crossAttention.type = "softmax";
}

const std::vector<std::string>& decoderBranchTypes() { return kDecoderTypes; }
const std::vector<std::string>& encoderBranchTypes() { return kBranchTypes; }
const std::vector<std::string>& crossAttentionTypes() { return kCrossTypes; }
bool isFeatureAttention(const std::string& t) {
  return t == "linear" || t == "t2r" || t == "performer" || t == "rfa";
}

const std::vector<std::string>& blockPresetNames() {
  static const std::vector<std::string> k = {"transformer", "lightconv", "dynamicconv", "lite",
                                             "lite-dynamic"};
  return k;
}

BlockConfig blockPreset(const std::string& name, int heads, int singleHeads) {
  BlockConfig blk;
  blk.preset = name;
  auto conv = [&](const std::string& type, int h, bool glu) {
    BranchConfig b;
    b.type = type;
    b.heads = h;
    b.kernels = kDefaultKernels;
    b.glu = glu;
    return b;
  };
  int single = heads > 0 ? heads : singleHeads;  // 0: resolved to cross-heads
  int lite = heads > 0 ? heads : 4;
  if (name == "transformer") {
    BranchConfig b;
    b.type = "attention";
    b.heads = single;
    blk.branches = {b};
  } else if (name == "lightconv") {
    blk.branches = {conv("lightconv", single, true)};   // fairseq lightconv default: GLU on
  } else if (name == "dynamicconv") {
    blk.branches = {conv("dynamicconv", single, true)};
  } else if (name == "lite" || name == "lite-dynamic") {
    BranchConfig a;
    a.type = "attention";
    a.heads = lite;
    // LT IWSLT configs: lightweight without GLU; WMT configs: dynamic with GLU.
    blk.branches = {a, name == "lite" ? conv("lightconv", lite, false)
                                      : conv("dynamicconv", lite, true)};
  } else {
    LT_THROW(ConfigError, "unknown block preset '{}' (allowed: {})", name,
             joinList(blockPresetNames()));
  }
  return blk;
}

const std::vector<std::string>& modelConfigKeys() {
  static const std::vector<std::string> k = {
      "encoder-layers", "decoder-layers",  "model-dim",        "ffn-dim",
      "encoder-block",  "decoder-block",   "cross-heads",      "pre-norm",
      "scale-embedding", "share-embeddings", "dropout",        "attention-dropout",
      "activation-dropout", "weight-dropout", "max-positions", "src-vocab-size",
      "tgt-vocab-size", "ffn-init",        "budget",           "cross-attention"};
  return k;
}

namespace {

// A budget count ("500M", "2.5M", "64k", "12345"; common/parse.h) that must be positive.
int64_t budgetCount(const std::string& text, const std::string& what) {
  double v = parseCount(text, what);
  LT_CHECK(v > 0, ConfigError, "{}: expected a positive count like 500M, 2.5M, 64k or 12345, got '{}'",
           what, text);
  return int64_t(std::llround(v));
}

}  // namespace

bool setModelConfigKey(ModelConfig& c, const std::string& key, const YAML::Node& v,
                       const std::string& where0) {
  std::string where = at(where0, v);
  if (key == "encoder-layers") c.encoderLayers = asInt(v, key, where);
  else if (key == "decoder-layers") c.decoderLayers = asInt(v, key, where);
  else if (key == "model-dim") c.modelDim = asInt(v, key, where);
  else if (key == "ffn-dim") c.ffnDim = asInt(v, key, where);
  else if (key == "encoder-block") c.encoderBlock = parseBlock(v, key, where, 0);
  else if (key == "decoder-block") c.decoderBlock = parseBlock(v, key, where, 0);
  else if (key == "cross-heads") c.crossHeads = asInt(v, key, where);
  else if (key == "pre-norm") c.preNorm = asBool(v, key, where);
  else if (key == "scale-embedding") c.scaleEmbedding = asBool(v, key, where);
  else if (key == "share-embeddings") c.sharing = asChoice(v, key, where, kSharing);
  else if (key == "dropout") c.dropout = asRate(v, key, where);
  else if (key == "attention-dropout") c.attentionDropout = asRate(v, key, where);
  else if (key == "activation-dropout") c.activationDropout = asRate(v, key, where);
  else if (key == "weight-dropout") c.weightDropout = asRate(v, key, where);
  else if (key == "max-positions") c.maxPositions = asInt(v, key, where);
  else if (key == "src-vocab-size") c.srcVocab = asInt(v, key, where);
  else if (key == "tgt-vocab-size") c.tgtVocab = asInt(v, key, where);
  else if (key == "ffn-init") c.ffnInit = asChoice(v, key, where, kFfnInit);
  else if (key == "cross-attention") c.crossAttention = parseCross(v, where);
  else if (key == "budget") {
    LT_CHECK(v.IsMap() || v.IsNull(), ConfigError,
             "{}: key 'budget' expects a map {{mult-adds: 500M, params: 10M}}, got {}", where,
             scalarText(v));
    c.budget = BudgetConfig{};
    for (const auto& kv : v) {
      std::string k = kv.first.as<std::string>();
      std::string w = at(where, kv.first);
      LT_CHECK(kv.second.IsScalar(), ConfigError, "{}: key 'budget {}' expects a count", w, k);
      if (k == "mult-adds") c.budget.multAdds = budgetCount(kv.second.Scalar(), w + ": budget mult-adds");
      else if (k == "params") c.budget.params = budgetCount(kv.second.Scalar(), w + ": budget params");
      else LT_THROW(ConfigError, "{}: unknown key '{}' in budget (allowed: mult-adds, params)", w, k);
    }
  } else {
    return false;
  }
  return true;
}

bool setModelConfigKey(ModelConfig& cfg, const std::string& key, const std::string& value,
                       const std::string& where) {
  if (!contains(modelConfigKeys(), key)) return false;
  YAML::Node n;
  try {
    n = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    LT_THROW(ConfigError, "{}: value of '{}' is not valid YAML: {}", where, key, e.msg);
  }
  struct NoLines {
    bool prev = tNoLines;
    NoLines() { tNoLines = true; }
    ~NoLines() { tNoLines = prev; }
  } noLines;
  return setModelConfigKey(cfg, key, n, where);
}

ModelConfig parseModelConfig(const std::string& text, const std::string& source,
                             const ModelConfig& base) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    LT_THROW(ConfigError, "{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg);
  }
  ModelConfig c = base;
  if (root.IsNull()) return c;
  LT_CHECK(root.IsMap(), ConfigError, "{}: a model config must be a map of keys", source);
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    std::string where = at(source, kv.first);
    if (!setModelConfigKey(c, key, kv.second, where))
      LT_THROW(ConfigError, "{}: unknown model key '{}' (allowed: {})", where, key,
               joinList(modelConfigKeys()));
  }
  return c;
}

std::string toYaml(const ModelConfig& c) {
  std::string s;
  s += fmt::format("encoder-layers: {}\ndecoder-layers: {}\n", c.encoderLayers, c.decoderLayers);
  s += fmt::format("model-dim: {}\nffn-dim: {}\n", c.modelDim, c.ffnDim);
  s += fmt::format("cross-heads: {}\n", c.crossHeads);
  s += "encoder-block:" + blockYaml(c.encoderBlock);
  s += "decoder-block:" + blockYaml(c.decoderBlock);
  s += fmt::format("pre-norm: {}\nscale-embedding: {}\nshare-embeddings: {}\n",
                   c.preNorm ? "true" : "false", c.scaleEmbedding ? "true" : "false", c.sharing);
  s += fmt::format("dropout: {}\nattention-dropout: {}\nactivation-dropout: {}\nweight-dropout: {}\n",
                   c.dropout, c.attentionDropout, c.activationDropout, c.weightDropout);
  s += fmt::format("max-positions: {}\nsrc-vocab-size: {}\ntgt-vocab-size: {}\nffn-init: {}\n",
                   c.maxPositions, c.srcVocab, c.tgtVocab, c.ffnInit);
  if (!c.crossAttention.type.empty() && c.crossAttention.type != "softmax") {
    std::string v = variantYaml(c.crossAttention);
    s += fmt::format("cross-attention: {{type: {}{}}}\n", c.crossAttention.type, v);
  }
  if (c.budget.active()) {
    s += "budget:\n";
    if (c.budget.multAdds > 0) s += fmt::format("  mult-adds: {}\n", c.budget.multAdds);
    if (c.budget.params > 0) s += fmt::format("  params: {}\n", c.budget.params);
  }
  return s;
}

ModelConfig resolveModelConfig(const ModelConfig& in) {
  ModelConfig c = in;
  auto pos = [](int v, const char* key) {
    LT_CHECK(v >= 1, ConfigError, "model config: key '{}' must be >= 1, got {}", key, v);
  };
  pos(c.encoderLayers, "encoder-layers");
  pos(c.decoderLayers, "decoder-layers");
  pos(c.modelDim, "model-dim");
  pos(c.ffnDim, "ffn-dim");
  pos(c.crossHeads, "cross-heads");
  pos(c.maxPositions, "max-positions");
  LT_CHECK(c.modelDim % 2 == 0, ConfigError,
           "model config: key 'model-dim' must be even (sinusoidal positions), got {}", c.modelDim);
  LT_CHECK(c.modelDim % c.crossHeads == 0, ConfigError,
           "model config: key 'cross-heads': model-dim {} is not divisible by cross-heads {}",
           c.modelDim, c.crossHeads);
  LT_CHECK(contains(kSharing, c.sharing), ConfigError,
           "model config: key 'share-embeddings': unknown value '{}' (allowed: {})", c.sharing,
           joinList(kSharing));
  LT_CHECK(contains(kFfnInit, c.ffnInit), ConfigError,
           "model config: key 'ffn-init': unknown value '{}' (allowed: {})", c.ffnInit,
           joinList(kFfnInit));
  LT_CHECK(c.srcVocab >= 0 && c.tgtVocab >= 0, ConfigError,
           "model config: vocabulary sizes must be >= 0");
  LT_CHECK(c.sharing != "all" || c.srcVocab == c.tgtVocab, ConfigError,
           "model config: key 'share-embeddings: all' needs one joint vocabulary, but "
           "src-vocab-size {} != tgt-vocab-size {}",
           c.srcVocab, c.tgtVocab);
  for (auto [p, key] : {std::pair{c.dropout, "dropout"}, {c.attentionDropout, "attention-dropout"},
                        {c.activationDropout, "activation-dropout"},
                        {c.weightDropout, "weight-dropout"}})
    LT_CHECK(p >= 0.f && p < 1.f, ConfigError, "model config: key '{}' must be in [0, 1), got {}",
             key, p);
  resolveBlock(c.encoderBlock, "encoder-block", c.modelDim, c.crossHeads, false);
  resolveBlock(c.decoderBlock, "decoder-block", c.modelDim, c.crossHeads, true);
  if (c.crossAttention.type.empty() || c.crossAttention.type == "attention")
    c.crossAttention.type = "softmax";
  LT_CHECK(contains(kCrossTypes, c.crossAttention.type), ConfigError,
           "model config: key 'cross-attention': type '{}' is not allowed (allowed: {}; the "
           "others are self-attention only)",
           c.crossAttention.type, joinList(kCrossTypes));
  resolveVariant(c.crossAttention, "key 'cross-attention'");
  c.crossAttention.dim = c.modelDim;
  c.crossAttention.heads = c.crossHeads;
  return c;
}

bool operator==(const BranchConfig& a, const BranchConfig& b) {
  return a.type == b.type && a.dim == b.dim && a.heads == b.heads && a.kernels == b.kernels &&
         a.glu == b.glu && a.features == b.features && a.eps == b.eps && a.redraw == b.redraw &&
         a.seed == b.seed && a.window == b.window && a.global == b.global && a.k == b.k &&
         a.maxLength == b.maxLength && a.block == b.block && a.random == b.random;
}
bool operator==(const BlockConfig& a, const BlockConfig& b) { return a.branches == b.branches; }
bool operator==(const ModelConfig& a, const ModelConfig& b) {
  return a.encoderLayers == b.encoderLayers && a.decoderLayers == b.decoderLayers &&
         a.modelDim == b.modelDim && a.ffnDim == b.ffnDim && a.encoderBlock == b.encoderBlock &&
         a.decoderBlock == b.decoderBlock && a.crossHeads == b.crossHeads &&
         a.preNorm == b.preNorm && a.scaleEmbedding == b.scaleEmbedding &&
         a.sharing == b.sharing && a.dropout == b.dropout &&
         a.attentionDropout == b.attentionDropout && a.activationDropout == b.activationDropout &&
         a.weightDropout == b.weightDropout && a.srcVocab == b.srcVocab &&
         a.tgtVocab == b.tgtVocab && a.maxPositions == b.maxPositions &&
         a.ffnInit == b.ffnInit && a.crossAttention.type == b.crossAttention.type &&
         a.crossAttention.features == b.crossAttention.features &&
         a.crossAttention.eps == b.crossAttention.eps &&
         a.crossAttention.redraw == b.crossAttention.redraw &&
         a.crossAttention.seed == b.crossAttention.seed &&
         a.budget.multAdds == b.budget.multAdds &&
         a.budget.params == b.budget.params;
}

}  // namespace lt::models
