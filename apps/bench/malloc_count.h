// Counts heap allocations of the whole process by interposing glibc's allocator entry
// points (the program's own malloc/free/... are found first by the dynamic linker and call
// glibc's __libc_* implementations). Include in exactly ONE translation unit (lt-bench.cpp).
//
// Counted: every malloc/calloc/realloc/memalign/aligned_alloc/posix_memalign call (C++
// operator new and std::aligned_alloc end here too), bytes requested, and "big" requests
// (>= kBigBytes, which glibc serves with mmap by default: a system allocation per call).
// The counters are relaxed atomics; counting is on only while enabled().
#pragma once
#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

extern "C" {
void* __libc_malloc(size_t) noexcept;
void* __libc_calloc(size_t, size_t) noexcept;
void* __libc_realloc(void*, size_t) noexcept;
void* __libc_memalign(size_t, size_t) noexcept;
void __libc_free(void*) noexcept;
}

namespace lt::bench {

struct AllocCounts {
  uint64_t calls = 0, bytes = 0, big = 0;
};

namespace alloc_detail {
constexpr size_t kBigBytes = size_t(128) << 10;
inline std::atomic<bool> on{false};
inline std::atomic<uint64_t> calls{0}, bytes{0}, big{0};
inline void note(size_t n) {
  if (!on.load(std::memory_order_relaxed)) return;
  calls.fetch_add(1, std::memory_order_relaxed);
  bytes.fetch_add(n, std::memory_order_relaxed);
  if (n >= kBigBytes) big.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace alloc_detail

inline void enableAllocCounting(bool on) { alloc_detail::on.store(on); }
inline AllocCounts allocCounts() {
  return {alloc_detail::calls.load(), alloc_detail::bytes.load(), alloc_detail::big.load()};
}
inline AllocCounts operator-(const AllocCounts& a, const AllocCounts& b) {
  return {a.calls - b.calls, a.bytes - b.bytes, a.big - b.big};
}

// Memory glibc holds from the system (brk heap + mmapped chunks), bytes.
inline size_t systemHeapBytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.arena + mi.hblkhd;
}

}  // namespace lt::bench

extern "C" {
void* malloc(size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) noexcept {
  lt::bench::alloc_detail::note(a * b);
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
void* memalign(size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return __libc_memalign(al, n);
}
void* aligned_alloc(size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return __libc_memalign(al, n);
}
int posix_memalign(void** out, size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  void* p = __libc_memalign(al, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}
}
