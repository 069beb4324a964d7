#include "train/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/pread.h"

namespace lt::train {

std::string readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LT_CHECK(in.good(), IoError, "cannot open '{}': {}", path,
           fileExists(path) ? "permission denied or unreadable" : "no such file");
  std::ostringstream ss;
  ss << in.rdbuf();
  LT_CHECK(!in.bad(), IoError, "cannot read '{}'", path);
  return ss.str();
}

bool fileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void removeFile(const std::string& path) { ::unlink(path.c_str()); }

void ByteSink::bytes(std::string_view b) {
  u64(b.size());
  raw(b.data(), b.size());
}

void ByteWriter::raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }

void ByteSource::need(uint64_t n) {
  LT_CHECK(n <= remaining(), IoError, "{}: truncated (needs {} more bytes at offset {}, {} left)",
           what_, n, pos_, remaining());
}
void ByteSource::raw(void* p, size_t n) {
  need(n);
  fetch(pos_, p, n);
  pos_ += n;
}
uint32_t ByteSource::u32() {
  uint32_t v;
  raw(&v, sizeof v);
  return v;
}
uint64_t ByteSource::u64() {
  uint64_t v;
  raw(&v, sizeof v);
  return v;
}
double ByteSource::f64() {
  double v;
  raw(&v, sizeof v);
  return v;
}
std::string ByteSource::bytes() {
  const uint64_t n = u64();
  need(n);
  std::string s(size_t(n), '\0');
  raw(s.data(), s.size());
  return s;
}

ByteReader::ByteReader(std::string_view data, std::string what)
    : ByteSource(std::move(what)), data_(data) {
  setSize(data.size());
}
void ByteReader::fetch(uint64_t pos, void* p, size_t n) {
  if (n) std::memcpy(p, data_.data() + pos, n);
}

FileByteSource::FileByteSource(const std::string& path) : ByteSource(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  LT_CHECK(fd_ >= 0, IoError, "cannot open '{}': {}", path,
           errno == ENOENT ? "no such file" : std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    LT_THROW(IoError, "cannot read '{}': not a regular file", path);
  }
  fileSize_ = uint64_t(st.st_size);
  setSize(fileSize_);
  buf_.resize(size_t(1) << 20);
}

FileByteSource::~FileByteSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileByteSource::limit(uint64_t bytes) { setSize(std::min(bytes, fileSize_)); }

void FileByteSource::readAt(uint64_t pos, void* p, size_t n) {
  const int64_t got = preadFully(fd_, pos, p, n);
  LT_CHECK(got >= 0 && size_t(got) == n, IoError, "cannot read '{}' at offset {}: {}", what(),
           pos + uint64_t(got < 0 ? 0 : got), got < 0 ? std::strerror(errno) : "unexpected end of file");
}

void FileByteSource::fetch(uint64_t pos, void* p, size_t n) {
  char* dst = static_cast<char*>(p);
  while (n > 0) {
    if (pos >= bufPos_ && pos < bufPos_ + bufLen_) {
      const size_t k = std::min<uint64_t>(n, bufPos_ + bufLen_ - pos);
      std::memcpy(dst, buf_.data() + (pos - bufPos_), k);
      dst += k;
      pos += k;
      n -= k;
    } else if (n >= buf_.size()) {  // large reads (weights, moments) go straight to the caller
      readAt(pos, dst, n);
      return;
    } else {
      bufPos_ = pos;
      bufLen_ = size_t(std::min<uint64_t>(buf_.size(), fileSize_ - pos));
      readAt(pos, buf_.data(), bufLen_);
    }
  }
}

void Fnv1a64::update(const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  uint64_t h = h_;
  for (size_t i = 0; i < n; ++i) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  h_ = h;
}

uint64_t fnv1a64(std::string_view b) {
  Fnv1a64 h;
  h.update(b.data(), b.size());
  return h.value();
}

}  // namespace lt::train
