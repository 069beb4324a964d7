// Multi-head softmax attention (fairseq layout): separate Q/K/V/out projections with bias,
// q scaled by 1/sqrt(dh) (applied to q·k), dropout on the attention probabilities, masks as
// additive f32 tensors (key padding [B,1,1,S], causal [1,1,T,T]; -1e9 where masked).
// Parameters: <scope>/{q,k,v,out}/{weight,bias}.
//
// Incremental decoding: self-attention appends each step's K/V to a cache preallocated to the
// maximum length ([capacity, H, maxSteps, dh]); cross-attention K/V of the encoder output are
// computed once per source row ([B, H, S, dh]) and hypotheses address them through a row map,
// so beam reordering never copies them.
#pragma once
#include <vector>

#include "layers/linear.h"
#include "layers/sparse_pattern.h"

namespace lt::layers {

constexpr float kMaskValue = -1e9f;

// keep f32 1/0 per key ([B, T]) -> the additive key-padding mask (0 keep, kMaskValue pad) viewed
// as `shape` (the same number of elements, e.g. [B, 1, 1, T] or [B, 1, T]).
Tensor paddingMask(const Tensor& keep, const Shape& shape);

// Self-attention cache. Full attention: slot t holds step t. Local (sliding window w, g global
// leading tokens): slots [0, g) hold steps [0, g), the ring [g, g + w) the last w later steps,
// so the cache is capped at g + w slots whatever the length.
//
// Beam reordering moves no K/V: slotRow[n, s] names the physical cache row whose slot s holds
// row n's key and value (every row writes its own physical row at each step, and a slot is
// rewritten by all rows in the same step), so reorder() gathers only these indices.
struct KvCache {
  Tensor k, v;      // [capacity, H, slots, dh] (heap)
  Tensor slotRow;   // [capacity, slots] I32 (heap)
  int maxSteps = 0; // steps the state accepts
  int window = 0;   // 0 = full attention
  int global = 0;
  int slots() const { return int(k.dim(2)); }
};

// Cross-attention K/V of one batch of sources, laid out for attendSource: keys transposed,
// [B, H, dh, P], so a query's scores are dh vector multiply-adds over contiguous source
// positions instead of one horizontal dot product per position, and the source length S
// padded to P = paddedLength(S), a multiple of 16 floats, so every loop over positions runs
// in whole vectors. Padding positions have zero K/V and mask kMaskValue.
struct CrossKv {
  Tensor kt;        // [B, H, dh, P] (heap)
  Tensor v;         // [B, H, P, dh] (heap)
  Tensor keyMask;   // [B, P] additive (0 keep, kMaskValue pad), always defined
  Tensor span;      // [B] I32: per source, 16·ceil(S_b / 16) for its last unpadded key S_b - 1
                    // (at least 16): the positions attendSource reads; past them all is padding
  int sourceLength = 0;  // S
  int paddedLength() const { return int(kt.dim(3)); }
  static int64_t paddedLength(int64_t S) { return (S + 15) / 16 * 16; }
};

class MultiHeadAttention {
public:
  MultiHeadAttention() = default;
  MultiHeadAttention(ParamBuilder& pb, const Scope& scope, int dim, int heads,
                     float attentionDropout);

  // query [B, Tq, E], keyValue [B, Tk, E] -> [B, Tq, E]. mask: additive, broadcastable to
  // [B, H, Tq, Tk], or undefined.
  Var forward(const Var& query, const Var& keyValue, const Tensor& mask, RunCtx& ctx) const;

  // Self-attention under a sparse pattern (layers/sparse_pattern.h), computed blockwise:
  // O(T·keyBlocks·block) for the sparse rows plus O(denseRows·T) for the global queries,
  // instead of O(T²). keep f32 [B, T] 1/0 masks padded keys (or undefined). Equals forward()
  // under the pattern's dense mask (+ key padding) at every query that has a visible key.
  // x [B, T, E] -> [B, T, E]. (layers/block_sparse_attention.cpp)
  Var forwardBlockSparse(const Var& x, const Tensor& keep, const BlockPattern& pattern,
                         RunCtx& ctx) const;

