#include "tensor/block_cache.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace lt {

namespace {
struct Block {
  std::byte* ptr;
  size_t capacity;
  uint64_t age;  // release order, for evicting the oldest block first
};

struct CacheState {
  std::mutex mu;
  std::vector<Block> blocks;
  size_t cached = 0;
#ifdef LT_HAVE_TCMALLOC
  // tcmalloc keeps freed spans for reuse itself: with it, the cache made no difference to speed
  // and only held memory (docs/performance.md, 2026-12-04 23:36-23:45 UTC), so it is off.
  size_t limit = 0;
#else
  size_t limit = size_t(768) << 20;
#endif
  uint64_t clock = 0;
  LargeBlockStats stats;
};

CacheState& state() {
  static CacheState* s = new CacheState();  // never destroyed: tensors may die during static destruction
  return *s;
}

// Frees the oldest blocks until `incoming` more bytes fit under the limit. Caller holds the lock.
void evictFor(CacheState& s, size_t incoming) {
  while (!s.blocks.empty() && s.cached + incoming > s.limit) {
    size_t oldest = 0;
    for (size_t i = 1; i < s.blocks.size(); ++i)
      if (s.blocks[i].age < s.blocks[oldest].age) oldest = i;
    std::free(s.blocks[oldest].ptr);
    s.cached -= s.blocks[oldest].capacity;
    s.blocks.erase(s.blocks.begin() + std::ptrdiff_t(oldest));
  }
}
}  // namespace

size_t LargeBlockCache::sizeClass(size_t bytes) {
  size_t pow2 = 64;
  while (pow2 < bytes) pow2 <<= 1;
  size_t step = pow2 / 16;  // classes (pow2/2, pow2] in steps of pow2/16: eight per octave
  return (bytes + step - 1) / step * step;
}

std::byte* LargeBlockCache::acquire(size_t bytes, size_t* capacity) {
  CacheState& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    size_t best = s.blocks.size();
    for (size_t i = 0; i < s.blocks.size(); ++i) {
      size_t c = s.blocks[i].capacity;
      if (c >= bytes && c < 2 * bytes && (best == s.blocks.size() || c < s.blocks[best].capacity))
        best = i;
    }
    if (best != s.blocks.size()) {
      Block b = s.blocks[best];
      s.blocks.erase(s.blocks.begin() + std::ptrdiff_t(best));
      s.cached -= b.capacity;
      ++s.stats.hits;
      *capacity = b.capacity;
      return b.ptr;
    }
    ++s.stats.misses;
  }
  size_t n = sizeClass(bytes);
  void* p = std::aligned_alloc(64, n);
  if (!p) {
    clear();  // the cache may hold the memory we need
    p = std::aligned_alloc(64, n);
    if (!p) throw std::bad_alloc();
  }
  *capacity = n;
  return static_cast<std::byte*>(p);
}

void LargeBlockCache::release(std::byte* p, size_t capacity) {
  CacheState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (capacity > s.limit) {
    std::free(p);
    return;
  }
  evictFor(s, capacity);
  s.blocks.push_back({p, capacity, s.clock++});
  s.cached += capacity;
}

size_t LargeBlockCache::limit() {
  CacheState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.limit;
}

void LargeBlockCache::setLimit(size_t bytes) {
  CacheState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.limit = bytes;
  evictFor(s, 0);
}

void LargeBlockCache::clear() {
  CacheState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  for (const Block& b : s.blocks) std::free(b.ptr);
  s.blocks.clear();
  s.cached = 0;
}

LargeBlockStats LargeBlockCache::stats() {
  CacheState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  LargeBlockStats out = s.stats;
  out.cachedBytes = s.cached;
  out.cachedBlocks = s.blocks.size();
  return out;
}

}  // namespace lt
