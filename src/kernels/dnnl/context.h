// oneDNN context: one CPU engine and stream per thread, the primitive cache and
// the scratchpad. Every oneDNN primitive lt uses is created once, through
// PrimitiveCache::get, keyed by (kind, propagation, shapes, dtypes, layouts,
// attributes), and reused on every later call with the same key. The context
// (and its cache) is thread_local.
//
// Scratchpad: every primitive is created in oneDNN's user scratchpad mode
// (withUserScratchpad) and runs on its thread's one grow-only buffer
// (DnnlContext::scratchpad, passed by run()). In the library mode each primitive
// keeps a scratchpad of its own once it has run (about 0.33 MB for a training
// weight-gradient matmul), and training's thousands of batch shapes made that
// about a gigabyte that no LRU bound of the cache could see.
//
// Only src/kernels includes this header (scripts/check_includes.py).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
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

  // This thread's scratchpad, grown (never shrunk) to at least `bytes`; 64-byte aligned.
  // Growing moves it: callers pass the pointer on every execution, never keep it.
  void* scratchpad(size_t bytes);
  size_t scratchpadBytes() const { return scratchBytes_; }

private:
  struct FreeDeleter {
    void operator()(void* p) const;
  };
  std::unique_ptr<void, FreeDeleter> scratch_;
  size_t scratchBytes_ = 0;
};

DnnlContext& dnnlContext();  // this thread's context

// attr (default: none) with scratchpad_mode::user; every primitive lt creates uses it.
dnnl::primitive_attr withUserScratchpad(dnnl::primitive_attr attr = dnnl::primitive_attr());

// Runs cp on this thread's stream with args plus this thread's scratchpad, and waits.
void run(const CachedPrimitive& cp, std::unordered_map<int, dnnl::memory> args);

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
