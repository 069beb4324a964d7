// LargeBlockCache: keeps freed large tensor blocks for reuse.
//
// glibc serves every block above its mmap threshold (at most 32 MiB) with fresh
// anonymous pages, which the kernel zeroes on first touch and unmaps on free.
// Training allocates and frees the same 100+ MiB logits-sized buffers (logits,
// their softmax, their gradient) every update, so without reuse each update
// pays tens of thousands of page faults and a full clear of those pages inside
// the first kernel that writes them (profile of the Multi30k Lite run: 5.7% of
// the time in clear_page, 17% in the kernel overall).
//
// Blocks of at least kMinBytes are rounded up to a size class (eight classes per
// power of two), and a freed block is kept while the cache holds at most
// limit() bytes (768 MiB by default on glibc; 0, i.e. off, when lt is built
// with tcmalloc, which keeps freed spans itself); acquire() returns the smallest
// cached block that fits and is less than twice the request. Thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lt {

struct LargeBlockStats {
  uint64_t hits = 0;      // acquisitions served from the cache
  uint64_t misses = 0;    // acquisitions that allocated a fresh block
  size_t cachedBytes = 0; // bytes currently held for reuse
  size_t cachedBlocks = 0;
};

class LargeBlockCache {
public:
  static constexpr size_t kMinBytes = size_t(8) << 20;

  // A 64-byte aligned block of at least `bytes` (>= kMinBytes); its true size goes to *capacity.
  static std::byte* acquire(size_t bytes, size_t* capacity);
  // Returns a block from acquire(); kept for reuse or freed.
  static void release(std::byte* p, size_t capacity);

  static size_t limit();
  static void setLimit(size_t bytes);  // 0 disables caching; frees what no longer fits
  static void clear();                 // frees every cached block
  static LargeBlockStats stats();

  // Size class of a request: `bytes` rounded up to a multiple of 1/8 of its power of two.
  static size_t sizeClass(size_t bytes);
};

}  // namespace lt
