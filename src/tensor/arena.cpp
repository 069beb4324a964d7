#include "tensor/arena.h"

#include <cstdlib>
#include <new>

#include "common/error.h"

namespace lt {

namespace {
thread_local Arena* tCurrent = nullptr;

std::byte* alignedAlloc(size_t bytes) {
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}
void alignedFree(std::byte* p) { std::free(p); }
}  // namespace

Arena::Arena(size_t blockBytes) : blockBytes_(blockBytes) {}
Arena::~Arena() = default;

void* Arena::allocate(size_t bytes) {
  bytes = (bytes + 63) / 64 * 64;
  while (active_ < blocks_.size()) {
    Block& b = blocks_[active_];
    if (b.offset + bytes <= b.size) {
      void* p = b.mem.get() + b.offset;
      b.offset += bytes;
      used_ += bytes;
      if (used_ > peak_) peak_ = used_;
      return p;
    }
    ++active_;
  }
  size_t size = std::max(blockBytes_, bytes);
  blocks_.push_back(Block{{alignedAlloc(size), alignedFree}, size, bytes});
  active_ = blocks_.size() - 1;
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
  return blocks_.back().mem.get();
}

void Arena::reset() {
  for (auto& b : blocks_) b.offset = 0;
  active_ = 0;
  used_ = 0;
  ++generation_;
}

size_t Arena::capacity() const {
  size_t n = 0;
  for (auto& b : blocks_) n += b.size;
  return n;
}

Arena* Arena::current() { return tCurrent; }

ArenaScope::ArenaScope(Arena& a) : prev_(tCurrent) { tCurrent = &a; }
ArenaScope::~ArenaScope() { tCurrent = prev_; }

HeapScope::HeapScope() : prev_(tCurrent) { tCurrent = nullptr; }
HeapScope::~HeapScope() { tCurrent = prev_; }

}  // namespace lt
