#include "layers/sparse_pattern.h"

#include <algorithm>
#include <cmath>

#include "common/rng.h"
#include "layers/attention.h"

namespace lt::layers {

namespace {
int blocksOf(int T, int c) { return (T + c - 1) / c; }

// Pads each query block's key-block list to the longest with -1 and flattens it.
BlockPattern tabulate(const std::vector<std::vector<int32_t>>& lists, int block, int denseRows,
                      int firstBlock) {
  BlockPattern p;
  p.block = block;
  p.denseRows = denseRows;
  p.firstBlock = firstBlock;
  for (const auto& l : lists) p.keyBlocks = std::max(p.keyBlocks, int(l.size()));
  p.table.assign(lists.size() * size_t(p.keyBlocks), -1);
  for (size_t q = 0; q < lists.size(); ++q)
    std::copy(lists[q].begin(), lists[q].end(), p.table.begin() + ptrdiff_t(q * size_t(p.keyBlocks)));
  return p;
}

void addUnique(std::vector<int32_t>& l, int32_t kb, int nb) {
  if (kb < 0 || kb >= nb || std::find(l.begin(), l.end(), kb) != l.end()) return;
  l.push_back(kb);
}

// Key blocks of each query block (all nb of them), sorted, without repeats.
std::vector<std::vector<int32_t>> bigbirdLists(int nb, int window, int random, int global,
                                               uint64_t seed, uint64_t salt) {
  std::vector<std::vector<int32_t>> lists(static_cast<size_t>(nb));
  for (int qb = 0; qb < nb; ++qb) {
    auto& l = lists[size_t(qb)];
    for (int kb = 0; kb < std::min(global, nb); ++kb) addUnique(l, kb, nb);
    for (int kb = qb - window / 2; kb <= qb + window / 2; ++kb) addUnique(l, kb, nb);
    for (int r = 0; r < random; ++r) {
      int kb = int(philoxUniform(seed ^ salt, uint64_t(qb), uint64_t(r)) * float(nb));
      addUnique(l, std::min(kb, nb - 1), nb);
    }
    std::sort(l.begin(), l.end());
  }
  return lists;
}
}  // namespace

Tensor localMask(int T, int window, int global, bool causal) {
  Tensor m = Tensor::empty(Shape{1, 1, T, T});
  float* p = m.data<float>();
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) {
      bool ok = causal ? (j <= i && (i - j < window || j < global))
                       : (std::abs(i - j) <= window / 2 || j < global || i < global);
      p[int64_t(i) * T + j] = ok ? 0.f : kMaskValue;
    }
  return m;
}

BlockPattern localPattern(int T, int window, int global, bool causal) {
  const int half = window / 2;
  const int c = causal ? std::max(1, window) : std::max(1, half);
  const int nb = blocksOf(T, c);
  const int g = std::min(global, T);
  const int denseRows = causal ? 0 : g;  // causal global tokens are keys only
  const int first = denseRows / c;
  std::vector<std::vector<int32_t>> lists;
  for (int qb = first; qb < nb; ++qb) {
    std::vector<int32_t> l;
    for (int kb = 0; kb < blocksOf(g, c); ++kb) addUnique(l, kb, nb);
    for (int kb = qb - 1; kb <= qb + (causal ? 0 : 1); ++kb) addUnique(l, kb, nb);
    std::sort(l.begin(), l.end());
    lists.push_back(std::move(l));
  }
  BlockPattern p = tabulate(lists, c, denseRows, first);
  if (causal)
    p.visible = [window, g](int64_t i, int64_t j) { return j <= i && (i - j < window || j < g); };
  else
    p.visible = [half, g](int64_t i, int64_t j) { return std::abs(i - j) <= half || j < g; };
  return p;
}

Tensor bigbirdMask(int T, int block, int window, int random, int global, uint64_t seed,
                   uint64_t salt) {
  const int nb = blocksOf(T, block);
  auto lists = bigbirdLists(nb, window, random, global, seed, salt);
  std::vector<char> see(size_t(nb) * size_t(nb), 0);
  for (int qb = 0; qb < nb; ++qb)
    for (int kb = 0; kb < nb; ++kb)
      see[size_t(qb) * size_t(nb) + size_t(kb)] = qb < global;
  for (int qb = 0; qb < nb; ++qb)
    for (int32_t kb : lists[size_t(qb)]) see[size_t(qb) * size_t(nb) + size_t(kb)] = 1;
  Tensor m = Tensor::empty(Shape{1, 1, T, T});
  float* p = m.data<float>();
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j)
      p[int64_t(i) * T + j] =
          see[size_t(i / block) * size_t(nb) + size_t(j / block)] ? 0.f : kMaskValue;
  return m;
}

BlockPattern bigbirdPattern(int T, int block, int window, int random, int global, uint64_t seed,
                            uint64_t salt) {
  const int nb = blocksOf(T, block);
  const int first = std::min(global, nb);
  auto lists = bigbirdLists(nb, window, random, global, seed, salt);
  lists.erase(lists.begin(), lists.begin() + first);
  return tabulate(lists, block, std::min(T, first * block), first);
}

Tensor combineMasks(const Tensor& pattern, const Tensor& keyPad) {
  int64_t T = pattern.dim(3), B = keyPad.dim(0);
  Tensor m = Tensor::empty(Shape{B, 1, T, T});
  const float* a = pattern.data<float>();
  const float* k = keyPad.data<float>();
  float* p = m.data<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < T; ++j)
        p[(b * T + i) * T + j] = std::max(a[i * T + j] + k[b * T + j], kMaskValue);
  return m;
}

}  // namespace lt::layers
