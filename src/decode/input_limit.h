// Over-long source lines in lt-translate: a limit and what to do with a line beyond it.
//
// The limit is in subword tokens (EOS excluded), --max-input-length N; by default the most
// the model encodes, max-positions - 1. A line beyond it, or beyond the line reader's byte
// limit (1 MiB, data/text_reader.h), is handled by the policy (--max-input-length-policy):
//   error     (default) stop with an error naming file:line, before that chunk is decoded
//   truncate  translate its first N tokens (a line over the byte limit: its first 1 MiB)
//   skip      write an empty output line in its place, so outputs stay line-aligned
// Truncated and skipped lines are reported on stderr (file:line and size; the first 10 of
// each kind, then a count at the end).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "data/text_reader.h"

namespace lt::decode {

enum class LongInputPolicy { Error, Truncate, Skip };
std::optional<LongInputPolicy> longInputPolicyFromName(const std::string& name);
const char* longInputPolicyName(LongInputPolicy p);

struct InputLimit {
  size_t maxTokens = 0;  // subword tokens, EOS excluded (0 = no limit)
  LongInputPolicy policy = LongInputPolicy::Error;
};

// --max-input-length N against the model: 0 = max-positions - 1; ConfigError when N exceeds it.
size_t resolveMaxInputTokens(size_t requested, int maxPositions);

// Where a chunk of lines came from, for messages "<source>:<line>".
struct LineOrigin {
  std::string source = "input";
  size_t firstLine = 1;  // 1-based line number of the chunk's first line
};

// Counts of the lines the policy changed, and their warnings (first 10 of each kind).
struct LongInputReport {
  size_t truncated = 0, skipped = 0;
  void note(LongInputPolicy p, const std::string& where, const std::string& what);
  std::string summary(const InputLimit& limit) const;  // "" when nothing happened
};

// lt-translate's input (a file or "-"), read in chunks of lines; a line over the byte limit
// is cut (truncate) or replaced by an empty line (skip) per the policy, or is the reader's
// DataError naming file:line (error).
class InputLines {
public:
  InputLines(const std::string& path, const InputLimit& limit, LongInputReport& report);
  // Up to n lines into `lines` (replaced); false when the input is exhausted.
  bool nextChunk(size_t n, std::vector<std::string>& lines);
  const LineOrigin& origin() const { return origin_; }  // of the last chunk

private:
  data::LineReader reader_;
  InputLimit limit_;
  LongInputReport& report_;
  LineOrigin origin_;
};

}  // namespace lt::decode
