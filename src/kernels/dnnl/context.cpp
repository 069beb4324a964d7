#include "kernels/dnnl/context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace lt::kernels {

const CachedPrimitive& PrimitiveCache::get(const std::string& key,
                                           const std::function<CachedPrimitive()>& make) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    ++hits_;
    return it->second;
  }
  ++misses_;
  SPDLOG_DEBUG("oneDNN primitive cache miss: {}", key);
  return map_.emplace(key, make()).first->second;
}

DnnlContext& dnnlContext() {
  thread_local DnnlContext ctx;
  return ctx;
}

Key& Key::dims(const Shape& s) {
  s_ += '|';
  s_ += s.toString();
  return *this;
}
Key& Key::num(int64_t v) {
  s_ += '|';
  s_ += std::to_string(v);
  return *this;
}
Key& Key::real(float v) {
  s_ += fmt::format("|{:a}", v);
  return *this;
}
Key& Key::tag(const char* t) {
  s_ += '|';
  s_ += t;
  return *this;
}

dnnl::memory::desc plainDesc(const Shape& s) {
  dnnl::memory::dims d(s.dims().begin(), s.dims().end());
  dnnl::memory::dims strides(d.size());
  int64_t st = 1;
  for (int i = int(d.size()) - 1; i >= 0; --i) {
    strides[i] = st;
    st *= d[i];
  }
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

}  // namespace lt::kernels
