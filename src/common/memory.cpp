#include "common/memory.h"

#include <malloc.h>

#ifdef LT_HAVE_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

namespace lt {

#ifdef LT_HAVE_TCMALLOC

namespace {
size_t property(const char* name) {
  size_t v = 0;
  return MallocExtension_GetNumericProperty(name, &v) ? v : 0;
}
}  // namespace

void tuneHeapForTensors() {}  // tcmalloc's defaults keep and reuse freed spans

void returnFreeMemory() { MallocExtension_ReleaseFreeMemory(); }

const char* allocatorName() { return "tcmalloc"; }

size_t allocatorHeldBytes() {
  const size_t heap = property("generic.heap_size"), unmapped = property("tcmalloc.pageheap_unmapped_bytes");
  return heap > unmapped ? heap - unmapped : 0;
}

size_t allocatorInUseBytes() { return property("generic.current_allocated_bytes"); }

#else

void tuneHeapForTensors() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);           // blocks up to 32 MiB come from the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);            // keep up to 1 GiB of freed heap for reuse
  mallopt(M_TOP_PAD, 64 << 20);                  // grow the heap in 64 MiB steps
}

void returnFreeMemory() { malloc_trim(0); }

const char* allocatorName() { return "glibc"; }

size_t allocatorHeldBytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.arena + mi.hblkhd;
}

size_t allocatorInUseBytes() {
  struct mallinfo2 mi = mallinfo2();  // walks every arena: not for hot paths
  return mi.uordblks + mi.hblkhd;
}

#endif

}  // namespace lt
