#include "kernels/dnnl/context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/error.h"

namespace lt::kernels {

const CachedPrimitive& PrimitiveCache::get(const std::string& key,
                                           const std::function<CachedPrimitive()>& make) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second.second);  // most recently used first
    return it->second.first;
  }
  ++misses_;
  SPDLOG_DEBUG("oneDNN primitive cache miss: {}", key);
  if (map_.size() >= capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  return map_.emplace(key, std::make_pair(make(), lru_.begin())).first->second.first;
}

void PrimitiveCache::setCapacity(size_t n) {
  capacity_ = std::max<size_t>(n, 1);
  while (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
}

void DnnlContext::FreeDeleter::operator()(void* p) const { std::free(p); }

void* DnnlContext::scratchpad(size_t bytes) {
  if (bytes > scratchBytes_) {
    const size_t n = (bytes + 4095) / 4096 * 4096;
    scratch_.reset();  // free first: the old contents are not needed
    void* p = std::aligned_alloc(64, n);
    LT_CHECK(p, Error, "oneDNN scratchpad: cannot allocate {} bytes", n);
    scratch_.reset(p);
    scratchBytes_ = n;
  }
  return scratch_.get();
}

dnnl::primitive_attr withUserScratchpad(dnnl::primitive_attr attr) {
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void run(const CachedPrimitive& cp, std::unordered_map<int, dnnl::memory> args) {
  DnnlContext& ctx = dnnlContext();
  const dnnl::memory::desc sd = cp.pd.scratchpad_desc();
  if (sd.get_size() > 0)
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(sd, ctx.engine, ctx.scratchpad(sd.get_size())));
  cp.prim.execute(ctx.stream, args);
  ctx.stream.wait();
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
  const std::vector<int64_t> dims = s.dims();
  dnnl::memory::dims d(dims.begin(), dims.end());
  dnnl::memory::dims strides(d.size());
  int64_t st = 1;
  for (int i = int(d.size()) - 1; i >= 0; --i) {
    strides[i] = st;
    st *= d[i];
  }
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

}  // namespace lt::kernels
