// The process allocator: the build's allocator is the one that serves malloc and operator new,
// and its statistics follow a large allocation and its release.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common/memory.h"

#ifdef LT_HAVE_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

using namespace lt;

TEST_CASE("allocator: in-use and held bytes follow a 64 MiB block") {
  constexpr size_t kBytes = size_t(64) << 20;
  const size_t before = allocatorInUseBytes();
  void* p = std::malloc(kBytes);
  REQUIRE(p);
  std::memset(p, 1, kBytes);  // mapped for real
  const size_t during = allocatorInUseBytes();
  CHECK(during >= before + kBytes);
  CHECK(allocatorHeldBytes() >= during);
  std::free(p);
  CHECK(allocatorInUseBytes() + kBytes <= during);
  returnFreeMemory();
}

#ifdef LT_HAVE_TCMALLOC
TEST_CASE("allocator: tcmalloc serves malloc, aligned_alloc and operator new") {
  CHECK(std::string(allocatorName()) == "tcmalloc");
  void* m = std::malloc(100);
  void* a = std::aligned_alloc(64, size_t(1) << 20);
  auto n = std::make_unique<double[]>(1000);
  CHECK(MallocExtension_GetOwnership(m) == MallocExtension_kOwned);
  CHECK(MallocExtension_GetOwnership(a) == MallocExtension_kOwned);
  CHECK(MallocExtension_GetOwnership(n.get()) == MallocExtension_kOwned);
  int onStack = 0;
  CHECK(MallocExtension_GetOwnership(&onStack) == MallocExtension_kNotOwned);
  std::free(m);
  std::free(a);
}
#else
TEST_CASE("allocator: glibc when built without tcmalloc") {
  CHECK(std::string(allocatorName()) == "glibc");
}
#endif
