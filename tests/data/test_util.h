// Helpers shared by the data tests: temporary files and a generated corpus.
#pragma once
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/rng.h"

namespace lt::data::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("lt-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

inline void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

inline void writeGz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb9");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

inline std::string joinLines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// Sentences over a fixed set of pseudo-words, drawn with a seeded Rng:
// `n` sentences of 3..maxWords words.
inline std::vector<std::string> generatedSentences(size_t n, uint64_t seed, size_t maxWords = 12,
                                                   int alphabetShift = 0) {
  static const char* kSyl[] = {"ka", "to", "ri", "mu", "sen", "ba", "lo", "ne", "ti", "gra",
                               "sch", "ver", "an", "el", "or", "qu"};
  lt::Rng wordRng(4242);
  std::vector<std::string> words;
  for (int w = 0; w < 120; ++w) {
    std::string s;
    size_t syl = 1 + wordRng.below(3);
    for (size_t k = 0; k < syl; ++k) s += kSyl[wordRng.below(16)];
    if (alphabetShift)
      for (char& c : s) c = char('a' + (c - 'a' + alphabetShift) % 26);
    words.push_back(s);
  }
  lt::Rng rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    size_t len = 3 + rng.below(maxWords - 2);
    std::string s;
    for (size_t k = 0; k < len; ++k) {
      if (k) s += ' ';
      // Zipf-like: low word ids are much more frequent.
      size_t a = rng.below(words.size()), b = rng.below(words.size());
      s += words[std::min(a, b)];
    }
    s += '.';
    out.push_back(s);
  }
  return out;
}

// Root of the shared corpora: $LT_DATA_DIR or <repo>/../shared/data.
inline std::string sharedDataDir() {
  if (const char* d = std::getenv("LT_DATA_DIR"); d && *d) return d;
  return std::string(LT_SOURCE_DIR) + "/../shared/data";
}

}  // namespace lt::data::testing
