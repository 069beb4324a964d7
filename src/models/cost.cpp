#include "models/cost.h"

#include <cmath>
#include <map>
#include <numeric>

#include <omp.h>

#include "common/error.h"
#include "kernels/backend.h"
#include "models/encoder_decoder.h"

namespace lt::models {

double CostReport::beamDecodeMacs(int beam) const {
  return double(encoderMacs) + double(decodeCrossKvMacs) +
         double(beam) * tgtLen * (decodeStepMacs + double(decodeOutputMacs));
}

CostReport countCost(const ModelConfig& cfgIn, int N, int T, bool decode) {
  ModelConfig cfg = resolveModelConfig(cfgIn);
  LT_CHECK(N >= 1 && T >= 1, ConfigError, "cost: lengths must be >= 1, got {} and {}", N, T);
  const int64_t d = cfg.modelDim;
  const int64_t Vs = cfg.srcVocab, Vt = cfg.tgtVocab;
  ModelConfig build = cfg;
  // Vocabulary-dependent terms are analytic (tables V·d, output projection T·d·V MACs); the
  // network is built with a tiny vocabulary so counting stays cheap at any vocabulary size.
  build.srcVocab = build.tgtVocab = 8;
  build.maxPositions = std::max({cfg.maxPositions, N, T});
  build.dropout = build.attentionDropout = build.activationDropout = build.weightDropout = 0.f;

  // Count on one thread: MACs are the same at any thread count, the counter is per thread,
  // and tiny parallel regions only add synchronisation.
  struct OneThread {
    int prev = omp_get_max_threads();
    OneThread() { omp_set_num_threads(1); }
    ~OneThread() { omp_set_num_threads(prev); }
  } oneThread;
  ParamStore ps;
  Rng rng(1);
  HeapScope heap;
  EncoderDecoder model(build, ps, rng, /*initialize=*/false);

  CostReport r;
  r.srcLen = N;
  r.tgtLen = T;
  int64_t embBuilt = 0;
  for (const auto& n : model.embeddingParamNames()) embBuilt += ps.get(n).value().elements();
  std::string outName = model.outputProjectionName();
  int64_t outBuilt = outName.empty() ? 0 : ps.get(outName).value().elements();
  int64_t buffers = 0;  // Performer random features: stored, not trained
  for (const auto& n : model.bufferParamNames()) buffers += ps.get(n).value().elements();
  int64_t body = ps.numElements() - embBuilt - outBuilt - buffers;
  r.paramsOutput = outName.empty() ? 0 : Vt * d;
  r.paramsEmbedding = cfg.sharing == "all" ? Vs * d : (Vs + Vt) * d;
  r.paramsPaper = body + r.paramsOutput;
  r.paramsStored = body + buffers + r.paramsOutput + r.paramsEmbedding;

  NoGradScope ng;
  std::vector<int32_t> s(static_cast<size_t>(N)), t(static_cast<size_t>(T));
  for (int i = 0; i < N; ++i) s[size_t(i)] = 4 + i % 4;
  for (int i = 0; i < T; ++i) t[size_t(i)] = 4 + (i + 1) % 4;
  Tensor src = Tensor::fromVector(Shape{1, N}, s);
  Tensor tgt = Tensor::fromVector(Shape{1, T}, t);

  EncoderOutput enc;
  {
    kernels::MacCounter c;
    kernels::MacCounterScope scope(c);
    enc = model.encode(src);
    r.encoderMacs = c.macs;
  }
  {
    kernels::MacCounter c;
    kernels::MacCounterScope scope(c);
    ForwardOptions opt;
    opt.skipOutputProjection = true;
    model.forward(src, tgt, opt);
    r.multAdds = c.macs;
  }
  r.decoderMacs = r.multAdds - r.encoderMacs;
  r.outputProjectionMacs = int64_t(T) * d * Vt;
  r.decodeOutputMacs = d * Vt;
  if (!decode) return r;
  DecoderState st;
  {
    kernels::MacCounter c;
    kernels::MacCounterScope scope(c);
    st = model.startState(enc, T, 1);
    r.decodeCrossKvMacs = c.macs;
  }
  {
    kernels::MacCounter c;
    kernels::MacCounterScope scope(c);
    for (int i = 0; i < T; ++i)
      model.step(st, Tensor::fromVector(Shape{1}, std::vector<int32_t>{t[size_t(i)]}));
    int64_t outBuiltMacs = int64_t(T) * d * build.tgtVocab;
    r.decodeStepMacs = double(c.macs - outBuiltMacs) / T;
  }
  return r;
}

ModelConfig withModelDim(const ModelConfig& cfgIn, int d) {
  ModelConfig c = resolveModelConfig(cfgIn);
  ModelConfig o = c;
  o.modelDim = d;
  o.ffnDim = std::max(1, int(std::lround(double(c.ffnDim) * d / c.modelDim)));
  for (BlockConfig* blk : {&o.encoderBlock, &o.decoderBlock}) {
    int used = 0;
    for (size_t i = 0; i < blk->branches.size(); ++i) {
      auto& b = blk->branches[i];
      if (i + 1 == blk->branches.size()) {
        b.dim = d - used;
      } else {
        int dim = int(std::lround(double(b.dim) * d / c.modelDim));
        dim = std::max(b.heads, dim / b.heads * b.heads);
        b.dim = dim;
        used += dim;
      }
    }
  }
  return o;
}

int modelDimStep(const ModelConfig& cfgIn) {
  ModelConfig c = resolveModelConfig(cfgIn);
  int step = std::lcm(8, c.crossHeads);
  for (const BlockConfig* blk : {&c.encoderBlock, &c.decoderBlock})
    for (const auto& b : blk->branches) step = std::lcm(step, b.heads * int(blk->branches.size()));
  return step;
}

std::string describeCost(const ModelConfig& cfg, const CostReport& c) {
  return fmt::format(
      "model-dim {} ffn-dim {}: {:.2f}M params (paper convention; {:.2f}M stored), {:.2f}M "
      "Mult-Adds (N=T={}, no output projection; output projection {:.2f}M)",
      cfg.modelDim, cfg.ffnDim, c.paramsPaper / 1e6, c.paramsStored / 1e6, c.multAdds / 1e6,
      c.srcLen, c.outputProjectionMacs / 1e6);
}

BudgetResult fitBudget(const ModelConfig& cfgIn, int maxDim) {
  ModelConfig base = resolveModelConfig(cfgIn);
  const BudgetConfig& bud = base.budget;
  LT_CHECK(bud.active(), ConfigError,
           "budget: no target given (set budget: {{mult-adds: ..., params: ...}})");
  int step = modelDimStep(base);
  BudgetResult res;
  std::map<int, std::pair<bool, CostReport>> memo;  // d -> (valid, cost)
  auto eval = [&](int d) -> const std::pair<bool, CostReport>& {
    auto it = memo.find(d);
    if (it != memo.end()) return it->second;
    std::pair<bool, CostReport> v{false, {}};
    try {
      ModelConfig c = withModelDim(base, d);
      c = resolveModelConfig(c);
      v = {true, countCost(c, 30, 30, /*decode=*/false)};
      res.tried.emplace_back(d, v.second);
    } catch (const ConfigError&) {
      v.first = false;
    }
    return memo.emplace(d, v).first->second;
  };
  auto fits = [&](const CostReport& c) {
    return (bud.multAdds <= 0 || c.multAdds <= bud.multAdds) &&
           (bud.params <= 0 || c.paramsPaper <= bud.params);
  };
  auto ok = [&](int d) {
    const auto& e = eval(d);
    return e.first && fits(e.second);
  };
  int maxK = std::max(1, maxDim / step);
  // Start from the configured width and jump with the (roughly quadratic) scaling of cost.
  int k = std::clamp(base.modelDim / step, 1, maxK);
  for (int iter = 0; iter < 3; ++iter) {
    const auto& e = eval(k * step);
    if (!e.first) break;
    double ratio = 1e30;
    if (bud.multAdds > 0) ratio = std::min(ratio, double(bud.multAdds) / double(e.second.multAdds));
    if (bud.params > 0) ratio = std::min(ratio, double(bud.params) / double(e.second.paramsPaper));
    int next = std::clamp(int(std::floor(k * std::sqrt(ratio))), 1, maxK);
    if (next == k) break;
    k = next;
  }
  // Walk down to a fitting width, then up while the next one fits.
  while (k > 1 && !ok(k * step)) --k;
  if (!ok(k * step)) {
    const auto& e = eval(step);
    LT_THROW(ConfigError,
             "budget too small: the smallest width (model-dim {}) costs {:.3f}M Mult-Adds and "
             "{:.3f}M params; budget is {} Mult-Adds, {} params",
             step, e.first ? e.second.multAdds / 1e6 : 0.0,
             e.first ? e.second.paramsPaper / 1e6 : 0.0,
             bud.multAdds > 0 ? fmt::format("{:.3f}M", bud.multAdds / 1e6) : "no limit on",
             bud.params > 0 ? fmt::format("{:.3f}M", bud.params / 1e6) : "no limit on");
  }
  while (k < maxK && ok((k + 1) * step)) ++k;
  res.config = resolveModelConfig(withModelDim(base, k * step));
  res.cost = memo.at(k * step).second;
  return res;
}

}  // namespace lt::models
