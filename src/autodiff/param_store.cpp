#include "autodiff/param_store.h"

#include "common/memory.h"
#include "tensor/block_cache.h"

namespace lt {

Var ParamStore::add(const std::string& name, const Shape& shape, const Init& init, Rng& rng) {
  HeapScope heap;
  Tensor t = Tensor::empty(shape);
  initialize(t, init, rng);
  return addTensor(name, std::move(t));
}

Var ParamStore::addTensor(const std::string& name, Tensor value) {
  LT_CHECK(!name.empty(), ConfigError, "parameter with an empty name");
  LT_CHECK(!has(name), ConfigError, "parameter '{}' defined twice", name);
  Var v = Var::param(std::move(value));
  index_[name] = params_.size();
  params_.emplace_back(name, v);
  return v;
}

void ParamStore::release(Node& n) {
  if (!replaced_.count(&n) || kept_.count(&n) || !n.value.defined()) return;
  releasedBytes_ += int64_t(n.value.bytes());
  n.value = Tensor();
}

void ParamStore::freezeForInference(InferencePrecision precision, bool releaseReplaced) {
  if (frozen_) return;
  std::map<const Node*, size_t> lastReader;
  for (size_t i = 0; i < freezeHooks_.size(); ++i)
    for (const Var& v : freezeHooks_[i].reads) lastReader[v.node().get()] = i;
  for (size_t i = 0; i < freezeHooks_.size(); ++i) {
    freezeHooks_[i].run(precision);
    if (releaseReplaced)
      for (const Var& v : freezeHooks_[i].reads)
        if (lastReader[v.node().get()] == i) release(*v.node());
  }
  precision_ = precision;
  frozen_ = true;
  if (!releaseReplaced) return;
  // Freed blocks would otherwise stay cached (LargeBlockCache) or in the tuned heap for reuse.
  if (releasedBytes_ > 0) {
    LargeBlockCache::clear();
    returnFreeMemory();
  }
}

Var ParamStore::get(const std::string& name) const {
  auto it = index_.find(name);
  LT_CHECK(it != index_.end(), IoError, "no parameter named '{}'", name);
  return params_[it->second].second;
}

int64_t ParamStore::numElements() const {
  int64_t n = 0;
  for (auto& [_, v] : params_) n += v.value().elements();
  return n;
}

void ParamStore::zeroGrad() {
  for (auto& [_, v] : params_) {
    Var w = v;
    w.zeroGrad();
  }
}

double ParamStore::gradSquaredNorm() const {
  double s = 0;
  for (auto& [_, v] : params_) {
    if (!v.grad().defined()) continue;
    const float* g = v.grad().data<float>();
    int64_t n = v.grad().elements();
    double acc = 0;
#pragma omp parallel for reduction(+ : acc) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) acc += double(g[i]) * g[i];
    s += acc;
  }
  return s;
}

}  // namespace lt
