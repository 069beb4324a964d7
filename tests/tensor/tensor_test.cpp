#include <doctest/doctest.h>

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
