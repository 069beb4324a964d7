// lt-bench layouts: the weight layouts a decoding linear can read, on decoding shapes.
//
// y [M, out] = x [M, in] · W, W stored three ways and run through kernels::matmul:
//   stored  W [out, in] read transposed (transB), as training keeps it;
//   dense   Wᵀ [in, out], row stride out;
//   packed  Wᵀ [in, ld], ld = ops::packedRowStride(out) (what lt-translate uses).
// Rows M are beam rows (4 = one sentence x beam 4 ... 256 = 64 sentences x beam 4). Two more
// columns time the whole inference op ops::linearPacked with a bias: "lin f32" on the packed
// copy, "lin int8" on the int8 copy (lt-translate --precision int8: row quantization, u8·s8
// GEMM, epilogue). All run interleaved, rotating which goes first, so machine noise hits them
// alike; medians of GFLOP/s (2·M·in·out flops per call) and of the per-round ratios packed /
// stored and int8 / f32.
#pragma once
#include <fmt/format.h>

#include <array>
#include <functional>
#include <vector>

#include "common.h"
#include "common/rng.h"
#include "common/threads.h"
#include "kernels/matmul.h"
#include "ops/linear.h"
#include "tensor/arena.h"
#include "tensor/tensor.h"

namespace lt::bench {

struct LayoutBenchOptions {
  int threads = 1;
  int repeats = 11;
  double sampleSeconds = 0.03;
};

inline Tensor layoutRandom(const Shape& s, uint64_t seed) {
  Tensor t = Tensor::empty(s);
  Rng rng(seed);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.elements(); ++i) p[i] = rng.uniform(-1.f, 1.f);
  return t;
}

inline int runLayoutBench(const LayoutBenchOptions& o) {
  setThreads(o.threads);
  fmt::print("lt-bench layouts: threads {}, {} rounds of samples >= {} s, interleaved; GFLOP/s "
             "medians; load average {:.2f}\n",
             numThreads(), o.repeats, o.sampleSeconds, loadAverage1m());
  fmt::print("{:<7} {:>5} {:>6} {:>6} {:>9} {:>9} {:>9} {:>14} {:>9} {:>9} {:>10}\n", "M", "in", "out", "ld",
             "stored", "dense", "packed", "packed/stored", "lin f32", "lin int8", "int8/f32");
  NoGradScope noGrad;
  Arena arena;
  // (in, out): Lite d=160 (projections, FFN, 10k-vocabulary output) and Transformer d=512.
  const std::vector<std::array<int64_t, 2>> shapes = {
      {160, 160}, {160, 10000}, {512, 512}, {512, 2048}, {2048, 512}, {512, 10000}};
  for (int64_t M : {4, 12, 64, 256}) {
    for (auto [in, out] : shapes) {
      Tensor x = layoutRandom({M, in}, 1), w = layoutRandom({out, in}, 2);
      Tensor dense = Tensor::empty({in, out});
      for (int64_t r = 0; r < out; ++r)
        for (int64_t c = 0; c < in; ++c) dense.data<float>()[c * out + r] = w.data<float>()[r * in + c];
      ops::PackedLinearWeight packed = ops::packLinearWeight(w);
      ops::PackedLinearWeight q8 = ops::packLinearWeight(w, InferencePrecision::Int8);
      Var xv(x), bias(layoutRandom({out}, 3));
      Tensor y = Tensor::empty({M, out});
      kernels::MatmulOptions tr, plain, pad;
      tr.transB = true;
      pad.bColumns = out;
      std::vector<std::function<void()>> fns = {
          [&] { kernels::matmul(x, w, y, tr); }, [&] { kernels::matmul(x, dense, y, plain); },
          [&] { kernels::matmul(x, packed.data, y, pad); },
          [&] {
            ArenaScope scope(arena);
            ops::linearPacked(xv, packed, bias);
            arena.reset();
          },
          [&] {
            ArenaScope scope(arena);
            ops::linearPacked(xv, q8, bias);
            arena.reset();
          }};
      auto secs = interleave(fns, calibrate(fns, o.sampleSeconds), o.repeats, 0);
      std::vector<double> ratio = ratios(secs[0], secs[2]);  // stored time / packed time
      std::vector<double> ratio8 = ratios(secs[3], secs[4]);  // f32 op time / int8 op time
      const double gf = 2.0 * double(M) * double(in) * double(out) / 1e9;
      fmt::print("{:<7} {:>5} {:>6} {:>6} {:>9.1f} {:>9.1f} {:>9.1f} {:>14.2f} {:>9.1f} {:>9.1f} {:>10.2f}\n", M, in,
                 out, packed.data.dim(1), gf / median(secs[0]), gf / median(secs[1]),
                 gf / median(secs[2]), median(ratio), gf / median(secs[3]), gf / median(secs[4]),
                 median(ratio8));
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace lt::bench
