// Exact n-gram counting without hashing: every n-gram is a view of its text
// (tokens joined by single spaces, or a run of code points) plus its first
// eight bytes packed big-endian, so most comparisons are one integer compare.
// A line's n-grams of one order are kept as a sorted list of (n-gram, count).
#pragma once
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace lt::eval {

struct NgramKey {
  uint64_t prefix = 0;  // first 8 bytes, big-endian, zero padded
  std::string_view text;
};

// A total order consistent with byte-wise lexicographic order of `text`.
inline bool operator<(const NgramKey& a, const NgramKey& b) {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  return a.text < b.text;
}
inline bool operator==(const NgramKey& a, const NgramKey& b) {
  return a.prefix == b.prefix && a.text == b.text;
}

NgramKey makeNgramKey(std::string_view text);

using NgramCounts = std::vector<std::pair<NgramKey, int>>;

// Sorts `keys` and appends each distinct n-gram with its count to `out`;
// returns the number of n-grams (keys.size()).
int64_t countNgramKeys(std::vector<NgramKey>& keys, NgramCounts& out);

// Sum over hypothesis n-grams of min(hyp count, ref count).
int64_t clippedMatches(const NgramCounts& hyp, const NgramCounts& ref);

// a := a ∪ b with the larger count for shared n-grams.
void mergeMaxCounts(NgramCounts& a, const NgramCounts& b);

// Byte ranges [start, end) of the tokens of a single-spaced line.
void spacedTokenBounds(std::string_view line, std::vector<size_t>& starts, std::vector<size_t>& ends);

}  // namespace lt::eval
