#include "eval/ngram_counts.h"

#include <algorithm>

namespace lt::eval {

NgramKey makeNgramKey(std::string_view text) {
  uint64_t p = 0;
  const size_t n = std::min<size_t>(8, text.size());
  for (size_t i = 0; i < n; ++i) p |= static_cast<uint64_t>(static_cast<unsigned char>(text[i])) << (56 - 8 * i);
  return {p, text};
}

int64_t countNgramKeys(std::vector<NgramKey>& keys, NgramCounts& out) {
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    out.emplace_back(keys[i], static_cast<int>(j - i));
    i = j;
  }
  return static_cast<int64_t>(keys.size());
}

int64_t clippedMatches(const NgramCounts& hyp, const NgramCounts& ref) {
  int64_t match = 0;
  size_t j = 0;
  for (const auto& [key, count] : hyp) {
    while (j < ref.size() && ref[j].first < key) ++j;
    if (j == ref.size()) break;
    if (ref[j].first == key) match += std::min(count, ref[j].second);
  }
  return match;
}

void mergeMaxCounts(NgramCounts& a, const NgramCounts& b) {
  NgramCounts out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.push_back(b[j++]);
    } else {
      out.emplace_back(a[i].first, std::max(a[i].second, b[j].second));
      ++i;
      ++j;
    }
  }
  a = std::move(out);
}

void spacedTokenBounds(std::string_view line, std::vector<size_t>& starts, std::vector<size_t>& ends) {
  starts.clear();
  ends.clear();
  for (size_t i = 0; i < line.size();) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    starts.push_back(i);
    ends.push_back(j);
    i = j + 1;
  }
}

}  // namespace lt::eval
