// ParamStore: the model's named parameters. Names are hierarchical and
// slash-separated ("decoder/l2/self_attn/wq"); they are the checkpoint format,
// so they must stay stable. Iteration order is insertion order (deterministic
// given the model config), which is also the order the optimizer walks.
#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "autodiff/init.h"
#include "autodiff/var.h"

namespace lt {

class ParamStore {
public:
  // Creates a parameter; throws ConfigError if the name exists.
  Var add(const std::string& name, const Shape& shape, const Init& init, Rng& rng);
  // Registers an existing tensor (e.g. loaded from a checkpoint).
  Var addTensor(const std::string& name, Tensor value);
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  Var get(const std::string& name) const;  // throws IoError naming the missing parameter
  const std::vector<std::pair<std::string, Var>>& all() const { return params_; }
  size_t size() const { return params_.size(); }
  int64_t numElements() const;
  void zeroGrad();
  // Sum of squared gradients (for clipping); params without gradient count 0.
  double gradSquaredNorm() const;

  // Inference preparation. Layers register hooks when they are built (Linear: a packed
  // copy of its weight, ops::packLinearWeight, in the precision asked for);
  // freezeForInference() runs them once, after the weights are loaded, and marks the store
  // frozen: its values must not change afterwards (Adam::step refuses a frozen store).
  // Decoding programs freeze; lt-train never does, so its validation decoding reads the live
  // weights. A second call is a no-op (the first precision stays).
  // `reads`: the parameters the hook reads; with releaseReplaced each is dropped right after the
  // last hook that reads it, so packed copies take the place of their sources one by one and
  // the two never coexist in full.
  // int8Aware: at InferencePrecision::Int8 the hook reads int8Source() of the parameters it
  // reads when they have one (see below) instead of their values.
  void onFreeze(std::function<void(InferencePrecision)> hook, std::vector<Var> reads = {},
                bool int8Aware = false) {
    freezeHooks_.push_back({std::move(hook), std::move(reads), int8Aware});
  }
  // Int8 sources: loading an int8 model file for int8 decoding (models::loadWeights with
  // deferInt8) keeps each int8-stored matrix as its rows and row scales instead of
  // dequantizing it into the f32 value, which then stays untouched (unmapped) memory.
  // freezeForInference dequantizes the rows into the value (the loader's rule, value =
  // q · scale of the row) right before any hook that is not int8-aware reads it, and after the
  // hooks for every value still in use; sources of released values are dropped unread. Until
  // the store is frozen, nothing else may read such a parameter's value.
  struct Int8Rows {
    Tensor q;      // i8 [rows, cols]
    Tensor scale;  // f32 [rows]
  };
  void setInt8Source(const Var& p, Int8Rows rows);
  const Int8Rows* int8Source(const Var& p) const;  // nullptr when the value is the source
  size_t int8Sources() const { return int8Sources_.size(); }
  // Which values inference still reads once the hooks have run: a layer whose hook builds a
  // packed copy marks the source replacedByPacking (Linear's weight); a layer that reads a
  // value directly marks it readAtInference (an embedding table, also packed when a tied
  // output projection shares it). Kept wins.
  void replacedByPacking(const Var& p) { replaced_.insert(p.node().get()); }
  void readAtInference(const Var& p) { kept_.insert(p.node().get()); }
  // releaseReplaced: drop the values of the parameters that were replaced and are not kept,
  // each right after the last hook that reads it (decoding programs: the packed copies are all
  // they read; a replaced value that no hook names as read stays). Such a store can no longer
  // run with gradients, be saved or be frozen again at another precision; the parameters'
  // names stay, their values are undefined.
  void freezeForInference(InferencePrecision precision = InferencePrecision::F32,
                          bool releaseReplaced = false);
  // Bytes of parameter values dropped by freezeForInference(..., true).
  int64_t releasedBytes() const { return releasedBytes_; }
  InferencePrecision precision() const { return precision_; }
  bool frozen() const { return frozen_; }

private:
  struct FreezeHook {
    std::function<void(InferencePrecision)> run;
    std::vector<Var> reads;
    bool int8Aware = false;
  };
  void release(Node& n);
  void materializeInt8(Node& n);
  std::map<Node*, Int8Rows> int8Sources_;
  std::vector<FreezeHook> freezeHooks_;
  std::set<const Node*> replaced_, kept_;
  int64_t releasedBytes_ = 0;
  bool frozen_ = false;
  InferencePrecision precision_ = InferencePrecision::F32;
  std::vector<std::pair<std::string, Var>> params_;
  std::map<std::string, size_t> index_;
};

// Builds hierarchical names: Scope s("decoder"); s / "l2" / "wq" -> "decoder/l2/wq".
class Scope {
public:
  explicit Scope(std::string path = "") : path_(std::move(path)) {}
  Scope operator/(const std::string& child) const {
    return Scope(path_.empty() ? child : path_ + "/" + child);
  }
  const std::string& str() const { return path_; }

private:
  std::string path_;
};

}  // namespace lt
