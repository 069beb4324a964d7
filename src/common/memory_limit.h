// How much memory a run may plan for, checked before it allocates: lt-train's model
// (models/model_memory.h), lt-translate's decoding batches (decode/decode_limits.h) and
// lt-eval cost's network compare an estimate with this limit, so an absurd config
// (model-dim 10^6, a beam of 10^5) is a one-line error naming the numbers instead of
// std::bad_alloc, minutes of swapping or an OOM kill.
#pragma once
#include <string>

namespace lt {

// Physical memory of this machine in bytes (sysconf); 0 when unknown.
double physicalMemoryBytes();

// A --memory-limit value: "auto" or "" = physicalMemoryBytes(); otherwise bytes, with an
// optional suffix k/M/G/T (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024), e.g. 16G,
// 1.5T, 512MiB. ConfigError naming `flag` and the accepted forms otherwise.
double parseMemoryLimit(const std::string& text, const std::string& flag);

// Where that limit comes from, for messages: "this machine's memory; --memory-limit
// overrides" or "--memory-limit 16G".
std::string memoryLimitSource(const std::string& text, const std::string& flag);

// "812.0 MiB", "1.50 GiB", "8.00 TiB".
std::string formatBytes(double bytes);

}  // namespace lt
