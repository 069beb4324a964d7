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
  int8Sources_.erase(&n);
}

void ParamStore::setInt8Source(const Var& p, Int8Rows rows) {
  const Tensor& v = p.value();
  LT_CHECK(!frozen_, Error, "setInt8Source: the store is frozen");
  LT_CHECK(v.rank() == 2 && v.dtype() == DType::F32 && rows.q.dtype() == DType::I8 &&
               rows.q.shape() == v.shape() && rows.scale.dtype() == DType::F32 &&
               rows.scale.rank() == 1 && rows.scale.dim(0) == v.dim(0),
           ShapeError, "setInt8Source: value {} needs i8 rows of its shape and f32 [{}] scales",
           v.shape().toString(), v.rank() >= 1 ? v.dim(0) : 0);
  int8Sources_[p.node().get()] = std::move(rows);
}

const ParamStore::Int8Rows* ParamStore::int8Source(const Var& p) const {
  auto it = int8Sources_.find(p.node().get());
  return it == int8Sources_.end() ? nullptr : &it->second;
}

void ParamStore::materializeInt8(Node& n) {
  auto it = int8Sources_.find(&n);
  if (it == int8Sources_.end()) return;
  const int64_t rows = n.value.dim(0), cols = n.value.dim(1);
  const int8_t* q = it->second.q.data<int8_t>();
  const float* s = it->second.scale.data<float>();
  float* out = n.value.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = float(q[r * cols + c]) * s[r];
  int8Sources_.erase(it);
}

void ParamStore::freezeForInference(InferencePrecision precision, bool releaseReplaced) {
  if (frozen_) return;
  std::map<const Node*, size_t> lastReader;
  for (size_t i = 0; i < freezeHooks_.size(); ++i)
    for (const Var& v : freezeHooks_[i].reads) lastReader[v.node().get()] = i;
  for (size_t i = 0; i < freezeHooks_.size(); ++i) {
    if (!(freezeHooks_[i].int8Aware && precision == InferencePrecision::Int8))
      for (const Var& v : freezeHooks_[i].reads) materializeInt8(*v.node());
    freezeHooks_[i].run(precision);
    if (releaseReplaced)
      for (const Var& v : freezeHooks_[i].reads)
        if (lastReader[v.node().get()] == i) release(*v.node());
  }
  // Values still in use (kept, or not released) get their rows dequantized now.
  while (!int8Sources_.empty()) materializeInt8(*int8Sources_.begin()->first);
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
