// Eager reverse-mode autodiff.
//
// Every op runs immediately (values are inspectable at once) and, when
// gradients are enabled and an input requires one, records a Node on the
// thread's tape. backward() walks the tape in reverse creation order (already
// topological) and calls each node's backward function, which ACCUMULATES
// (+=) into the gradients of its inputs (Marian's per-child rule, llm.c's +=).
//
// NoGradScope disables recording (decoding, validation): intermediates are then
// freed as soon as their Var handles go away.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace lt {

class Node;
class Var;
namespace detail {
Var untracked(Tensor value, const char* op);
}
using NodePtr = std::shared_ptr<Node>;
using BackwardFn = std::function<void(Node& self)>;

class Node {
public:
  Tensor value;
  Tensor grad;  // undefined until something accumulates into it
  bool requiresGrad = false;
  bool isParam = false;  // parameter leaves keep heap-allocated gradients
  const char* op = "leaf";
  std::vector<NodePtr> inputs;
  BackwardFn backward;

  // Gradient buffer, zero-initialised on first use (heap for parameters, the
  // current allocator otherwise). Kernels may accumulate into it directly.
  Tensor& gradBuffer();
};

class Var {
public:
  Var() = default;
  explicit Var(Tensor value, bool requiresGrad = false);
  static Var param(Tensor value);  // leaf that requires a gradient, heap-held

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const { return node_->value; }
  Tensor& mutableValue() { return node_->value; }
  const Tensor& grad() const { return node_->grad; }
  bool requiresGrad() const { return node_ && node_->requiresGrad; }
  const Shape& shape() const { return node_->value.shape(); }
  int64_t dim(int axis) const { return node_->value.dim(axis); }
  int rank() const { return node_->value.rank(); }
  const char* op() const { return node_->op; }
  const NodePtr& node() const { return node_; }
  void zeroGrad();

private:
  friend Var makeResult(Tensor, const char*, std::vector<Var>, BackwardFn);
  friend Var detail::untracked(Tensor, const char*);
  NodePtr node_;
};

// Records the result of an op. `backward` is kept only when gradients are
// enabled and some input requires a gradient; it receives the result node,
// whose .grad is defined, and must accumulate into the inputs that require
// gradients (check self.inputs[i]->requiresGrad).
Var makeResult(Tensor value, const char* op, std::vector<Var> inputs, BackwardFn backward);

bool gradEnabled();

namespace detail {
// The result of an op that records nothing (no inputs, no backward).
Var untracked(Tensor value, const char* op);
template <class It>
bool anyRequiresGrad(It first, It last) {
  for (; first != last; ++first)
    if (first->requiresGrad()) return true;
  return false;
}
}  // namespace detail

// The same for a literal input list and a backward lambda: when nothing is recorded
// (gradients disabled, as in decoding, or no input requiring one) neither the input list
// nor the std::function is built, which saves two heap allocations per op.
template <class F>
Var makeResult(Tensor value, const char* op, std::initializer_list<Var> inputs, F&& backward) {
  if (!gradEnabled() || !detail::anyRequiresGrad(inputs.begin(), inputs.end()))
    return detail::untracked(std::move(value), op);
  return makeResult(std::move(value), op, std::vector<Var>(inputs),
                    BackwardFn(std::forward<F>(backward)));
}
template <class F>
Var makeResult(Tensor value, const char* op, const std::vector<Var>& inputs, F&& backward) {
  if (!gradEnabled() || !detail::anyRequiresGrad(inputs.begin(), inputs.end()))
    return detail::untracked(std::move(value), op);
  return makeResult(std::move(value), op, inputs, BackwardFn(std::forward<F>(backward)));
}

// Adds g into node.grad (allocating it on first use). Shapes must match.
void accumulateGrad(Node& node, const Tensor& g);

// Hands a gradient computed for this call (no one else holds it) to `node`: moved in when the
// node has none yet and is not a parameter (whose gradient lives on the heap), else added.
void addFreshGrad(Node& node, Tensor g);

// Runs the backward pass from `out`, seeding its gradient with `seed` (ones
// when undefined; then out must have one element). Clears the tape.
void backward(const Var& out, const Tensor& seed = Tensor());

// Drops the recorded tape without running backward (e.g. after validation
// when grad mode was on by mistake, or after an exception mid-forward).
void clearTape();
size_t tapeSize();

class NoGradScope {
public:
  NoGradScope();
  ~NoGradScope();
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

private:
  bool prev_;
};

}  // namespace lt
