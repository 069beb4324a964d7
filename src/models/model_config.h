// ModelConfig: the typed description of an encoder-decoder (Transformer, LightConv,
// DynamicConv, Lite Transformer/LSRA and mixtures), its YAML form and validation.
//
// YAML keys are flat kebab-case and equal the CLI long flags (docs/helpers/MODEL_API.md):
//   encoder-layers, decoder-layers, model-dim, ffn-dim, encoder-block, decoder-block,
//   cross-heads, pre-norm, scale-embedding, share-embeddings, dropout, attention-dropout,
//   activation-dropout, weight-dropout, max-positions, src-vocab-size, tgt-vocab-size,
//   ffn-init, budget, cross-attention
// A block is a preset name ("transformer", "lightconv", "dynamicconv", "lite",
// "lite-dynamic"), a preset map {preset: lite, heads: 4, glu: false, kernels: [...]}, or an
// explicit map {branches: [{type: attention, dim: 80, heads: 4},
//                          {type: lightconv, dim: 80, heads: 4, kernels: [3,7,15,31,31,31]}]}.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace lt::models {

// One token-mixing branch of a block (or, with type softmax | linear | t2r | performer | rfa, the
// decoder's cross-attention). Efficient-attention variants (seed-systems.md §3-4):
//   linear      phi = elu + 1, denominator q.z + eps               {type: linear, eps: 1e-6}
//   t2r         phi = relu(W_h x + b_h) learned per layer and head, queries scaled by
//               1/sqrt(dh) first, denominator max(q.z, eps)   {type: t2r, features: 32, eps: 1e-2}
//   performer   FAVOR+ positive orthogonal random features, redrawn every `redraw` updates
//               (deterministic from seed and update)  {type: performer, features: 64, redraw: 1000, seed: 1}
//   rfa         random Fourier (sin/cos) features of l2-normalised q, k, learned per-head width,
//               redrawn like performer's, denominator max(q.z, eps)
//                                  {type: rfa, features: 32, eps: 1e-2, redraw: 1000, seed: 1}
//   local       sliding window softmax attention (encoder: window/2 each side; decoder: left
//               window, KV cache capped) plus `global` leading tokens   {type: local, window: 8, global: 0}
//   linformer   length projections E, F [k, max-length] (encoder only)  {type: linformer, k: 32, max-length: 256}
//   bigbird     blocks of `block` tokens: window + random + global blocks (encoder only)
//                                        {type: bigbird, block: 4, window: 3, random: 2, global: 1}
//   fastformer  additive global query/key pooling (encoder only)         {type: fastformer}
// Unset variant fields (-1 / 0) take the defaults above in resolveModelConfig.
struct BranchConfig {
  std::string type;          // attention | lightconv | dynamicconv | linear | t2r | performer |
                             // local | linformer | bigbird | fastformer (cross: softmax | ...)
  int dim = 0;               // channels of this branch; 0 = an equal share of what is left
  int heads = 4;             // attention heads, or conv weight-sharing heads (0 = cross-heads)
  std::vector<int> kernels;  // conv kernel size per layer (last value repeats); empty = 3,7,15,31,31,31
  bool glu = false;          // conv branch: linear b->2b + GLU instead of linear b->b
  int features = 0;          // t2r feature size k (32), performer random features m (64)
  float eps = 0.f;           // linear-attention denominator eps (linear/performer 1e-6, t2r 1e-2)
  int redraw = -1;           // performer: redraw interval in updates (1000; 0 = never)
  int64_t seed = -1;         // performer features / bigbird random blocks (1)
  int window = -1;           // local: window width in tokens (8); bigbird: window blocks (3)
  int global = -1;           // local: global leading tokens (0); bigbird: global blocks (1)
  int k = 0;                 // linformer projected length (32)
  int maxLength = 0;         // linformer maximum sequence length (256)
  int block = 0;             // bigbird block size (4)
  int random = -1;           // bigbird random blocks per query block (2)
  int kernelFor(int layer) const;  // kernel size used by `layer` (0-based)
};

// Branch types usable in the decoder (causal, with incremental state), in the encoder, and
// for the decoder's cross-attention.
const std::vector<std::string>& decoderBranchTypes();
const std::vector<std::string>& encoderBranchTypes();
const std::vector<std::string>& crossAttentionTypes();
bool isFeatureAttention(const std::string& type);  // linear | t2r | performer

