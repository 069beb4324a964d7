// MultiHeadAttention::forwardBlockSparse: softmax attention over a BlockPattern.
// Keys and values are cut into blocks; each sparse query block gathers its listed key blocks
// ([B, H, nq, keyBlocks·block, dh]) and runs one small batched product, masked inside the
// blocks by the pattern and the key padding. Global query rows run dense over all keys.
#include <cmath>

#include "layers/attention.h"
#include "ops/concat.h"
#include "ops/gather.h"
#include "ops/matmul.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"

namespace lt::layers {

namespace {
// [B, T, E] padded with zero rows to [B, rows, E].
Var padRows(const Var& x, int64_t rows) {
  const int64_t B = x.dim(0), T = x.dim(1), E = x.dim(2);
  if (rows == T) return x;
  return ops::concat({x, Var(Tensor::zeros(Shape{B, rows - T, E}))}, 1);
}
}  // namespace

Var MultiHeadAttention::forwardBlockSparse(const Var& x, const Tensor& keep,
                                           const BlockPattern& pat, RunCtx& ctx) const {
  const int64_t B = x.dim(0), T = x.dim(1), E = dim_, H = heads_, dh = dh_;
  const int64_t c = pat.block, nb = (T + c - 1) / c, first = pat.firstBlock;
  const int64_t nq = nb - first, nk = pat.keyBlocks, G = pat.denseRows;
  LT_CHECK(int64_t(pat.table.size()) == nq * nk && G >= std::min(T, first * c) &&
               G <= std::min(T, (first + 1) * c),
           ShapeError, "block-sparse attention: pattern ({} blocks from {}, {} key blocks) does not fit {} tokens",
           nq, first, nk, T);
  const float scale = 1.f / std::sqrt(float(dh));
  const float* kp = keep.defined() ? keep.data<float>() : nullptr;
  Var qAll = q_(x), kAll = k_(x), vAll = v_(x);  // [B, T, E]
  std::vector<Var> parts;

  if (G > 0) {  // global queries: dense over every key
    Var q = splitHeads(ops::narrow(qAll, 1, 0, G));
    Var s = ops::matmul(q, splitHeads(kAll), false, true, scale);  // [B, H, G, T]
    Tensor pad = kp ? paddingMask(keep, Shape{B, 1, 1, T}) : Tensor();
    Var p = dropout(ops::softmax(s, pad), attnDrop_, ctx);
    parts.push_back(mergeHeads(ops::matmul(p, splitHeads(vAll))));  // [B, G, E]
  }

  if (G < T) {
    // Key/value blocks of every sparse query block: [B, H, nq, nk·c, dh].
    std::vector<int32_t> idx(pat.table.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = std::max(pat.table[i], 0);
    Tensor index = Tensor::fromVector(Shape{int64_t(idx.size())}, idx);
    auto gatherBlocks = [&](const Var& t) {
      Var blocks = ops::transpose(ops::reshape(padRows(t, nb * c), Shape{B, nb, c * E}), {1, 0, 2});
      Var g = ops::reshape(ops::gatherRows(blocks, index), Shape{nq, nk, B, c, H, dh});
      return ops::reshape(ops::transpose(g, {2, 4, 0, 1, 3, 5}), Shape{B, H, nq, nk * c, dh});
    };
    const int64_t r0 = first * c;
    Var q = padRows(ops::narrow(qAll, 1, r0, T - r0), nq * c);
    q = ops::transpose(ops::reshape(q, Shape{B, nq, c, H, dh}), {0, 3, 1, 2, 4});  // [B,H,nq,c,dh]
    Var s = ops::matmul(q, gatherBlocks(kAll), false, true, scale);  // [B, H, nq, c, nk·c]
    const int64_t K = nk * c;
    Tensor mask = Tensor::empty(Shape{B, 1, nq, c, K});
    float* m = mask.data<float>();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t blk = 0; blk < nq; ++blk)
        for (int64_t r = 0; r < c; ++r) {
          const int64_t i = r0 + blk * c + r;
          float* row = m + ((b * nq + blk) * c + r) * K;
          for (int64_t slot = 0; slot < K; ++slot) {
            const int64_t kb = pat.table[size_t(blk * nk + slot / c)];
            const int64_t j = kb * c + slot % c;
            bool ok = kb >= 0 && j < T && i < T && (!kp || kp[b * T + j] != 0.f) &&
                      (!pat.visible || pat.visible(i, j));
            row[slot] = ok ? 0.f : kMaskValue;
          }
        }
    Var p = dropout(ops::softmax(s, mask), attnDrop_, ctx);
    Var o = ops::matmul(p, gatherBlocks(vAll));                               // [B,H,nq,c,dh]
    o = ops::reshape(ops::transpose(o, {0, 2, 3, 1, 4}), Shape{B, nq * c, E});
    parts.push_back(ops::narrow(o, 1, G - r0, T - G));
  }
  return out_(parts.size() == 1 ? parts[0] : ops::concat(parts, 1));
}

}  // namespace lt::layers
