// oneDNN matmul: fixed-shape primitives created once per problem through the
// shared PrimitiveCache, reached on the hot path through a thread-local POD-keyed
// index that also owns the memory objects (see kernels/matmul.h).
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "kernels/backend.h"
#include "kernels/dnnl/context.h"
#include "kernels/matmul.h"
#include "kernels/ref/matmul.h"

namespace lt::kernels {

namespace {

using dnnl::memory;

// One flattened problem. batchA / batchB: 1 (broadcast or 2-D) or the batch.
struct FastKey {
  int64_t batchA = 1, batchB = 1, M = 0, N = 0, K = 0;
  int64_t ldb = 0;  // b's row stride when not transposed (0 = N, dense)
  uint32_t alphaBits = 0;
  uint8_t transA = 0, transB = 0, post = 0, accumulate = 0, bias = 0;
  uint8_t int8 = 0;  // u8 a · s8 b -> s32 c (matmulU8S8); no bias, post-op or alpha

  bool operator==(const FastKey& o) const {
    return batchA == o.batchA && batchB == o.batchB && M == o.M && N == o.N && K == o.K &&
           ldb == o.ldb && int8 == o.int8 &&
           alphaBits == o.alphaBits && transA == o.transA && transB == o.transB &&
           post == o.post && accumulate == o.accumulate && bias == o.bias;
  }
  float alpha() const {
    float a;
    std::memcpy(&a, &alphaBits, sizeof a);
    return a;
  }
  int64_t batch() const { return std::max(batchA, batchB); }
  // oneDNN's output scale also scales the matmul bias; with alpha != 1 the bias
  // is added by a binary post-op instead, so c = alpha·a·b + bias.
  bool biasAsPostOp() const { return bias && alphaBits != 0x3f800000u; }
};

struct FastKeyHash {
  size_t operator()(const FastKey& k) const {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    auto mix = [&h](uint64_t v) {
      h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    };
    mix(uint64_t(k.batchA));
    mix(uint64_t(k.batchB));
    mix(uint64_t(k.M));
    mix(uint64_t(k.N));
    mix(uint64_t(k.K));
    mix(uint64_t(k.ldb));
    mix(k.alphaBits);
    mix(uint64_t(k.transA) | uint64_t(k.transB) << 8 | uint64_t(k.post) << 16 |
        uint64_t(k.accumulate) << 24 | uint64_t(k.bias) << 32 | uint64_t(k.int8) << 40);
    return size_t(h);
  }
};

// The descriptors of one problem (shared by the cached kernel and BareMatmul).
struct Descs {
  memory::desc src, wei, dst, bias;
  bool rank3 = false;
};

Descs makeDescs(const FastKey& k) {
  Descs d;
  const auto f32 = memory::data_type::f32;
  const int64_t M = k.M, N = k.N, K = k.K, ldb = k.ldb ? k.ldb : N;
  if (k.int8) {
    d.src = memory::desc({M, K}, memory::data_type::u8, memory::dims{K, 1});
    d.wei = memory::desc({K, N}, memory::data_type::s8, memory::dims{ldb, 1});
    d.dst = memory::desc({M, N}, memory::data_type::s32, memory::dims{N, 1});
    return d;
  }
  d.rank3 = k.batchA > 1 || k.batchB > 1;
  if (d.rank3) {
    // Transposed operands: the stored matrix is [K, M] / [N, K]; strides say so.
    d.src = memory::desc({k.batchA, M, K}, f32,
                         k.transA ? memory::dims{K * M, 1, M} : memory::dims{M * K, K, 1});
    d.wei = memory::desc({k.batchB, K, N}, f32,
                         k.transB ? memory::dims{N * K, 1, K} : memory::dims{K * ldb, ldb, 1});
    d.dst = memory::desc({k.batch(), M, N}, f32, memory::dims{M * N, N, 1});
    if (k.bias) d.bias = memory::desc({1, 1, N}, f32, memory::dims{N, N, 1});
  } else {
    d.src = memory::desc({M, K}, f32, k.transA ? memory::dims{1, M} : memory::dims{K, 1});
    d.wei = memory::desc({K, N}, f32, k.transB ? memory::dims{1, K} : memory::dims{ldb, 1});
    d.dst = memory::desc({M, N}, f32, memory::dims{N, 1});
    if (k.bias) d.bias = memory::desc({1, N}, f32, memory::dims{N, 1});
  }
  return d;
}

dnnl::algorithm eltwiseAlg(PostOp p) {
  switch (p) {
    case PostOp::Relu: return dnnl::algorithm::eltwise_relu;
    case PostOp::GeluErf: return dnnl::algorithm::eltwise_gelu_erf;
    case PostOp::GeluTanh: return dnnl::algorithm::eltwise_gelu_tanh;
    case PostOp::None: break;
  }
  return dnnl::algorithm::undef;
}

dnnl::matmul::primitive_desc makePd(const FastKey& k, const Descs& d, const dnnl::engine& eng) {
  dnnl::primitive_attr attr;
  if (k.alpha() != 1.f) attr.set_output_scales(0, {k.alpha()});
  dnnl::post_ops po;
  if (k.biasAsPostOp()) po.append_binary(dnnl::algorithm::binary_add, d.bias);
  if (PostOp(k.post) != PostOp::None)
    po.append_eltwise(1.f, eltwiseAlg(PostOp(k.post)), 0.f, 0.f);
  if (k.accumulate) po.append_sum(1.f);
  attr.set_post_ops(po);
  attr = withUserScratchpad(attr);
  const bool fusedBias = k.bias && !k.biasAsPostOp();
  dnnl::matmul::desc md = fusedBias ? dnnl::matmul::desc(d.src, d.wei, d.bias, d.dst)
                                    : dnnl::matmul::desc(d.src, d.wei, d.dst);
  try {
    return dnnl::matmul::primitive_desc(md, attr, eng);
  } catch (const dnnl::error& e) {
    LT_THROW(Error, "matmul: oneDNN has no implementation for batch {}x{} M {} N {} K {} "
                    "(transA {}, transB {}): {}",
             k.batchA, k.batchB, k.M, k.N, k.K, k.transA, k.transB, e.what());
  }
}

FastKey makeKey(const MatmulDims& d, const MatmulOptions& o, bool bias) {
  FastKey k;
  k.batchA = d.batchA;
  k.batchB = d.batchB;
  k.M = d.M;
  k.N = d.N;
  k.K = d.K;
  k.ldb = o.bColumns > 0 ? d.ldb : 0;
  // A batched a times a 2-D b (no transA) is one [batch·M, K]·[K, N] GEMM.
  if (!o.transA && d.batchB == 1 && d.batchA > 1) {
    k.M = d.batchA * d.M;
    k.batchA = 1;
  }
  std::memcpy(&k.alphaBits, &o.alpha, sizeof o.alpha);
  k.transA = o.transA;
  k.transB = o.transB;
  k.post = uint8_t(o.post);
  k.accumulate = o.accumulate;
  k.bias = bias;
  return k;
}

struct Entry {
  dnnl::primitive prim;
  dnnl::stream stream;
  memory src, wei, dst, bias, scratch;
  size_t scratchBytes = 0;  // 0: the primitive needs none
  std::array<dnnl_exec_arg_t, 5> args{};
  std::array<const void*, 5> bound{};  // handles currently set on src, wei, dst, bias, scratch
  int nargs = 0;
};

struct FastIndex {
  std::unordered_map<FastKey, Entry, FastKeyHash> map;
  size_t hits = 0, misses = 0;
};

FastIndex& fastIndex() {
  thread_local FastIndex idx;
  return idx;
}

Entry& lookup(const FastKey& k) {
  FastIndex& idx = fastIndex();
  auto it = idx.map.find(k);
  if (it != idx.map.end()) [[likely]] {
    ++idx.hits;
    return it->second;
  }
  ++idx.misses;
  DnnlContext& ctx = dnnlContext();
  // The index holds primitives too: bounded like the shared cache, or training's ever-new batch
  // shapes would keep every primitive alive past the cache's LRU (unbounded growth). Emptied
  // whole when full; entries still in the shared cache come back at the cost of a lookup.
  if (idx.map.size() >= ctx.cache.capacity()) idx.map.clear();
  Descs d = makeDescs(k);
  Key key("matmul");
  key.num(k.batchA).num(k.batchB).num(k.M).num(k.N).num(k.K).num(k.ldb).num(k.transA).num(k.transB);
  key.num(k.post).num(k.accumulate).num(k.bias).num(k.int8).real(k.alpha());
  const CachedPrimitive& cp = ctx.cache.get(key.str(), [&] {
    auto pd = makePd(k, d, ctx.engine);
    return CachedPrimitive{dnnl::matmul(pd), pd};
  });
  Entry e;
  e.prim = cp.prim;
  e.stream = ctx.stream;
  e.src = memory(d.src, ctx.engine, nullptr);
  e.wei = memory(d.wei, ctx.engine, nullptr);
  e.dst = memory(d.dst, ctx.engine, nullptr);
  e.args[e.nargs++] = {DNNL_ARG_SRC, e.src.get()};
  e.args[e.nargs++] = {DNNL_ARG_WEIGHTS, e.wei.get()};
  e.args[e.nargs++] = {DNNL_ARG_DST, e.dst.get()};
  if (k.bias) {
    e.bias = memory(d.bias, ctx.engine, nullptr);
    int arg = k.biasAsPostOp() ? DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1 : DNNL_ARG_BIAS;
    e.args[e.nargs++] = {arg, e.bias.get()};
  }
  const memory::desc sd = cp.pd.scratchpad_desc();
  e.scratchBytes = sd.get_size();
  if (e.scratchBytes > 0) {
    e.scratch = memory(sd, ctx.engine, nullptr);
    e.args[e.nargs++] = {DNNL_ARG_SCRATCHPAD, e.scratch.get()};
  }
  return idx.map.emplace(k, std::move(e)).first->second;
}

// Points a memory object at p (skipped when it already points there).
void setHandle(const memory& m, const void*& bound, const void* p) {
  if (bound == p) return;
  dnnl_status_t st = dnnl_memory_set_data_handle_v2(m.get(), const_cast<void*>(p), nullptr);
  LT_CHECK(st == dnnl_success, Error, "matmul: oneDNN set_data_handle failed ({})", int(st));
  bound = p;
}

// Points e's memory objects at the operands (bias when defined) and runs the primitive.
void execute(Entry& e, const Tensor& a, const Tensor& b, const Tensor& c, const Tensor& bias,
             const char* op) {
  setHandle(e.src, e.bound[0], a.rawData());
  setHandle(e.wei, e.bound[1], b.rawData());
  setHandle(e.dst, e.bound[2], c.rawData());
  if (bias.defined()) setHandle(e.bias, e.bound[3], bias.rawData());
  if (e.scratchBytes > 0)
    setHandle(e.scratch, e.bound[4], dnnlContext().scratchpad(e.scratchBytes));
  dnnl_status_t st = dnnl_primitive_execute(e.prim.get(), e.stream.get(), e.nargs, e.args.data());
  if (st == dnnl_success) st = dnnl_stream_wait(e.stream.get());
  LT_CHECK(st == dnnl_success, Error, "{}: oneDNN execute failed ({}) for a {} and b {}", op,
           int(st), a.shape().toString(), b.shape().toString());
}

}  // namespace

void matmul(const Tensor& a, const Tensor& b, const Tensor& c, const MatmulOptions& o,
            const Tensor& bias) {
  MatmulDims d = checkMatmulArgs(a, b, c, o, bias);
  countMacs(d.batch * d.M * d.N * d.K);
  if (referenceKernels() || d.batch == 0 || d.M == 0 || d.N == 0 || d.K == 0) {
    ref::matmul(a, b, c, o, bias);
    return;
  }
  execute(lookup(makeKey(d, o, bias.defined())), a, b, c, bias, "matmul");
}

void matmulU8S8(const Tensor& a, const Tensor& b, const Tensor& c) {
  const MatmulDims d = checkMatmulU8S8Args(a, b, c);
  countMacs(d.M * d.N * d.K);
  if (referenceKernels() || d.M == 0 || d.N == 0 || d.K == 0) {
    ref::matmulU8S8(a, b, c);
    return;
  }
  FastKey k;
  k.M = d.M;
  k.N = d.N;
  k.K = d.K;
  k.ldb = d.ldb;
  k.alphaBits = 0x3f800000u;
  k.int8 = 1;
  execute(lookup(k), a, b, c, Tensor(), "matmulU8S8");
}

Tensor matmul(const Tensor& a, const Tensor& b, const MatmulOptions& o, const Tensor& bias) {
  Tensor c = Tensor::empty(matmulShape(a.shape(), b.shape(), o.transA, o.transB));
  MatmulOptions o2 = o;
  o2.accumulate = false;
  matmul(a, b, c, o2, bias);
  return c;
}

void addColumnSums(const Tensor& x, const Tensor& out) {
  if (referenceKernels()) {
    ref::addColumnSums(x, out);
    return;
  }
  LT_CHECK(x.dtype() == DType::F32 && out.dtype() == DType::F32 && out.rank() == 1 &&
               x.rank() >= 1 && x.dim(-1) == out.dim(0),
           ShapeError, "addColumnSums: x {} and out {}: out should be [{}]", x.shape().toString(),
           out.shape().toString(), x.rank() >= 1 ? x.dim(-1) : 0);
  const int64_t n = out.dim(0);
  if (n == 0) return;
  const int64_t rows = x.elements() / n;
  const float* px = x.data<float>();
  float* po = out.data<float>();
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (rows * n > 65536 && blocks > 1)
  for (int64_t bi = 0; bi < blocks; ++bi) {
    const int64_t j0 = bi * kBlock, j1 = std::min(n, j0 + kBlock);
    float acc[kBlock] = {};
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = px + r * n;
#pragma omp simd
      for (int64_t j = j0; j < j1; ++j) acc[j - j0] += row[j];
    }
    for (int64_t j = j0; j < j1; ++j) po[j] += acc[j - j0];
  }
}

