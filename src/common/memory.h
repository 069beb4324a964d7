// Heap tuning for tensor workloads. Activations are large (hundreds of KiB to
// MiB) and freed every update or decoding step; with glibc's defaults each such
// block is mmap'ed and unmapped again, so every update pays for page faults and
// zeroing of fresh pages (profiled on a loaded machine: ~35% of a Lite training
// update, and 30% faster with these settings; on an idle machine the A/B of
// 2026-11-23 19:15 was within noise: 3,838 vs 3,789 tok/s). Raising
// the mmap and trim thresholds keeps freed blocks in the heap for reuse.
#pragma once

namespace lt {
void tuneHeapForTensors();  // call once at program start
// Hands the heap's free pages back to the system (malloc_trim): for the moment a program drops
// a large, long-lived part of its memory, such as the weights decoding no longer reads.
void returnFreeMemory();
}  // namespace lt