// Channels are split across branches in list order; their outputs are concatenated.
struct BlockConfig {
  std::vector<BranchConfig> branches;
  std::string preset;        // informational: the preset it came from ("" = explicit)
};

// Size budget (issue 3): the largest model width whose counted cost fits. 0 = no limit.
struct BudgetConfig {
  int64_t multAdds = 0;      // paper-convention Mult-Adds (N = T = 30, no output projection)
  int64_t params = 0;        // paper-convention params (no embedding tables, untied output counted)
  bool active() const { return multAdds > 0 || params > 0; }
};

struct ModelConfig {
  int encoderLayers = 6, decoderLayers = 6;
  int modelDim = 512;                     // d (even: sinusoidal positions)
  int ffnDim = 2048;                      // FFN hidden size f
  BlockConfig encoderBlock, decoderBlock; // decoder conv branches are causal automatically
  int crossHeads = 8;                     // decoder cross-attention heads (full width)
  BranchConfig crossAttention;            // key cross-attention: type softmax (default) |
                                          // linear | t2r | performer (+ their fields)
  bool preNorm = false;                   // false = post-LN (paper); true adds final LayerNorms
  bool scaleEmbedding = true;             // token embedding * sqrt(d)
  std::string sharing = "none";           // none | decoder-output | all (src = tgt = output)
  float dropout = 0.1f;                   // embedding output and every sublayer output
  float attentionDropout = 0.f;           // attention probabilities
  float activationDropout = 0.f;          // after the FFN ReLU
  float weightDropout = 0.f;              // DropConnect on normalised conv kernels
  int srcVocab = 0, tgtVocab = 0;         // vocabulary sizes (filled from the vocabularies)
  int maxPositions = 1024;                // sinusoid table length (max source/target length)
  std::string ffnInit = "xavier";         // xavier | ratio-xavier (fairseq/LT IWSLT FFN init)
  BudgetConfig budget;                    // optional size budget (resolved by models/cost.h)

  ModelConfig();                          // blocks default to the "transformer" preset
};

// Names accepted by encoder-block / decoder-block.
const std::vector<std::string>& blockPresetNames();
// A preset block. `heads`: heads per branch (0 = preset default: single-branch presets use
// `singleHeads`, where 0 means "same as cross-heads" (resolved by resolveModelConfig); lite
// presets use 4 per branch). Branch dims are 0 (= equal shares).
BlockConfig blockPreset(const std::string& name, int heads = 0, int singleHeads = 0);

// Every model key, in documentation order.
const std::vector<std::string>& modelConfigKeys();

// Sets one key from a YAML value. Returns false when `key` is not a model key (the caller
// decides whether that is an error). Throws ConfigError naming `where` (e.g. "a.yml:12"),
// the key and the allowed values when the value is bad.
bool setModelConfigKey(ModelConfig& cfg, const std::string& key, const YAML::Node& value,
                       const std::string& where);
// Sets one key from a command-line string (parsed as YAML scalar/flow text).
bool setModelConfigKey(ModelConfig& cfg, const std::string& key, const std::string& value,
                       const std::string& where);

// Parses a YAML map of model keys (unknown keys are ConfigErrors naming file and line).
// Starts from `base` (defaults when omitted).
ModelConfig parseModelConfig(const std::string& yamlText, const std::string& sourceName,
                             const ModelConfig& base = ModelConfig());

// YAML text of the config (blocks written out as explicit branch lists, dims resolved if
// they were resolved). parseModelConfig(toYaml(c)) == c.
std::string toYaml(const ModelConfig& cfg);

// Fills branch dims of 0 with equal shares and checks everything (ConfigError naming the
// key and the allowed values). Returns the resolved config.
ModelConfig resolveModelConfig(const ModelConfig& cfg);
inline void validate(const ModelConfig& cfg) { (void)resolveModelConfig(cfg); }

bool operator==(const BranchConfig& a, const BranchConfig& b);
bool operator==(const BlockConfig& a, const BlockConfig& b);  // ignores preset
bool operator==(const ModelConfig& a, const ModelConfig& b);

}  // namespace lt::models
