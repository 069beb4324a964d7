#include <doctest/doctest.h>

#include "tensor/block_cache.h"
#include "tensor/tensor.h"

using namespace lt;

TEST_CASE("Shape basics and messages") {
  Shape s{2, 3, 4};
  CHECK(s.rank() == 3);
  CHECK(s.elements() == 24);
  CHECK(s[-1] == 4);
  CHECK(s.outer(2) == 6);
  CHECK(s.inner(1) == 12);
  CHECK(s.toString() == "[2x3x4]");
  CHECK_THROWS_AS(s.normAxis(3), ShapeError);
  CHECK(Shape{1, 2} != Shape{2, 1});
}

TEST_CASE("Tensor views share storage") {
  Tensor t = Tensor::fromVector({2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5});
  Tensor r = t.reshape({3, 2});
  CHECK(r.sharesStorage(t));
  Tensor s = t.slice(1, 2);
  CHECK(s.shape() == Shape{1, 3});
  CHECK(s.data<float>()[0] == 3.f);
  s.data<float>()[0] = 9.f;
  CHECK(t.data<float>()[3] == 9.f);
  CHECK(t.row(0).shape() == Shape{3});
  CHECK_THROWS_AS(t.reshape({4, 2}), ShapeError);
  CHECK_THROWS_AS(t.slice(1, 3), ShapeError);
  CHECK_THROWS_AS(t.data<int32_t>(), Error);
  Tensor c = t.clone();
  c.data<float>()[0] = 7.f;
  CHECK(t.data<float>()[0] == 0.f);
  try {
    checkSameShape("add", t, r);
    FAIL("no throw");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()) == "add: shapes [2x3] and [3x2] differ");
  }
}

TEST_CASE("Arena allocation, reset and use-after-reset detection") {
  Arena arena(1024);
  Tensor a, b;
  {
    ArenaScope scope(arena);
    a = Tensor::zeros({10, 10});
    b = Tensor::zeros({1000});  // larger than one block: gets its own block
    CHECK(arena.bytesInUse() >= 4400);
    size_t before = arena.bytesInUse();
    {
      HeapScope heap;
      Tensor h = Tensor::zeros({4});
      CHECK(arena.bytesInUse() == before);
    }
  }
  CHECK(a.data<float>()[0] == 0.f);
  size_t cap = arena.capacity();
  arena.reset();
  CHECK(arena.bytesInUse() == 0);
  CHECK_THROWS_AS(a.data<float>(), Error);
  {
    ArenaScope scope(arena);
    Tensor c = Tensor::zeros({10, 10});
    Tensor d = Tensor::zeros({1000});
  }
  CHECK(arena.capacity() == cap);  // steady state: no new blocks
  CHECK(arena.peakBytes() >= 4400);
}

TEST_CASE("LargeBlockCache reuses freed large blocks and respects its limit") {
  LargeBlockCache::clear();
  size_t oldLimit = LargeBlockCache::limit();
  LargeBlockCache::setLimit(size_t(64) << 20);
  CHECK(LargeBlockCache::sizeClass((size_t(9) << 20) + 1) == (size_t(10) << 20));  // 16 MiB octave: 1 MiB steps
  CHECK(LargeBlockCache::sizeClass(size_t(16) << 20) == (size_t(16) << 20));
  CHECK(LargeBlockCache::sizeClass((size_t(16) << 20) + 1) == (size_t(18) << 20));

  LargeBlockStats s0 = LargeBlockCache::stats();
  const void* first;
  {
    Tensor a = Tensor::empty({3, 1000, 1000});  // 12 MB: a large block
    first = static_cast<const void*>(a.data<float>());
    a.fill(1.f);
  }
  CHECK(LargeBlockCache::stats().cachedBlocks == 1);
  {
    Tensor b = Tensor::full({2900, 1000}, 2.f);  // 11.6 MB fits the cached 12 MiB class
    CHECK(static_cast<const void*>(b.data<float>()) == first);
    CHECK(b.data<float>()[2900 * 1000 - 1] == 2.f);
    CHECK(LargeBlockCache::stats().cachedBlocks == 0);
    Tensor c = Tensor::empty({3, 1000, 1000});  // b holds the block: a fresh one
    CHECK(static_cast<const void*>(c.data<float>()) != first);
  }
  LargeBlockStats s1 = LargeBlockCache::stats();
  CHECK(s1.hits - s0.hits == 1);
  CHECK(s1.misses - s0.misses == 2);
  CHECK(s1.cachedBlocks == 2);
  {
    Tensor small = Tensor::empty({1000, 1000});  // 4 MB: ordinary heap, cache untouched
    CHECK(LargeBlockCache::stats().cachedBlocks == 2);
    Tensor big = Tensor::empty({45, 250, 1000});  // 45 MB (class 44 MiB): no cached block is large enough
    CHECK(LargeBlockCache::stats().cachedBlocks == 2);
  }
  // Releasing the 44 MiB block evicts the oldest 12 MiB block to stay within 64 MiB.
  LargeBlockStats s2 = LargeBlockCache::stats();
  CHECK(s2.cachedBytes == (size_t(56) << 20));
  CHECK(s2.cachedBlocks == 2);
  LargeBlockCache::setLimit(0);
  CHECK(LargeBlockCache::stats().cachedBlocks == 0);
  { Tensor d = Tensor::empty({3, 1000, 1000}); }
  CHECK(LargeBlockCache::stats().cachedBlocks == 0);
  LargeBlockCache::setLimit(oldLimit);
}

TEST_CASE("tensor: inference precision names round-trip; other names are rejected") {
  for (InferencePrecision p : {InferencePrecision::F32, InferencePrecision::Int8})
    CHECK(precisionFromName(name(p)) == p);
  CHECK(name(InferencePrecision::Int8) == "int8");
  CHECK(!precisionFromName("bf16").has_value());
  CHECK(!precisionFromName("INT8").has_value());
  CHECK(!precisionFromName("").has_value());
}
