// Results file: JSON lines, one object per trained/evaluated model (docs/cost.md).
// `lt-eval cost --append-results` and `lt-eval bleu --append-results` append to it,
// `lt-eval plot` draws BLEU against cost from it. Readers ignore fields they do not know,
// so the format can grow; a line that is not a JSON object is a DataError naming file:line.
//
//   {"name": "lite-embed160", "variant": "lite", "config": "configs/...yml", "model": null,
//    "params": 2774704, "params_stored": 4189624, "mult_adds": 54710400, "seq_len": 30,
//    "bleu": 30.9, "metric": "bleu-paper", "signature": "...", "test_set": "iwslt14 test",
//    "date": "2026-11-23T18:00:00Z", "source": "lt-eval cost"}
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/model_config.h"

namespace lt::report {

struct ResultRecord {
  std::string name;                  // required, non-empty
  std::string variant;               // series key of the plot ("" = name)
  std::string config;                // config path ("" = none)
  std::string model;                 // model file path ("" = none)
  std::optional<double> params;      // paper convention (no embeddings, untied output counted)
  std::optional<double> paramsStored;
  std::optional<double> multAdds;    // paper convention, N = T = seqLen
  std::optional<int> seqLen;
  std::optional<double> bleu;
  std::string metric;                // "bleu-paper" | "sacrebleu" | free text
  std::string signature;             // the scorer's signature string
  std::string testSet;
  std::string date;                  // ISO 8601 UTC
  std::string source;                // what wrote it ("lt-eval cost", "lt-eval bleu", "paper")
};

// One JSON object on one line (no trailing newline); unset fields are null or left out.
std::string toJsonLine(const ResultRecord& r);
// Parses one line; `where` ("file:3") names it in errors (DataError).
ResultRecord parseResultLine(const std::string& line, const std::string& where);
// Every non-blank line of `path` (IoError when it cannot be read).
std::vector<ResultRecord> readResults(const std::string& path);
// Appends records, one line each, creating the file if needed (IoError on failure).
void appendResults(const std::string& path, const std::vector<ResultRecord>& records);

// Current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utcNow();

// Short variant name of a model: the block preset ("transformer", "lightconv",
// "dynamicconv", "lite", "lite-dynamic"), the branch types joined with '+' for explicit
// blocks, and "<encoder>/<decoder>" when the two sides differ.
std::string variantName(const models::ModelConfig& cfg);

}  // namespace lt::report
