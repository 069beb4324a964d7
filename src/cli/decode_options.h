// Decoding options: the search keys every decoding program shares (beam-size, n-best,
// length-penalty and its type and alpha, max-length-a/b), and lt-translate's whole key table.
#pragma once
#include <cstdint>
#include <string>

#include "cli/option_table.h"
#include "decode/translator.h"
#include "tensor/dtype.h"

namespace lt::cli {

// beam-size, n-best, length-penalty (a number; the old lt-translate form "fairseq" or "gnmt"
// sets length-penalty-type), length-penalty-type, length-penalty-alpha, max-length-a/b.
void bindSearchOptions(OptionTable& table, const std::string& group, decode::SearchOptions& search);

struct TranslateConfig {
  std::string model;
  std::string input = "-", output = "-";
  decode::TranslateOptions decoding;
  int threads = 0;
  uint64_t chunkLines = 10000;
  std::string kernels = "fast";  // fast | ref
  InferencePrecision precision = InferencePrecision::F32;
  uint64_t maxInputLength = 0;        // subword tokens (0 = the model's max-positions - 1)
  std::string maxInputLengthPolicy = "error";  // error | truncate | skip (decode/input_limit.h)
  std::string memoryLimit = "auto";   // decode/decode_limits.h
  bool quiet = false;
};

void bindTranslateConfig(OptionTable& table, TranslateConfig& cfg);
// Cross-key checks (ConfigError naming the flags): n-best <= beam-size, and batch limits.
void validateTranslateConfig(const TranslateConfig& cfg);

}  // namespace lt::cli
