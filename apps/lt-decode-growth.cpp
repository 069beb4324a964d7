// lt-decode-growth: per-token decoding time and decoder-state size of a softmax Transformer
// decoder versus a T2R decoder (issue 6 target) as the number of generated tokens grows
// (forced length, random weights: the cost of a step does not depend on the weights).
// Time is the thread's CPU time per step (single-threaded by default), averaged over the 32
// steps before each mark; state is the live per-hypothesis decoder state (self-attention
// K/V of the steps so far, or (S, z); plus the cross-attention K/V of a 20-token source, or
// its (S, z)).
// Writes a CSV and an SVG with both curves.
//   lt-decode-growth [--max-steps 4096] [--csv out.csv] [--svg out.svg] [--threads 1]
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/program.h"
#include "common/atomic_file.h"
#include "cli/shared_keys.h"
#include "common/error.h"
#include "common/threads.h"
#include "models/encoder_decoder.h"

using namespace lt;
using namespace lt::models;

namespace {

// CPU time of this thread (the machine is shared: wall time would measure the neighbours).
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

struct Point {
  int steps;
  double msPerToken;
  double stateMiB;
};

const char* kBase =
    "encoder-layers: 3\ndecoder-layers: 3\nmodel-dim: 256\nffn-dim: 512\ncross-heads: 4\n"
    "src-vocab-size: 8000\ntgt-vocab-size: 8000\nshare-embeddings: all\nencoder-block: transformer\n";

// Live decoder-state floats after `t` steps, source length S (per hypothesis).
double stateFloats(const ModelConfig& c, int t, int S) {
  double f = 0;
  for (const auto& b : c.decoderBlock.branches) {
    if (b.type == "attention") f += 2.0 * t * b.dim;
    else f += double(b.heads) * b.features * (b.dim / b.heads + 1);
  }
  if (c.crossAttention.type == "softmax") f += 2.0 * S * c.modelDim;
  else f += double(c.crossHeads) * c.crossAttention.features * (c.modelDim / c.crossHeads + 1);
  return f * c.decoderLayers;
}

std::vector<Point> run(const ModelConfig& cfg, int maxSteps, const std::vector<int>& marks) {
  ParamStore ps;
  Rng rng(1);
  EncoderDecoder m(cfg, ps, rng);
  const int S = 20;
  std::vector<int32_t> src(S);
  for (int i = 0; i < S; ++i) src[size_t(i)] = 4 + i;
  EncoderOutput e = m.encode(Tensor::fromVector(Shape{1, S}, src));
  DecoderState st = m.startState(e, maxSteps, 1);
  std::vector<Point> out;
  const int window = 32;
  double acc = 0;
  int inWindow = 0;
  size_t next = 0;
  for (int t = 0; t < maxSteps && next < marks.size(); ++t) {
    Tensor w = Tensor::fromVector(Shape{1}, std::vector<int32_t>{4 + t % 100});
    double t0 = threadCpuMs();
    m.step(st, w);
    double ms = threadCpuMs() - t0;
    if (t + 1 > marks[next] - window) {
      acc += ms;
      ++inWindow;
    }
    if (t + 1 == marks[next]) {
      out.push_back({marks[next], acc / std::max(1, inWindow),
                     stateFloats(m.config(), t + 1, S) * 4 / (1024.0 * 1024.0)});
      acc = 0;
      inWindow = 0;
      ++next;
    }
  }
  return out;
}

std::string svgPlot(const std::string& title, const std::string& yLabel,
                    const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& series) {
  const double W = 480, H = 300, L = 60, R = 20, T = 30, B = 45;
  double xmax = 1, ymax = 1e-9;
  for (const auto& s : series)
    for (auto [x, y] : s.second) {
      xmax = std::max(xmax, x);
      ymax = std::max(ymax, y);
    }
  ymax *= 1.1;
  auto X = [&](double x) { return L + (W - L - R) * x / xmax; };
  auto Y = [&](double y) { return H - B - (H - T - B) * y / ymax; };
  std::string s = fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' font-family='sans-serif' font-size='11'>\n", W, H);
  s += fmt::format("<text x='{}' y='18' text-anchor='middle' font-size='13'>{}</text>\n", W / 2, title);
  s += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='black'/>\n", L, H - B, W - R, H - B);
  s += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='black'/>\n", L, T, L, H - B);
  for (int i = 0; i <= 4; ++i) {
    double yv = ymax * i / 4, xv = xmax * i / 4;
    s += fmt::format("<text x='{}' y='{}' text-anchor='end'>{:.3g}</text>\n", L - 4, Y(yv) + 4, yv);
    s += fmt::format("<text x='{}' y='{}' text-anchor='middle'>{:.0f}</text>\n", X(xv), H - B + 14, xv);
  }
  s += fmt::format("<text x='{}' y='{}' text-anchor='middle'>generated tokens</text>\n", (L + W - R) / 2, H - 10);
  s += fmt::format("<text x='14' y='{}' transform='rotate(-90 14 {})' text-anchor='middle'>{}</text>\n", (T + H - B) / 2, (T + H - B) / 2, yLabel);
  const char* colors[] = {"#d62728", "#1f77b4"};
  for (size_t k = 0; k < series.size(); ++k) {
    std::string pts;
    for (auto [x, y] : series[k].second) pts += fmt::format("{:.1f},{:.1f} ", X(x), Y(y));
    s += fmt::format("<polyline fill='none' stroke='{}' stroke-width='2' points='{}'/>\n", colors[k % 2], pts);
    s += fmt::format("<text x='{}' y='{}' fill='{}'>{}</text>\n", L + 10, T + 14 + 14 * double(k), colors[k % 2], series[k].first);
  }
  return s + "</svg>\n";
}

struct GrowthOptions {
  int maxSteps = 4096, threads = 1;
  std::string csv, svg;
};

int measureGrowth(const GrowthOptions& o) {
  const int maxSteps = o.maxSteps;
  setThreads(o.threads);
  std::vector<int> marks;
  for (int m : {100, 250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4096})
    if (m <= maxSteps) marks.push_back(m);
  std::string base = std::string(kBase) + "max-positions: " + std::to_string(maxSteps) + "\n";
  ModelConfig soft = resolveModelConfig(parseModelConfig(base + "decoder-block: transformer\n", "softmax"));
  ModelConfig t2r = resolveModelConfig(parseModelConfig(
      base + "decoder-block: {branches: [{type: t2r, heads: 4, features: 32}]}\n"
             "cross-attention: {type: t2r, features: 32}\n", "t2r"));
  std::vector<std::pair<std::string, std::vector<Point>>> res = {
      {"softmax", run(soft, maxSteps, marks)}, {"t2r", run(t2r, maxSteps, marks)}};
  std::string table = "model,tokens,ms_per_token,state_mib\n";
  for (const auto& [name, pts] : res)
    for (const auto& p : pts) table += fmt::format("{},{},{:.4f},{:.4f}\n", name, p.steps, p.msPerToken, p.stateMiB);
  std::fputs(table.c_str(), stdout);
  if (!o.csv.empty()) writeFileAtomic(o.csv, table);
  if (!o.svg.empty()) {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> a, b;
    for (const auto& [name, pts] : res) {
      std::vector<std::pair<double, double>> ta, tb;
      for (const auto& p : pts) {
        ta.emplace_back(p.steps, p.msPerToken);
        tb.emplace_back(p.steps, p.stateMiB);
      }
      a.emplace_back(name, ta);
      b.emplace_back(name, tb);
    }
    std::string s1 = svgPlot("Decoding time per token (d=256, 3 layers, batch 1)", "ms / token", a);
    std::string s2 = svgPlot("Decoder state per hypothesis", "MiB", b);
    // Stack the two panels.
    std::string out = "<svg xmlns='http://www.w3.org/2000/svg' width='480' height='600'>\n" + s1 +
                      "<g transform='translate(0,300)'>\n" + s2 + "</g>\n</svg>\n";
    writeFileAtomic(o.svg, out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("lt-decode-growth", "Decoding time and state size per token: softmax vs T2R decoder.");
  GrowthOptions o;
  cli::Command& cmd = program.command();
  const std::string g = "Measurement";
  cmd.table.add(g, "max-steps", &o.maxSteps, "tokens generated (forced length)").range(1, 1 << 20);
  cmd.table.add(g, "csv", &o.csv, "write the measurements as CSV");
  cmd.table.add(g, "svg", &o.svg, "write the plot (two panels stacked) as SVG");
  cli::addShared(cmd.table, g, "threads", &o.threads);
  cmd.run = [&] { return measureGrowth(o); };
  return program.main(argc, argv);
}
