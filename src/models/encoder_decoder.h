// EncoderDecoder: the translation model (Transformer / LightConv / DynamicConv / Lite
// Transformer and per-side mixtures), built from a ModelConfig into a ParamStore.
//
// Layer (post-LN, the paper):  x = LN(x + Drop(Mix(x)));  [decoder: x = LN(x + Drop(Cross(x)))]
//                              x = LN(x + Drop(FFN(x)))
// Pre-LN:                      x = x + Drop(Mix(LN(x))) ...; final LayerNorm on each side.
// Embedding: token table (× sqrt(d) if scale-embedding) + sinusoidal positions (from 0),
// then dropout. Dropout sites: embedding output, attention probabilities, DropConnect on conv
// kernels, each sublayer output before the residual add, after the FFN ReLU.
//
// Parameter names (stable; the model-file format):
//   encoder/embed/table, decoder/embed/table (sharing none | decoder-output), shared/embed/table
//   (sharing all); decoder/out/weight [Vt, d] (sharing none only);
//   encoder/l<i>/{mix/b<j>/..., ln1, ffn/{fc1,fc2}, ln2}; encoder/final_ln (pre-LN)
//   decoder/l<i>/{mix/b<j>/..., ln1, cross/{q,k,v,out}, ln2, ffn/{fc1,fc2}, ln3}; decoder/final_ln
//   T2R adds <attention>/phi/{weight,bias}, Performer <attention>/features (a buffer).
// Efficient attention (model_config.h): feature-map branches and cross-attention train with
// the parallel form and decode with the recurrent (S, z) state of constant size.
#pragma once
#include <memory>
#include <vector>

#include "autodiff/param_store.h"
#include "layers/attention.h"
#include "layers/feature_attention.h"
#include "layers/linear.h"
#include "layers/token_mixer.h"
#include "models/model_config.h"

namespace lt::models {

struct ForwardOptions {
  bool train = false;                 // dropout / DropConnect on
  uint64_t dropoutSeed = 0;           // per-update seed: same seed, same masks
  bool skipOutputProjection = false;  // return decoder states [B, T, d] instead of logits
};

// Encoder result for decoding (no gradients; heap tensors).
struct EncoderOutput {
  Tensor out;      // [B, S, d]
  Tensor keyMask;  // [B, S] additive: 0 real token, -1e9 padding
};

struct DecoderLayerState {
  layers::MixerState mix;          // self-attention KV caches / conv windows / (S, z) per branch
  layers::CrossKv cross;           // softmax: encoder K/V, computed once per source row
  layers::LinearState crossLinear; // linear / t2r / performer: (S, z) once per source row
};

// Incremental decoding state for one batch. Allocated once by startState (heap): the
// self-attention caches hold maxSteps positions for `capacity` rows; reorder() gathers rows
// through preallocated scratch, so steps allocate nothing but op outputs.
class DecoderState {
public:
  int rows() const { return rows_; }          // live hypotheses N
  int capacity() const { return capacity_; }  // maximum rows
  int steps() const { return t_; }            // tokens consumed so far
  int maxSteps() const { return maxSteps_; }
  const std::vector<int32_t>& sourceRows() const { return srcRow_; }  // row -> encoder row

private:
  friend class EncoderDecoder;
  std::vector<DecoderLayerState> layers_;
  std::vector<int32_t> srcRow_, srcRowTmp_;
  Tensor scratch_;    // attention scores
  Tensor gatherTmp_;  // flat reorder buffer (size of the largest state tensor)
  int rows_ = 0, capacity_ = 0, t_ = 0, maxSteps_ = 0;
};

class EncoderDecoder {
public:
  // Registers (and, when `initialize`, initialises) all parameters; the config is resolved
  // and validated first (ConfigError). srcVocab/tgtVocab must be > 0.
  EncoderDecoder(const ModelConfig& cfg, ParamStore& params, Rng& initRng, bool initialize = true);
  ~EncoderDecoder();

  // Teacher-forced forward. src [B, S] I32 (pad 0), tgtIn [B, T] I32 -> logits [B, T, Vt]
  // (or decoder states [B, T, d] with skipOutputProjection).
  Var forward(const Tensor& src, const Tensor& tgtIn, const ForwardOptions& opt = {});

  EncoderOutput encode(const Tensor& src);  // no grad
  // State for decoding. rows = B·beamSize, row r starts on source row r / beamSize.
  DecoderState startState(const EncoderOutput& enc, int maxSteps, int beamSize = 1);
  // prevWords [N] I32 (N = st.rows()) -> logits [N, Vt] (no grad). Allocates only op outputs
  // (from the current Arena if one is active).
  Tensor step(DecoderState& st, const Tensor& prevWords);
  // beamIndices [N'] I32 (values in [0, rows), N' <= capacity): row i of the new state is
  // row beamIndices[i] of the old one.
  void reorder(DecoderState& st, const Tensor& beamIndices);

  // Performer features: redraws them for training update `update` where their redraw period
  // changed (deterministic from seed and update; call before each update's forward passes).
  void setTrainingUpdate(int64_t update);
  // Stored tensors that are not trained (Performer features "<...>/features").
  std::vector<std::string> bufferParamNames() const;

  const ModelConfig& config() const { return cfg_; }
  ParamStore& params() { return params_; }
  // Names of the embedding tables (excluded from the paper's parameter count) and of the
  // untied output projection ("" when tied).
  std::vector<std::string> embeddingParamNames() const;
  std::string outputProjectionName() const;

private:
  struct EncLayer;
  struct DecLayer;
  Var embed(const layers::Embedding& e, const Tensor& ids, int offset, layers::RunCtx& ctx) const;
  Var runEncoder(const Tensor& src, Tensor& keyMask, layers::RunCtx& ctx);
  Var runDecoder(const Tensor& tgtIn, const Var& mem, const Tensor& keyMask, layers::RunCtx& ctx);

  ModelConfig cfg_;
  ParamStore& params_;
  layers::Embedding srcEmb_, tgtEmb_;
  layers::Linear outProj_;
  std::vector<EncLayer> enc_;
  std::vector<DecLayer> dec_;
  layers::LayerNorm encFinal_, decFinal_;
  Tensor positions_;  // [maxPositions, d]
};

// Additive masks used by the model (exposed for tests and other decoders).
Tensor keyPaddingMask(const Tensor& src, int padId = 0);  // [B, S] 0 / -1e9
Tensor causalMask(int T);                                 // [1, 1, T, T]

}  // namespace lt::models
