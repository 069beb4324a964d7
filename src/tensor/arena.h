// Activation arena: a bump allocator reset once per batch (training update or
// decoding batch). Blocks are kept across resets, so after the first batches a
// steady-state loop allocates nothing from the system.
//
// Tensors allocated while an ArenaScope is active come from that arena. Using
// such a tensor after the arena was reset is a bug the Tensor accessors catch
// (each allocation records the arena generation).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace lt {

class Arena {
public:
  explicit Arena(size_t blockBytes = size_t(64) << 20);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(size_t bytes);  // 64-byte aligned
  void reset();                  // invalidates everything allocated so far
  uint64_t generation() const { return generation_; }
  size_t bytesInUse() const { return used_; }
  size_t peakBytes() const { return peak_; }
  size_t capacity() const;

  static Arena* current();  // arena of the innermost ArenaScope on this thread, or null

private:
  struct Block {
    std::unique_ptr<std::byte[], void (*)(std::byte*)> mem;
    size_t size;
    size_t offset;
  };
  std::vector<Block> blocks_;
  size_t blockBytes_;
  size_t active_ = 0;  // index of the block being filled
  size_t used_ = 0, peak_ = 0;
  uint64_t generation_ = 1;
  friend class ArenaScope;
};

class ArenaScope {
public:
  explicit ArenaScope(Arena& a);
  ~ArenaScope();
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;

private:
  Arena* prev_;
};

// Suspends arena allocation (e.g. for parameters or state that outlives a batch).
class HeapScope {
public:
  HeapScope();
  ~HeapScope();

private:
  Arena* prev_;
};

}  // namespace lt
