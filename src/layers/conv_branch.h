// Convolution branch (fairseq LightConv block core, as used by Lite Transformer's LSRA):
//   linear1 (b -> b, or b -> 2b + GLU) -> zero padded steps -> LightConv / DynamicConv
//   (H weight-sharing heads, kernel softmax over k taps, DropConnect = dropout on the
//   normalised kernel) -> linear2 (b -> b). No other dropout or nonlinearity inside.
// DynamicConv's kernel generator is Linear(b -> H·k, no bias) on the post-GLU input.
// Encoder padding: left k/2 (odd k) or (k-1)/2 (even k); decoder: causal, left k-1.
//
// Padding: LT zeroes padded steps before linear1, which lets linear1's bias at padded steps
// leak into the conv of the last real tokens; we zero the conv input instead (as fairseq's
// LightConv layer does), so outputs at real tokens do not depend on the padding.
//
// Parameters: <scope>/linear1/{weight,bias}, <scope>/weight [H, k] (lightconv, Xavier with
// fan_in k, fan_out H·k) or <scope>/kernel_gen/weight [H·k, b] (dynamicconv),
// <scope>/linear2/{weight,bias}.
//
// Incremental decoding keeps a window of the last k conv inputs per row ([capacity, k, b],
// oldest first, zeros before the start).
#pragma once
#include "layers/linear.h"

namespace lt::layers {

// The last k conv inputs of every row as a ring: step t writes slot t % k, so no row is
// shifted; every row is at the same position (beam reordering gathers whole rows).
struct ConvWindow {
  Tensor buf;    // [capacity, k, C] (heap), zeros before the first step
  int next = 0;  // the slot the next input goes to (= the oldest slot once written)
};

class ConvBranch {
public:
  enum class Kind { Light, Dynamic };
  ConvBranch() = default;
  ConvBranch(ParamBuilder& pb, const Scope& scope, Kind kind, int dim, int heads, int kernel,
             bool glu, bool causal, float weightDropout);

  // x [B, T, b]; keep [B, T, 1] f32 (1 real, 0 padded) or undefined -> [B, T, b]
  Var forward(const Var& x, const Tensor& keep, RunCtx& ctx) const;

  ConvWindow allocWindow(int capacity) const;
  // x [N, 1, b]: appends the conv input to each row's window and returns [N, 1, b].
  Var step(const Var& x, ConvWindow& w) const;

  int kernel() const { return k_; }
  int dim() const { return dim_; }

private:
  Var convInput(const Var& x) const;  // linear1 (+GLU)
  Kind kind_ = Kind::Light;
  Linear linear1_, linear2_, kernelGen_;
  Var weight_;  // [H, k] lightconv
  int dim_ = 0, heads_ = 1, k_ = 1, padLeft_ = 0;
  bool glu_ = false, causal_ = false;
  float weightDrop_ = 0.f;
};

}  // namespace lt::layers
