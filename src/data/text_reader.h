// Reading line-oriented text: plain or gzip-compressed files (detected by the
// gzip magic bytes, not the file name), one sentence per line, optionally two
// line-aligned files of a parallel corpus. Lines are checked for valid UTF-8
// and a byte-length limit; errors name the file and 1-based line.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lt::data {

struct ReadOptions {
  size_t maxLineBytes = 1 << 20;  // longer lines are an error (0 = no limit)
  bool checkUtf8 = true;          // reject lines that are not valid UTF-8
  // Instead of the error: keep the first maxLineBytes bytes of a longer line (cut back to a
  // UTF-8 character boundary) and skip the rest without storing it (lineTruncated()).
  bool truncateLongLines = false;
};

// Index of the first byte of the first invalid UTF-8 sequence in s, or npos.
// Strict: rejects overlong forms, surrogates, code points above U+10FFFF and
// truncated sequences.
size_t findInvalidUtf8(std::string_view s);

// True when the file starts with the gzip magic bytes 1f 8b.
bool isGzipFile(const std::string& path);

// Sequential line reader. "-" reads standard input. A trailing "\r" (CRLF line
// ends) is removed. Throws IoError when the file is missing, unreadable or a
// corrupt gzip stream, DataError for invalid UTF-8 and over-long lines.
class LineReader {
public:
  explicit LineReader(const std::string& path, ReadOptions opts = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line into `line` (without the newline); false at end of file.
  bool next(std::string& line);
  // 1-based number of the line last returned by next().
  size_t lineNumber() const { return line_; }
  // Bytes of the line last returned by next() in the file, and whether it was cut to
  // maxLineBytes (ReadOptions::truncateLongLines).
  size_t lineBytes() const { return lineBytes_; }
  bool lineTruncated() const { return truncated_; }
  const std::string& path() const { return path_; }

private:
  bool fill();
  struct GzHandle;
  std::unique_ptr<GzHandle> gz_;
  std::string path_;
  ReadOptions opts_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  size_t line_ = 0;
  size_t lineBytes_ = 0;
  bool truncated_ = false;
};

// All lines of a file.
std::vector<std::string> readLines(const std::string& path, const ReadOptions& opts = {});

// Two line-aligned files. Pairs where either side is empty (after trimming
// ASCII whitespace) are dropped when dropEmpty is set and counted in
// droppedEmpty; the caller reports the count.
struct ParallelText {
  std::vector<std::string> src, tgt;
  size_t droppedEmpty = 0;  // pairs dropped because one side was empty
  size_t linesRead = 0;     // pairs in the files, before dropping
};

// Throws DataError naming both files and both line counts when they differ.
ParallelText readParallel(const std::string& srcPath, const std::string& tgtPath,
                          const ReadOptions& opts = {}, bool dropEmpty = true);

}  // namespace lt::data