MatmulCacheStats matmulCacheStats() {
  const FastIndex& idx = fastIndex();
  return {idx.hits, idx.misses, idx.map.size()};
}

void clearMatmulCache() {
  FastIndex& idx = fastIndex();
  idx.map.clear();
  idx.hits = idx.misses = 0;
}

// ---- benchmark baselines ----------------------------------------------------

struct BareMatmul::Impl {
  dnnl::matmul::primitive_desc pd;
  dnnl::primitive prim;
  dnnl::stream stream;
  std::unordered_map<int, memory> args;
  std::vector<char> scratch;
};

BareMatmul::BareMatmul(const Tensor& a, const Tensor& b, const Tensor& c,
                       const MatmulOptions& o)
    : impl_(std::make_unique<Impl>()) {
  MatmulDims d = checkMatmulArgs(a, b, c, o, Tensor());
  FastKey k = makeKey(d, o, false);
  Descs ds = makeDescs(k);
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  impl_->stream = dnnl::stream(eng);
  impl_->pd = makePd(k, ds, eng);
  impl_->prim = dnnl::matmul(impl_->pd);
  impl_->args = {{DNNL_ARG_SRC, memory(ds.src, eng, a.rawData())},
                 {DNNL_ARG_WEIGHTS, memory(ds.wei, eng, b.rawData())},
                 {DNNL_ARG_DST, memory(ds.dst, eng, c.rawData())}};
  const memory::desc sd = impl_->pd.scratchpad_desc();
  if (sd.get_size() > 0) {
    impl_->scratch.resize(sd.get_size() + 64);
    char* base = impl_->scratch.data();
    void* p = base + (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
    impl_->args.emplace(DNNL_ARG_SCRATCHPAD, memory(sd, eng, p));
  }
}

BareMatmul::~BareMatmul() = default;

void BareMatmul::run() {
  impl_->prim.execute(impl_->stream, impl_->args);
  impl_->stream.wait();
}

const char* BareMatmul::implName() const { return impl_->pd.impl_info_str(); }

void bareSgemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C) {
  dnnl_status_t st = dnnl_sgemm('N', 'N', M, N, K, 1.f, A, K, B, N, 0.f, C, N);
  LT_CHECK(st == dnnl_success, Error, "dnnl_sgemm failed ({})", int(st));
}

}  // namespace lt::kernels
