// Model cost, counted — not computed from per-variant formulas — by running the real forward
// pass (the code that trains) under kernels::MacCounterScope, in the paper's convention
// (seed-systems.md §1.6): source and target length 30, batch 1, teacher-forced, no embeddings,
// no output projection. Parameters in the paper convention exclude embedding tables and
// include an untied output projection.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/model_config.h"

namespace lt::models {

struct CostReport {
  int srcLen = 30, tgtLen = 30;
  // Parameters.
  int64_t paramsPaper = 0;      // non-embedding + untied output projection (paper convention)
  int64_t paramsStored = 0;     // every stored tensor element (tied tables once)
  int64_t paramsEmbedding = 0;  // embedding tables
  int64_t paramsOutput = 0;     // untied output projection (0 when tied)
  // Mult-Adds (multiply-accumulates), teacher-forced at srcLen/tgtLen.
  int64_t multAdds = 0;         // encoder + decoder, no output projection (the paper's number)
  int64_t encoderMacs = 0;
  int64_t decoderMacs = 0;
  int64_t outputProjectionMacs = 0;  // tgtLen · d · Vt
  // Incremental decoding (what beam search really does), per sentence of srcLen tokens.
  int64_t decodeCrossKvMacs = 0;     // cross-attention K/V of the encoder output, once
  double decodeStepMacs = 0;         // per hypothesis per target token, averaged over tgtLen
                                     // steps, without the output projection
  int64_t decodeOutputMacs = 0;      // per hypothesis per target token: d · Vt
  // MACs to decode one sentence with `beam` hypotheses for tgtLen steps:
  // encoder + cross K/V + beam · tgtLen · (step + output projection).
  double beamDecodeMacs(int beam) const;
};

// Counts the cost of cfg (resolved and validated first): builds the network with zero
// weights and runs encode, the teacher-forced forward and (when `decode`) startState + tgtLen
// incremental steps under a MacCounterScope. Vocabulary terms (embedding tables, output
// projection) are analytic V·d products; vocabulary sizes of 0 count as none.
CostReport countCost(const ModelConfig& cfg, int srcLen = 30, int tgtLen = 30, bool decode = true);

// cfg with model-dim d, keeping the FFN ratio, layer and head counts and the branch
// proportions (branch dims scaled and rounded; the remainder goes to the last branch).
ModelConfig withModelDim(const ModelConfig& cfg, int d);

// Width granularity for the budget search: lcm(8, cross-heads, heads · branches per block).
int modelDimStep(const ModelConfig& cfg);

struct BudgetResult {
  ModelConfig config;                               // chosen (resolved) config, budget kept
  CostReport cost;                                  // its counted cost
  std::vector<std::pair<int, CostReport>> tried;   // every width counted, in search order
};

// Largest model-dim (a multiple of modelDimStep) whose counted cost (countCost without the
// decoding part) fits cfg.budget
// (Mult-Adds and/or params; both must fit when both are given). ConfigError when the budget
// is not set or not even the smallest width fits. Widths above maxDim are not considered.
BudgetResult fitBudget(const ModelConfig& cfg, int maxDim = 4096);

// One-line summary, e.g. "d=160 ffn=160: 2.77M params (paper), 54.71M Mult-Adds (N=T=30)".
std::string describeCost(const ModelConfig& cfg, const CostReport& c);

}  // namespace lt::models
