// Shared layer plumbing:
//  * ParamBuilder: creates a layer's parameters in the ParamStore under a Scope, with the
//    layer's initialiser (or zeros when initialisation is skipped, e.g. for cost counting,
//    where only shapes and the forward pass matter).
//  * RunCtx: per-forward settings. Dropout masks are a pure function of (seed, stream,
//    element); every dropout site takes the next stream number in forward order, so a
//    forward pass with the same per-update seed draws the same masks (exact resume).
#pragma once
#include <cstdint>
#include <string>

#include "autodiff/param_store.h"
#include "common/rng.h"

namespace lt::layers {

class ParamBuilder {
public:
  ParamBuilder(ParamStore& store, Rng& rng, bool initialize = true)
      : store_(store), rng_(rng), initialize_(initialize) {}
  Var add(const Scope& name, const Shape& shape, const Init& init) {
    // Not initializing: a model file is about to overwrite every value (TranslationModel::load),
    // and an int8-stored matrix loaded for int8 decoding may never be written at all.
    return store_.add(name.str(), shape, initialize_ ? init : Init::none(), rng_);
  }
  ParamStore& store() { return store_; }
  bool initializing() const { return initialize_; }

private:
  ParamStore& store_;
  Rng& rng_;
  bool initialize_;
};

struct RunCtx {
  bool train = false;      // dropout and DropConnect active
  uint64_t seed = 0;       // per-update dropout seed
  uint64_t stream = 1;     // next dropout stream (advanced by every site, train or not)
  uint64_t nextStream() { return stream++; }
  // Rate to apply at a site (0 when not training).
  float rate(float p) const { return train ? p : 0.f; }
};

// Inverted dropout at one site (identity when not training or p == 0).
Var dropout(const Var& x, float p, RunCtx& ctx);

// x + dropout(f) at one site (a pre-norm residual junction, ops::dropoutAdd).
Var dropoutAdd(const Var& x, const Var& f, float p, RunCtx& ctx);

}  // namespace lt::layers
