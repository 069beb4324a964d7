// The process allocator and its tuning for tensor workloads.
//
// lt links gperftools' tcmalloc (CMake option LT_TCMALLOC, on by default). Training
// allocates activations of ever-new sizes (every batch has its own shape) next to
// small long-lived objects (primitives, maps, strings); in glibc's heap the small
// objects pin the holes the large blocks leave, and the heap grew with the number
// of updates (transformer160: 4.1 GiB peak RSS after 150 updates, 1.7 GiB with
// tcmalloc, and 4% faster; docs/performance.md, 2026-12-04).
//
// Without tcmalloc (-DLT_TCMALLOC=OFF, sanitizer builds) glibc is tuned instead:
// activations (hundreds of KiB to MiB, freed every update or decoding step) would
// each be mmap'ed and unmapped again, paying page faults and zeroing every time,
// so the mmap and trim thresholds are raised to keep freed blocks for reuse.
#pragma once
#include <cstddef>

namespace lt {
void tuneHeapForTensors();  // call once at program start
// Hands the allocator's free pages back to the system: for the moment a program drops a large,
// long-lived part of its memory, such as the weights decoding no longer reads.
void returnFreeMemory();
// "tcmalloc" or "glibc": the allocator this build uses.
const char* allocatorName();
// Bytes the allocator holds from the system (mapped heap, including its free lists).
size_t allocatorHeldBytes();
// Bytes the program has allocated and not freed; 0 where the allocator cannot tell cheaply.
size_t allocatorInUseBytes();
}  // namespace lt
