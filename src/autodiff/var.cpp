#include "autodiff/var.h"

#include <chrono>

#include "common/profiler.h"

namespace lt {

namespace {
thread_local std::vector<NodePtr> tTape;
thread_local bool tGradEnabled = true;

void addInto(Tensor& dst, const Tensor& src) {
  float* d = dst.data<float>();
  const float* s = src.data<float>();
  int64_t n = dst.elements();
#pragma omp parallel for simd if (n > 32768)
  for (int64_t i = 0; i < n; ++i) d[i] += s[i];
}
}  // namespace

Tensor& Node::gradBuffer() {
  if (!grad.defined()) {
    if (isParam) {
      HeapScope heap;
      grad = Tensor::zeros(value.shape(), value.dtype());
    } else {
      grad = Tensor::zeros(value.shape(), value.dtype());
    }
  }
  return grad;
}

Var::Var(Tensor value, bool requiresGrad) : node_(std::make_shared<Node>()) {
  node_->value = std::move(value);
  node_->requiresGrad = requiresGrad;
}

Var Var::param(Tensor value) {
  Var v(std::move(value), true);
  v.node_->isParam = true;
  return v;
}

void Var::zeroGrad() {
  if (node_ && node_->grad.defined()) node_->grad.zero();
}

Var detail::untracked(Tensor value, const char* op) {
  profiler::forward(op);
  Var out(std::move(value), false);
  out.node_->op = op;
  return out;
}

Var makeResult(Tensor value, const char* op, std::vector<Var> inputs, BackwardFn backward) {
  profiler::forward(op);
  Var out(std::move(value), false);
  out.node_->op = op;
  if (!tGradEnabled) return out;
  bool any = false;
  for (auto& in : inputs) any = any || in.requiresGrad();
  if (!any) return out;
  out.node_->requiresGrad = true;
  out.node_->inputs.reserve(inputs.size());
  for (auto& in : inputs) out.node_->inputs.push_back(in.node());
  out.node_->backward = std::move(backward);
  tTape.push_back(out.node_);
  return out;
}

void accumulateGrad(Node& node, const Tensor& g) {
  LT_CHECK(g.shape() == node.value.shape(), ShapeError,
           "internal: gradient {} does not match value {} of op {}", g.shape().toString(),
           node.value.shape().toString(), node.op);
  if (!node.grad.defined() && !node.isParam) {
    node.grad = g.clone();
    return;
  }
  addInto(node.gradBuffer(), g);
}

void addFreshGrad(Node& node, Tensor g) {
  if (!node.grad.defined() && !node.isParam) node.grad = std::move(g);
  else accumulateGrad(node, g);
}

void backward(const Var& out, const Tensor& seed) {
  LT_CHECK(out.defined(), Error, "backward: undefined output");
  if (!out.requiresGrad()) {
    clearTape();
    return;
  }
  Node& root = *out.node();
  if (seed.defined()) {
    accumulateGrad(root, seed);
  } else {
    LT_CHECK(out.value().elements() == 1, ShapeError,
             "backward: output {} is not a scalar; pass a seed gradient", out.shape().toString());
    root.gradBuffer().fill(1.f);
  }
  // Keep the tape alive while walking it; nodes are released afterwards.
  std::vector<NodePtr> tape;
  tape.swap(tTape);
  for (auto it = tape.rbegin(); it != tape.rend(); ++it) {
    Node& n = **it;
    if (n.grad.defined() && n.backward) {
      if (profiler::enabled()) {
        const auto t0 = std::chrono::steady_clock::now();
        n.backward(n);
        profiler::backward(
            n.op, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      } else {
        n.backward(n);
      }
    }
    // Free what this node held: inputs' values stay alive through other refs.
    n.backward = nullptr;
    n.inputs.clear();
    // Every consumer of this node came later on the tape and is done, so when
    // only the tape still refers to the node, no one can read its value or
    // gradient again: release them now instead of at the end of backward.
    if (it->use_count() == 1) {
      n.grad = Tensor();
      n.value = Tensor();
    }
  }
}

void clearTape() {
  for (auto& n : tTape) {
    n->backward = nullptr;
    n->inputs.clear();
  }
  tTape.clear();
}

size_t tapeSize() { return tTape.size(); }

bool gradEnabled() { return tGradEnabled; }

NoGradScope::NoGradScope() : prev_(tGradEnabled) { tGradEnabled = false; }
NoGradScope::~NoGradScope() { tGradEnabled = prev_; }

}  // namespace lt
