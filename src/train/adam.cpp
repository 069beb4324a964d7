#include "train/adam.h"

#include <cmath>

#include "common/error.h"
#include "train/file_io.h"

namespace lt::train {

void Adam::step(ParamStore& params, double lr, double gradScale) {
  LT_CHECK(!params.frozen(), Error,
           "Adam::step: the parameters are frozen for inference (ParamStore::freezeForInference)");
  const auto& all = params.all();
  if (moments_.size() < all.size()) moments_.resize(all.size());
  ++t_;
  const double bc1 = 1.0 - std::pow(opts_.beta1, double(t_));
  const double bc2 = 1.0 - std::pow(opts_.beta2, double(t_));
  const float stepSize = float(lr * std::sqrt(bc2) / bc1);
  const float b1 = float(opts_.beta1), b2 = float(opts_.beta2);
  const float ob1 = float(1.0 - opts_.beta1), ob2 = float(1.0 - opts_.beta2);
  const float eps = float(opts_.eps);
  const float gs = float(gradScale);
  const bool decoupled = opts_.weightDecay != 0 && opts_.decayMode == WeightDecayMode::Decoupled;
  const bool l2 = opts_.weightDecay != 0 && opts_.decayMode == WeightDecayMode::L2;
  const float decay = float(-opts_.weightDecay * lr);  // p += decay * p
  const float wd = float(opts_.weightDecay);

  for (size_t k = 0; k < all.size(); ++k) {
    const Var& p = all[k].second;
    if (!p.grad().defined()) continue;
    const int64_t n = p.value().elements();
    Moments& mo = moments_[k];
    if (mo.m.empty()) {
      mo.m.assign(size_t(n), 0.f);
      mo.v.assign(size_t(n), 0.f);
    }
    float* w = p.value().data<float>();
    const float* g = p.grad().data<float>();
    float* m = mo.m.data();
    float* v = mo.v.data();
#pragma omp parallel for schedule(static) if (n > 32768)
    for (int64_t i = 0; i < n; ++i) {
      float gi = g[i] * gs;
      if (l2) gi += wd * w[i];
      m[i] = m[i] * b1 + ob1 * gi;
      v[i] = v[i] * b2 + ob2 * gi * gi;
      float denom = std::sqrt(v[i]) + eps;
      float wi = w[i];
      if (decoupled) wi = wi + decay * wi;
      w[i] = wi - stepSize * (m[i] / denom);
    }
  }
}

void Adam::writeState(ByteSink& w, const ParamStore& params) const {
  w.u64(uint64_t(t_));
  const auto& all = params.all();
  uint64_t count = 0;
  for (size_t k = 0; k < moments_.size() && k < all.size(); ++k) count += !moments_[k].m.empty();
  w.u64(count);
  for (size_t k = 0; k < moments_.size() && k < all.size(); ++k) {
    const Moments& mo = moments_[k];
    if (mo.m.empty()) continue;
    w.bytes(all[k].first);
    w.u64(mo.m.size());
    w.raw(mo.m.data(), mo.m.size() * sizeof(float));
    w.raw(mo.v.data(), mo.v.size() * sizeof(float));
  }
}

void Adam::readState(ByteSource& r, const ParamStore& params) {
  const auto& all = params.all();
  std::vector<Moments> moments(all.size());
  int64_t t = int64_t(r.u64());
  uint64_t count = r.u64();
  LT_CHECK(count <= all.size(), IoError, "{}: optimizer state has moments for {} parameters, the model has {}",
           r.what(), count, all.size());
  for (uint64_t i = 0; i < count; ++i) {
    std::string name = r.bytes();
    size_t k = 0;
    while (k < all.size() && all[k].first != name) ++k;
    LT_CHECK(k < all.size(), IoError,
             "{}: optimizer state has moments for parameter '{}', which the model does not have",
             r.what(), name);
    uint64_t n = r.u64();
    LT_CHECK(int64_t(n) == all[k].second.value().elements(), IoError,
             "{}: optimizer state for '{}' has {} elements, the parameter has {}", r.what(), name, n,
             all[k].second.value().elements());
    moments[k].m.resize(n);
    moments[k].v.resize(n);
    r.raw(moments[k].m.data(), n * sizeof(float));
    r.raw(moments[k].v.data(), n * sizeof(float));
  }
  t_ = t;
  moments_ = std::move(moments);
}

std::string Adam::saveState(const ParamStore& params) const {
  ByteWriter w;
  writeState(w, params);
  return w.data();
}

void Adam::loadState(const std::string& bytes, const ParamStore& params) {
  ByteReader r(bytes, "saved optimizer state");
  Adam copy(opts_);
  copy.readState(r, params);
  LT_CHECK(r.remaining() == 0, IoError, "optimizer state: {} unexpected trailing bytes", r.remaining());
  t_ = copy.t_;
  moments_ = std::move(copy.moments_);
}

double gradSquaredNorm(const ParamStore& params) {
  constexpr int64_t kChunk = 1 << 14;
  double total = 0;
  for (const auto& [_, p] : params.all()) {
    if (!p.grad().defined()) continue;
    const float* g = p.grad().data<float>();
    const int64_t n = p.grad().elements();
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    std::vector<double> part(size_t(chunks), 0.0);
#pragma omp parallel for schedule(static) if (chunks > 4)
    for (int64_t c = 0; c < chunks; ++c) {
      double acc = 0;
      const int64_t end = std::min(n, (c + 1) * kChunk);
      for (int64_t i = c * kChunk; i < end; ++i) acc += double(g[i]) * g[i];
      part[size_t(c)] = acc;
    }
    for (double x : part) total += x;
  }
  return total;
}

void scaleGradients(ParamStore& params, float s) {
  for (const auto& [_, p] : params.all()) {
    if (!p.grad().defined()) continue;
    float* g = p.grad().data<float>();
    const int64_t n = p.grad().elements();
#pragma omp parallel for schedule(static) if (n > 32768)
    for (int64_t i = 0; i < n; ++i) g[i] *= s;
  }
}

}  // namespace lt::train
