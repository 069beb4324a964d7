// Kernel microbenchmark quoted in docs/performance.md ("int8 decoding"); build with
// scripts/bench/micro/build.sh. oneDNN matmul alone (no lt code) on decoding shapes in three
// precisions: f32 · f32, bf16 · bf16 (f32 out), u8 · s8 (f32 out, per-column output scales).
// Weights in the layout oneDNN picks ("any"), bias fused. Prints GFLOP/s medians of 7 samples
// and the implementation oneDNN chose: the probe behind choosing int8 over bf16.
//   BUILD/micro/gemm_precision            (threads: OMP_NUM_THREADS)
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

using dnnl::memory;
using dt = memory::data_type;

namespace {

struct Result {
  double gflops;
  std::string impl;
};

Result time(dnnl::engine& eng, dnnl::stream& s, int64_t M, int64_t N, int64_t K, dt src, dt wei) {
  memory::desc a({M, K}, src, memory::format_tag::ab);
  memory::desc b({K, N}, wei, memory::format_tag::any);
  memory::desc c({M, N}, dt::f32, memory::format_tag::ab);
  memory::desc bias({1, N}, dt::f32, memory::format_tag::ab);
  dnnl::primitive_attr attr;
  const bool int8 = wei == dt::s8;
  if (int8) attr.set_output_scales(1 << 1, {DNNL_RUNTIME_F32_VAL});
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), attr, eng);
  memory ma(a, eng), mb(pd.weights_desc(), eng), mc(c, eng), mbias(bias, eng);
  memory scales({{N}, dt::f32, memory::format_tag::a}, eng);
  std::memset(ma.get_data_handle(), 1, a.get_size());
  std::memset(mb.get_data_handle(), 1, pd.weights_desc().get_size());
  std::memset(mbias.get_data_handle(), 0, bias.get_size());
  std::fill_n(static_cast<float*>(scales.get_data_handle()), N, 1.f);
  dnnl::matmul prim(pd);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}, {DNNL_ARG_BIAS, mbias}};
  if (int8) args[DNNL_ARG_ATTR_OUTPUT_SCALES] = scales;
  prim.execute(s, args);
  s.wait();
  std::vector<double> secs;
  for (int r = 0; r < 7; ++r) {
    const int iters = 30;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) prim.execute(s, args);
    s.wait();
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters);
  }
  std::sort(secs.begin(), secs.end());
  return {2.0 * double(M) * double(N) * double(K) / secs[3] / 1e9, pd.impl_info_str()};
}

}  // namespace

int main() {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream s(eng);
  std::printf("%-6s %-6s %-6s %10s %10s %10s %9s %9s   impl (f32 / bf16 / u8s8)\n", "M", "N", "K",
              "f32", "bf16", "u8s8", "bf16/f32", "u8s8/f32");
  const int64_t shapes[][3] = {{256, 512, 512},  {256, 2048, 512}, {256, 512, 2048},
                               {256, 10000, 512}, {64, 512, 512},  {64, 10000, 512},
                               {256, 160, 160},  {256, 10000, 160}};
  for (const auto& sh : shapes) {
    const int64_t M = sh[0], N = sh[1], K = sh[2];
    Result f = time(eng, s, M, N, K, dt::f32, dt::f32);
    Result b = time(eng, s, M, N, K, dt::bf16, dt::bf16);
    Result q = time(eng, s, M, N, K, dt::u8, dt::s8);
    std::printf("%-6ld %-6ld %-6ld %10.1f %10.1f %10.1f %9.2f %9.2f   %s / %s / %s\n", long(M), long(N),
                long(K), f.gflops, b.gflops, q.gflops, b.gflops / f.gflops, q.gflops / f.gflops,
                f.impl.c_str(), b.impl.c_str(), q.impl.c_str());
    std::fflush(stdout);
  }
  return 0;
}
