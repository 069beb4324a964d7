// Counts heap allocations of the whole process by interposing the allocator's entry points:
// the program's own malloc/free/... are found first by the dynamic linker and call the
// allocator lt is built with (tcmalloc's tc_*, or glibc's __libc_*). C++ operator new/delete
// are replaced too, since tcmalloc's own operator new does not go through malloc. Include in
// exactly ONE translation unit (lt-bench.cpp).
//
// Counted: every malloc/calloc/realloc/memalign/aligned_alloc/posix_memalign call and every
// operator new (std::aligned_alloc ends here too), bytes requested, and "big" requests
// (>= kBigBytes, which glibc serves with mmap by default: a system allocation per call).
// The counters are relaxed atomics; counting is on only while enabled().
#pragma once
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>

#ifdef LT_HAVE_TCMALLOC
#include <gperftools/tcmalloc.h>
#define LT_ALLOC_MALLOC tc_malloc
#define LT_ALLOC_CALLOC tc_calloc
#define LT_ALLOC_REALLOC tc_realloc
#define LT_ALLOC_MEMALIGN tc_memalign
#define LT_ALLOC_FREE tc_free
#else
extern "C" {
void* __libc_malloc(size_t) noexcept;
void* __libc_calloc(size_t, size_t) noexcept;
void* __libc_realloc(void*, size_t) noexcept;
void* __libc_memalign(size_t, size_t) noexcept;
void __libc_free(void*) noexcept;
}
#define LT_ALLOC_MALLOC __libc_malloc
#define LT_ALLOC_CALLOC __libc_calloc
#define LT_ALLOC_REALLOC __libc_realloc
#define LT_ALLOC_MEMALIGN __libc_memalign
#define LT_ALLOC_FREE __libc_free
#endif

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

}  // namespace lt::bench

extern "C" {
void* malloc(size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return LT_ALLOC_MALLOC(n);
}
void* calloc(size_t a, size_t b) noexcept {
  lt::bench::alloc_detail::note(a * b);
  return LT_ALLOC_CALLOC(a, b);
}
void* realloc(void* p, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return LT_ALLOC_REALLOC(p, n);
}
void free(void* p) noexcept { LT_ALLOC_FREE(p); }
void* memalign(size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return LT_ALLOC_MEMALIGN(al, n);
}
void* aligned_alloc(size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  return LT_ALLOC_MEMALIGN(al, n);
}
int posix_memalign(void** out, size_t al, size_t n) noexcept {
  lt::bench::alloc_detail::note(n);
  void* p = LT_ALLOC_MEMALIGN(al, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}
}

// C++ allocation through the counted entry points (all forms; sized and aligned deletes
// free like plain free).
namespace lt::bench::alloc_detail {
inline void* newBytes(size_t n, size_t al = 0) {
  void* p = al > alignof(std::max_align_t) ? aligned_alloc(al, (n + al - 1) / al * al)
                                           : malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
inline void* newNothrow(size_t n, size_t al = 0) noexcept {
  try {
    return newBytes(n, al);
  } catch (...) {
    return nullptr;
  }
}
}  // namespace lt::bench::alloc_detail

void* operator new(size_t n) { return lt::bench::alloc_detail::newBytes(n); }
void* operator new[](size_t n) { return lt::bench::alloc_detail::newBytes(n); }
void* operator new(size_t n, std::align_val_t al) {
  return lt::bench::alloc_detail::newBytes(n, size_t(al));
}
void* operator new[](size_t n, std::align_val_t al) {
  return lt::bench::alloc_detail::newBytes(n, size_t(al));
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return lt::bench::alloc_detail::newNothrow(n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return lt::bench::alloc_detail::newNothrow(n);
}
void* operator new(size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return lt::bench::alloc_detail::newNothrow(n, size_t(al));
}
void* operator new[](size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return lt::bench::alloc_detail::newNothrow(n, size_t(al));
}
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
