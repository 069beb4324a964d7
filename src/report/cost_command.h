// lt-eval cost: one row per model with #Params and #Mult-Adds in the Lite Transformer
// paper's convention (seed-systems.md §1.6, counted by models::countCost from the real
// forward pass), the output projection, the cost of real incremental beam decoding, what is
// stored, and optionally measured decoding speed on this machine. Output: markdown (with a
// caption stating the convention), CSV or JSON. See docs/cost.md.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "models/cost.h"
#include "models/model_config.h"
#include "report/measure.h"
#include "report/results.h"

namespace lt::report {

// The IWSLT'14 English target dictionary of the paper (seed-systems.md §1.4): the default
// vocabulary of a --config row whose config sets no tgt-vocab-size.
inline constexpr int kDefaultVocabSize = 6632;

// An lt-train config file's model part, read by the caller (src/cli reads lt-train's YAML keys).
struct ConfigSource {
  std::string path;
  models::ModelConfig config;
};

struct CostCommandOptions {
  std::vector<ConfigSource> configs;  // --model-config: lt-train YAML configs, one row each
  std::vector<std::string> models;   // model files written by lt-train
  int seqLen = 30;                   // N = T of the paper convention
  std::string format = "markdown";   // markdown | csv | json
  int vocabSize = kDefaultVocabSize; // --config rows without tgt-vocab-size: target vocabulary
  int srcVocabSize = 0;              // ... and source vocabulary (0 = same as vocabSize)
  int beam = 4;                      // decoding-cost column and --measure (1 = greedy)
  bool measure = false;
  InferencePrecision precision = InferencePrecision::F32;  // --measure: lt-translate --precision
  int threads = 0;                   // --measure threads (0 = runtime default)
  int measureSentences = 50;         // latency samples at batch 1
  int measureBatch = 64;             // throughput batch
  uint64_t seed = 1;                 // random weights / sources for --measure
  std::string appendResults;         // results file to append rows to ("" = none)
  std::string memoryLimit = "auto";  // refuse a --config row whose network would not fit (auto = RAM)
};

struct CostRow {
  std::string name;      // file stem, e.g. "lite-embed160"
  std::string variant;   // report::variantName
  std::string path;      // the config or model file
  bool fromModel = false;
  bool budgetFitted = false;     // the config's budget chose the width
  bool vocabAssumed = false;     // --vocab-size was used (config without vocabulary sizes)
  models::ModelConfig config;    // resolved
  models::CostReport cost;
  int64_t paramsStored = 0;      // model: elements in the file; config: cost.paramsStored
  int64_t sizeBytes = 0;         // model: file size; config: 4 bytes per stored parameter
  int beam = 4;
  std::optional<Measurement> measured;
  InferencePrecision precision = InferencePrecision::F32;  // of the measured run
  int measureBatch = 0;
  double decodeMacsPerToken() const;  // beam decoding of one sentence / target length
};

// Builds one row (counting, and measuring when opt.measure).
CostRow costRowForConfig(const ConfigSource& source, const CostCommandOptions& opt);
CostRow costRowForModel(const std::string& path, const CostCommandOptions& opt);

// "Mult-Adds: paper convention (source and target length 30, teacher-forced, no embeddings,
// no output projection)" plus the params convention.
std::string costCaption(int seqLen);

std::string formatMarkdown(const std::vector<CostRow>& rows, int seqLen);
std::string formatCsv(const std::vector<CostRow>& rows);
std::string formatJson(const std::vector<CostRow>& rows, int seqLen);

// The row as a results-file record (no BLEU).
ResultRecord toResultRecord(const CostRow& row);

// lt-eval bleu --append-results: the record of one scored system.
struct BleuResultOptions {
  std::string file;     // results file ("" = do not append)
  std::string name;     // required with file
  std::string variant;  // "" = from the model/config blocks
  std::string model;    // model file: its config gives params / Mult-Adds ("" = none)
  ConfigSource config;  // or an lt-train config (path "" = none)
  std::string testSet;  // "" = the reference path
  int seqLen = 30;
};
// Builds the record (cost counted from the model or config when given).
ResultRecord bleuResultRecord(const BleuResultOptions& opt, double bleu, const std::string& metric,
                              const std::string& signature, const std::string& refPath);

// Checks options, builds every row (configs first, then models, in the given order),
// prints the table in opt.format and appends to opt.appendResults when set.
void runCostCommand(const CostCommandOptions& opt, std::ostream& out);

}  // namespace lt::report