  // --- incremental decoding (no gradients) ---
  // window > 0: local attention with a left window of `window` steps plus `global` leading
  // steps (the cache holds min(maxSteps, global + window) slots).
  KvCache allocCache(int capacity, int maxSteps, int window = 0, int global = 0) const;
  // x [N, 1, E] is position t of rows 0..N-1: stores its K/V at step t and attends over
  // steps 0..t (local: the window and the global steps). scratch: at least N*H*(t+1) floats.
  // -> [N, 1, E]
  Var stepSelf(const Var& x, KvCache& cache, int t, float* scratch) const;
  // Decoder self-attention: when the store is frozen for inference, also keep q, k and v as
  // one packed [E, 3E] weight (and a [3E] bias), so stepSelf projects with one GEMM instead of
  // three (the training parameters and checkpoints are unchanged).
  void fuseStepProjections(ParamBuilder& pb);
  // memory [B, S, E], keyMask [B, S] additive -> K/V computed once.
  CrossKv precompute(const Var& memory, const Tensor& keyMask) const;
  // x [N, 1, E]; row n reads source row srcRow[n]. scratch: N*H*P floats
  // (P = CrossKv::paddedLength(S)). -> [N, 1, E]
  Var stepCross(const Var& x, const CrossKv& kv, const int32_t* srcRow, float* scratch) const;

  int dim() const { return dim_; }
  int heads() const { return heads_; }

private:
  Var splitHeads(const Var& x) const;  // [B, T, E] -> [B, H, T, dh]
  Var mergeHeads(const Var& x) const;  // [B, H, T, dh] -> [B, T, E]
  Linear q_, k_, v_, out_;
  struct FusedQkv {
    ops::PackedLinearWeight w;  // [E, ld >= 3E]: columns q | k | v
    Tensor bias;                // [3E]
  };
  std::shared_ptr<FusedQkv> qkv_;  // filled at freeze (fuseStepProjections)
  int dim_ = 0, heads_ = 1, dh_ = 0;
  float attnDrop_ = 0.f;
};

// Attention of one query per (row, head) over cached keys (loops specialised for head widths
// 20/32/40/64/128, vectorised exp, OpenMP over rows and heads; counts 2·N·H·len·dh MACs).
//   q [N, H, dh]; K, V: blocks of shape [H, L, dh]; key j of row n is in block
//   slotRow[n·L + j] (slotRow [N, L] I32, KvCache::slotRow); attends over keys [0, len).
//   out [N, H, dh]; scratch N*H*len floats.
// qStride: floats from one row's q to the next (0: H·dh, dense).
void attendCached(const float* q, const float* K, const float* V, int L, int N, int H, int dh,
                  int len, float scale, float* out, float* scratch, const int32_t* slotRow,
                  int64_t qStride = 0);

// Attention over a CrossKv layout: Kt blocks [H, dh, P], V blocks [H, P, dh], keyMask
// [P] per block (additive, required), P a multiple of 16; row n reads block b = rowOf[n] (or
// n) and attends over its first span[b] positions (a multiple of 16, <= P; all P when span
// is null: masked positions get weight exactly 0 either way, so the result does not depend
// on it). Rows are visited in groups of 4 consecutive rows head by head, so the beam rows of
// one sentence read its K/V block from L1. q, out [N, H, dh]; scratch N*H*P floats. Counts
// 2·N·H·S·dh MACs for the S = `counted` real positions.
void attendSource(const float* q, const float* Kt, const float* V, int P, const int32_t* rowOf,
                  int N, int H, int dh, float scale, const float* keyMask, float* out,
                  float* scratch, int counted, const int32_t* span = nullptr);

}  // namespace lt::layers
