#include "common/memory.h"

#include <malloc.h>

namespace lt {

void tuneHeapForTensors() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);           // blocks up to 32 MiB come from the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);            // keep up to 1 GiB of freed heap for reuse
  mallopt(M_TOP_PAD, 64 << 20);                  // grow the heap in 64 MiB steps
}

void returnFreeMemory() { malloc_trim(0); }

}  // namespace lt
