// oneDNN context: one CPU engine and stream per thread, and the primitive
// cache. Every oneDNN primitive lt uses is created once, through
// PrimitiveCache::get, keyed by (kind, propagation, shapes, dtypes, layouts,
// attributes), and reused on every later call with the same key. oneDNN
// primitives are not thread-safe across threads in the default scratchpad
// mode, so the context (and its cache) is thread_local.
//
// Only src/kernels includes this header (scripts/check_includes.py).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>

#include "tensor/shape.h"

namespace lt::kernels {

struct CachedPrimitive {
  dnnl::primitive prim;
  dnnl::primitive_desc_base pd;
};

class PrimitiveCache {
public:
  // Returns the cached primitive for `key`, creating it with make() on a miss.
  const CachedPrimitive& get(const std::string& key, const std::function<CachedPrimitive()>& make);
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t size() const { return map_.size(); }
  void clear() {
    map_.clear();
    lru_.clear();
  }
  // Training batches come in many shapes: the cache keeps the most recently
  // used `capacity` primitives (default 4096) and drops the least recent.
  void setCapacity(size_t n);
  size_t capacity() const { return capacity_; }

private:
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<CachedPrimitive, std::list<std::string>::iterator>> map_;
  size_t capacity_ = 4096;
  size_t hits_ = 0, misses_ = 0;
};

struct DnnlContext {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  PrimitiveCache cache;
};

DnnlContext& dnnlContext();  // this thread's context

// Builds cache keys: Key("matmul").dims(shape).flag(transA)...str()
class Key {
public:
  explicit Key(const char* kind) : s_(kind) {}
  Key& dims(const Shape& s);
  Key& num(int64_t v);
  Key& real(float v);
  Key& tag(const char* t);
  const std::string& str() const { return s_; }

private:
  std::string s_;
};

// Wraps a float pointer as a oneDNN memory with the given descriptor.
inline dnnl::memory wrap(const dnnl::memory::desc& md, const void* ptr) {
  return dnnl::memory(md, dnnlContext().engine, const_cast<void*>(ptr));
}

// Plain row-major f32 descriptor for a shape.
dnnl::memory::desc plainDesc(const Shape& s);

}  // namespace lt::kernels
