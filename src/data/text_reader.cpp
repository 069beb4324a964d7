#include "data/text_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "common/error.h"

namespace lt::data {

namespace {
constexpr size_t kBufBytes = 1 << 18;

bool isBlank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return false;
  return true;
}
}  // namespace

size_t findInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;  // stray continuation byte or 0xF8..0xFF
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool isGzipFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  unsigned char m[2] = {0, 0};
  size_t got = std::fread(m, 1, 2, f);
  std::fclose(f);
  return got == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

struct LineReader::GzHandle {
  gzFile f = nullptr;
  ~GzHandle() {
    if (f) gzclose(f);
  }
};

LineReader::LineReader(const std::string& path, ReadOptions opts)
    : gz_(std::make_unique<GzHandle>()), path_(path), opts_(opts), buf_(kBufBytes) {
  if (path == "-") {
    int fd = ::dup(0);
    LT_CHECK(fd >= 0, IoError, "cannot read standard input: {}", std::strerror(errno));
    gz_->f = gzdopen(fd, "rb");
    path_ = "<stdin>";
  } else {
    std::error_code ec;
    LT_CHECK(std::filesystem::exists(path, ec), IoError, "{}: no such file", path);
    LT_CHECK(!std::filesystem::is_directory(path, ec), IoError, "{}: is a directory, not a text file",
             path);
    // gzopen reads gzip streams (recognised by their magic bytes) and plain
    // files transparently.
    errno = 0;
    gz_->f = gzopen(path.c_str(), "rb");
    LT_CHECK(gz_->f != nullptr, IoError, "{}: cannot open for reading: {}", path,
             errno ? std::strerror(errno) : "out of memory");
  }
  LT_CHECK(gz_->f != nullptr, IoError, "{}: cannot open for reading", path_);
  gzbuffer(gz_->f, 1 << 17);
}

LineReader::~LineReader() = default;

bool LineReader::fill() {
  if (eof_) return false;
  int got = gzread(gz_->f, buf_.data(), unsigned(buf_.size()));
  if (got < 0) {
    int code = 0;
    const char* msg = gzerror(gz_->f, &code);
    LT_THROW(IoError, "{}: read error after line {}: {}", path_, line_,
             code == Z_ERRNO ? std::strerror(errno) : msg);
  }
  if (got == 0) {
    // gzread returns 0 both at a clean end and on a truncated stream.
    int code = 0;
    const char* msg = gzerror(gz_->f, &code);
    LT_CHECK(code == Z_OK || code == Z_STREAM_END, IoError,
             "{}: corrupt or truncated gzip data after line {}: {}", path_, line_, msg);
    eof_ = true;
    return false;
  }
  pos_ = 0;
  end_ = size_t(got);
  return true;
}

bool LineReader::next(std::string& line) {
  line.clear();
  bool any = false;
  lineBytes_ = 0;
  truncated_ = false;
  const size_t keep = opts_.maxLineBytes ? opts_.maxLineBytes + 1 : 0;  // +1: a possible '\r'
  for (;;) {
    if (pos_ == end_ && !fill()) break;
    any = true;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    size_t take = nl ? size_t(static_cast<const char*>(nl) - start) : end_ - pos_;
    lineBytes_ += take;
    pos_ += take;
    if (keep && line.size() + take > keep) {
      LT_CHECK(opts_.truncateLongLines, DataError, "{}:{}: line longer than the limit of {} bytes",
               path_, line_ + 1, opts_.maxLineBytes);
      line.append(start, keep - line.size());  // the rest of the line is read past, not kept
      truncated_ = true;
    } else if (!truncated_) {
      line.append(start, take);
    }
    if (nl) {
      ++pos_;
      break;
    }
  }
  if (!any) return false;
  ++line_;
  if (truncated_) {  // cut to the limit, back to the start of a UTF-8 character
    size_t cut = opts_.maxLineBytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  LT_CHECK(!opts_.maxLineBytes || line.size() <= opts_.maxLineBytes, DataError,
           "{}:{}: line of {} bytes is longer than the limit of {} bytes", path_, line_, line.size(),
           opts_.maxLineBytes);
  if (opts_.checkUtf8) {
    size_t bad = findInvalidUtf8(line);
    LT_CHECK(bad == std::string_view::npos, DataError,
             "{}:{}: invalid UTF-8 (byte 0x{:02x} at byte offset {} of the line)", path_, line_,
             unsigned(static_cast<unsigned char>(line[bad])), bad);
  }
  return true;
}

std::vector<std::string> readLines(const std::string& path, const ReadOptions& opts) {
  LineReader r(path, opts);
  std::vector<std::string> out;
  std::string line;
  while (r.next(line)) out.push_back(line);
  return out;
}

ParallelText readParallel(const std::string& srcPath, const std::string& tgtPath,
                          const ReadOptions& opts, bool dropEmpty) {
  ParallelText pt;
  pt.src = readLines(srcPath, opts);
  pt.tgt = readLines(tgtPath, opts);
  LT_CHECK(pt.src.size() == pt.tgt.size(), DataError,
           "parallel corpus is not line-aligned: {} has {} lines but {} has {} lines", srcPath,
           pt.src.size(), tgtPath, pt.tgt.size());
  pt.linesRead = pt.src.size();
  if (dropEmpty) {
    size_t w = 0;
    for (size_t i = 0; i < pt.src.size(); ++i) {
      if (isBlank(pt.src[i]) || isBlank(pt.tgt[i])) {
        ++pt.droppedEmpty;
        continue;
      }
      if (w != i) {
        pt.src[w] = std::move(pt.src[i]);
        pt.tgt[w] = std::move(pt.tgt[i]);
      }
      ++w;
    }
    pt.src.resize(w);
    pt.tgt.resize(w);
  }
  return pt;
}

}  // namespace lt::data
