// Matrix multiplication kernel (oneDNN matmul, with a plain-loop oracle in
// kernels/ref/matmul.h).
//
//   matmul(a, b, c, opts, bias) computes, for every batch index i,
//     v     = alpha · op(a_i) · op(b_i) + bias        (bias [N] broadcast over rows)
//     v     = post(v)                                  (None, Relu, GeluErf, GeluTanh)
//     c_i   = accumulate ? c_i + v : v
//   where op(x) = xᵀ when the matching trans flag is set.
//
// Shapes (all f32, contiguous row-major; c is preallocated by the caller):
//   a [..., M, K] ([..., K, M] if transA), b [..., K, N] ([..., N, K] if transB),
//   c [..., M, N]. Batch dims: both rank 2; or equal leading dims (same rank);
//   or one side rank 2, broadcast over the other side's leading dims. Leading
//   dims are flattened into one batch dim; a batched a times a 2-D b without
//   transA runs as one [batch·M, K]·[K, N] GEMM.
//   Transposed operands are described by memory-descriptor strides: no copies.
//   With bColumns > 0, b is [K, ldb] with a row stride ldb >= N = bColumns (only
//   its first N columns are read); see MatmulOptions.
//   accumulate = true adds into c (oneDNN sum post-op, beta = 1), so backward
//   passes add straight into gradient buffers without temporaries.
//
// Every distinct (batch, M, N, K, b's row stride, transposes, broadcast, bias, post-op, alpha,
// accumulate) creates its oneDNN primitive once through
// dnnlContext().cache.get(Key("matmul")...). A thread-local index keyed by a
// small POD struct sits in front of it and also holds the primitive's memory
// objects, so a repeated call costs a shape check, one hash lookup, up to four
// set_data_handle, one execute and a stream wait (no strings, no allocations).
// matmulCacheStats() counts that index; clearMatmulCache() drops it (the shared
// cache keeps its own entries). c must not alias a or b.
//
// Calls countMacs(batch·M·N·K). With referenceKernels() on, runs ref::matmul.
// Shape errors throw ShapeError naming the op and both shapes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/tensor.h"

namespace lt::kernels {

enum class PostOp : uint8_t { None, Relu, GeluErf, GeluTanh };

struct MatmulOptions {
  bool transA = false;
  bool transB = false;
  float alpha = 1.f;
  PostOp post = PostOp::None;
  bool accumulate = false;  // c += result instead of c = result
  // > 0: b is a 2-D [K, ldb] matrix of which only the first bColumns columns take part
  // (a row stride padded past N, as in packed inference weights; N = bColumns). Needs
  // transB = false.
  int64_t bColumns = 0;
};

// Result shape of a·b; throws ShapeError "<op>: a [..] and b [..]: ..." on a mismatch.
Shape matmulShape(const Shape& a, const Shape& b, bool transA, bool transB,
                  const char* op = "matmul");

// c must already have matmulShape(a, b, ...); bias is [N] or undefined.
void matmul(const Tensor& a, const Tensor& b, const Tensor& c, const MatmulOptions& opts = {},
            const Tensor& bias = Tensor());

// Allocating form: returns post(alpha · op(a)·op(b) + bias) (current allocator).
Tensor matmul(const Tensor& a, const Tensor& b, const MatmulOptions& opts = {},
              const Tensor& bias = Tensor());

// Int8 GEMM of the int8 inference path: c i32 [M, N] = a u8 [M, K] · b i8 [K, ldb] (first N
// columns; N = c.dim(-1), ldb = b.dim(1) >= N), exact integer sums (oneDNN's u8·s8 VNNI
// kernel; the plain loop with referenceKernels() on). Same primitive cache as matmul();
// counts M·N·K Mult-Adds. The caller scales the sums back (kernels/quantize.h).
void matmulU8S8(const Tensor& a, const Tensor& b, const Tensor& c);

// out [N] += column sums of x viewed as [rows, N] (bias gradients; reference
// loop when referenceKernels() is on).
void addColumnSums(const Tensor& x, const Tensor& out);

struct MatmulCacheStats {
  size_t hits = 0, misses = 0, size = 0;
};
MatmulCacheStats matmulCacheStats();  // this thread's fast index
void clearMatmulCache();

// ---- Benchmark baselines (apps/lt-bench): oneDNN used directly, no lt wrapper.
// BareMatmul creates its primitive and memory objects in the constructor (not
// through the cache) and run() only calls execute() with a prebuilt argument
// map, the way a hand-written oneDNN program would.
class BareMatmul {
public:
  BareMatmul(const Tensor& a, const Tensor& b, const Tensor& c, const MatmulOptions& opts = {});
  ~BareMatmul();
  BareMatmul(const BareMatmul&) = delete;
  BareMatmul& operator=(const BareMatmul&) = delete;
  void run();
  const char* implName() const;  // oneDNN implementation chosen (e.g. "brg:avx512_core")

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Row-major C[M,N] = A[M,K]·B[K,N] through dnnl_sgemm (machine peak reference).
void bareSgemm(int64_t M, int64_t N, int64_t K, const float* A, const float* B, float* C);

}  // namespace lt::kernels
