// Adam as fairseq implements it (fairseq/optim/adam.py), per element:
//   m = b1 m + (1 - b1) g
//   v = b2 v + (1 - b2) g^2
//   step = lr * sqrt(1 - b2^t) / (1 - b1^t)
//   p -= wd * lr * p                    (weight decay, "decoupled" mode)
//   p -= step * m / (sqrt(v) + eps)     (eps added to the un-corrected sqrt(v))
// Note: fairseq's `--weight-decay` is the decoupled (AdamW-style) decay above,
// scaled by the current lr, applied before the Adam update; it is NOT an L2
// term added to the gradient. Mode L2 (g += wd * p before the moments, i.e.
// torch.optim.Adam's weight_decay) is offered for comparison.
//
// The gradient used is grad * gradScale, so the caller can fold the 1/tokens
// normalisation and the clipping coefficient into one multiply (as fairseq's
// multiply_grads + clip_grad_norm does). Parameters without a gradient are
// skipped (and their step count is shared: t counts optimizer steps).
// Element-wise loops only, so the result does not depend on the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/param_store.h"
#include "train/file_io.h"

namespace lt::train {

enum class WeightDecayMode { Decoupled, L2 };

struct AdamOptions {
  double beta1 = 0.9, beta2 = 0.98;
  double eps = 1e-8;
  double weightDecay = 0;
  WeightDecayMode decayMode = WeightDecayMode::Decoupled;
};

class Adam {
public:
  explicit Adam(const AdamOptions& opts) : opts_(opts) {}

  // One update of every parameter of `params` that has a gradient.
  void step(ParamStore& params, double lr, double gradScale = 1.0);

  int64_t steps() const { return t_; }
  const AdamOptions& options() const { return opts_; }

  // Moments by parameter name, for the training-state file. save() writes
  // (name, m, v) for each parameter that has moments; load() checks names and
  // sizes against `params` and throws IoError naming a mismatch.
  // writeState/readState stream the same bytes (the state file, train/state_file.h);
  // readState changes nothing unless it reads all of them.
  void writeState(ByteSink& out, const ParamStore& params) const;
  void readState(ByteSource& in, const ParamStore& params);
  std::string saveState(const ParamStore& params) const;
  void loadState(const std::string& bytes, const ParamStore& params);

private:
  struct Moments {
    std::vector<float> m, v;
  };
  AdamOptions opts_;
  int64_t t_ = 0;
  std::vector<Moments> moments_;  // parallel to params.all()
};

// Squared L2 norm of all gradients, summed in a fixed order (per parameter,
// fixed-size chunks in index order) so that it is identical from run to run.
double gradSquaredNorm(const ParamStore& params);

// Multiplies every gradient by s.
void scaleGradients(ParamStore& params, float s);

}  // namespace lt::train
