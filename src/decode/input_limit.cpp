#include "decode/input_limit.h"

#include "common/error.h"
#include "common/log.h"

namespace lt::decode {

namespace {
constexpr size_t kReportedLines = 10;

data::ReadOptions readOptions(const InputLimit& limit) {
  data::ReadOptions o;
  o.truncateLongLines = limit.policy != LongInputPolicy::Error;
  return o;
}
}  // namespace

std::optional<LongInputPolicy> longInputPolicyFromName(const std::string& name) {
  if (name == "error") return LongInputPolicy::Error;
  if (name == "truncate") return LongInputPolicy::Truncate;
  if (name == "skip") return LongInputPolicy::Skip;
  return std::nullopt;
}

const char* longInputPolicyName(LongInputPolicy p) {
  switch (p) {
    case LongInputPolicy::Error: return "error";
    case LongInputPolicy::Truncate: return "truncate";
    case LongInputPolicy::Skip: return "skip";
  }
  return "?";
}

size_t resolveMaxInputTokens(size_t requested, int maxPositions) {
  const size_t most = size_t(std::max(1, maxPositions - 1));
  LT_CHECK(requested <= most, ConfigError,
           "--max-input-length {} exceeds what the model encodes: max-positions {} - 1 = {} tokens",
           requested, maxPositions, most);
  return requested ? requested : most;
}

void LongInputReport::note(LongInputPolicy p, const std::string& where, const std::string& what) {
  size_t& n = p == LongInputPolicy::Skip ? skipped : truncated;
  if (++n <= kReportedLines)
    spdlog::warn("{}: {}: {}{}", where, what,
                 p == LongInputPolicy::Skip ? "skipped (empty output line)" : "truncated",
                 n == kReportedLines ? " (further such lines are only counted)" : "");
}

std::string LongInputReport::summary(const InputLimit& limit) const {
  if (!truncated && !skipped) return {};
  return fmt::format("{} input lines truncated, {} skipped (--max-input-length {}, policy {})", truncated,
                     skipped, limit.maxTokens, longInputPolicyName(limit.policy));
}

InputLines::InputLines(const std::string& path, const InputLimit& limit, LongInputReport& report)
    : reader_(path, readOptions(limit)), limit_(limit), report_(report) {
  origin_.source = reader_.path();
}

bool InputLines::nextChunk(size_t n, std::vector<std::string>& lines) {
  lines.clear();
  origin_.firstLine = reader_.lineNumber() + 1;
  std::string line;
  while (lines.size() < n && reader_.next(line)) {
    if (reader_.lineTruncated()) {
      report_.note(limit_.policy, fmt::format("{}:{}", origin_.source, reader_.lineNumber()),
                   fmt::format("line of {} bytes, more than the limit of {} bytes",
                               reader_.lineBytes(), data::ReadOptions{}.maxLineBytes));
      if (limit_.policy == LongInputPolicy::Skip) line.clear();
    }
    lines.push_back(std::move(line));
  }
  return !lines.empty();
}

}  // namespace lt::decode
