// Sparse attention patterns (seed-systems.md §4): sliding-window local attention with optional
// global tokens, and BigBird's window + random + global blocks. Each pattern exists in two
// forms that select exactly the same (query, key) pairs:
//  - a dense additive mask [1, 1, T, T] for MultiHeadAttention::forward (the O(T²) oracle);
//  - a BlockPattern for MultiHeadAttention::forwardBlockSparse (O(T·keys per block)).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace lt::layers {

// Queries are cut into blocks of `block` tokens. Rows [0, denseRows) are global queries and
// attend to every unpadded key; query blocks from `firstBlock` (= denseRows / block) on attend
// to the key blocks listed in `table` (keyBlocks entries per query block, -1 = none, no
// repeats), and within them to the keys where visible(i, j) holds (null: all of them).
struct BlockPattern {
  int block = 1;
  int denseRows = 0;
  int firstBlock = 0;
  int keyBlocks = 0;
  std::vector<int32_t> table;  // [(nb - firstBlock) * keyBlocks]
  std::function<bool(int64_t i, int64_t j)> visible;
};

// Key j visible to query i iff (causal: j <= i and (i - j < window or j < global);
// else |i - j| <= window / 2 or j < global or i < global).
Tensor localMask(int T, int window, int global, bool causal);
// Blocks of max(1, window / 2) tokens (causal: window); neighbours i-1, i[, i+1] and the
// blocks holding the global tokens.
BlockPattern localPattern(int T, int window, int global, bool causal);

// BigBird over blocks of `block` tokens: query block qb sees key blocks |qb - kb| <= window / 2,
// `random` blocks drawn per query block from (seed, salt, qb), and the first `global` blocks;
// the global blocks see everything.
Tensor bigbirdMask(int T, int block, int window, int random, int global, uint64_t seed,
                   uint64_t salt);
BlockPattern bigbirdPattern(int T, int block, int window, int random, int global, uint64_t seed,
                            uint64_t salt);

// pattern [1, 1, T, T] + key padding [B, 1, 1, T] -> [B, 1, T, T].
Tensor combineMasks(const Tensor& pattern, const Tensor& keyPad);

}  // namespace lt::layers
