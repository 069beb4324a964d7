#include "train/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace lt::train {

namespace {

std::string errnoText() { return std::strerror(errno); }

void writeAll(int fd, std::string_view bytes, const std::string& path) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string e = errnoText();
      ::close(fd);
      LT_THROW(IoError, "cannot write '{}': {}", path, e);
    }
    off += size_t(n);
  }
}

void fsyncDirOf(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: some file systems refuse directory fds
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void writeFileAtomic(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  LT_CHECK(fd >= 0, IoError, "cannot create '{}': {}", tmp, errnoText());
  writeAll(fd, bytes, tmp);
  if (::fsync(fd) != 0) {
    std::string e = errnoText();
    ::close(fd);
    LT_THROW(IoError, "cannot fsync '{}': {}", tmp, e);
  }
  LT_CHECK(::close(fd) == 0, IoError, "cannot close '{}': {}", tmp, errnoText());
  LT_CHECK(::rename(tmp.c_str(), path.c_str()) == 0, IoError, "cannot rename '{}' to '{}': {}",
           tmp, path, errnoText());
  fsyncDirOf(path);
}

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

void ByteWriter::raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
void ByteWriter::u32(uint32_t v) { raw(&v, sizeof v); }
void ByteWriter::u64(uint64_t v) { raw(&v, sizeof v); }
void ByteWriter::f64(double v) { raw(&v, sizeof v); }
void ByteWriter::bytes(std::string_view b) {
  u64(b.size());
  raw(b.data(), b.size());
}

void ByteReader::need(size_t n) {
  LT_CHECK(n <= remaining(), IoError, "{}: truncated (needs {} more bytes at offset {}, {} left)",
           what_, n, pos_, remaining());
}
void ByteReader::raw(void* p, size_t n) {
  need(n);
  std::memcpy(p, data_.data() + pos_, n);
  pos_ += n;
}
uint32_t ByteReader::u32() {
  uint32_t v;
  raw(&v, sizeof v);
  return v;
}
uint64_t ByteReader::u64() {
  uint64_t v;
  raw(&v, sizeof v);
  return v;
}
double ByteReader::f64() {
  double v;
  raw(&v, sizeof v);
  return v;
}
std::string ByteReader::bytes() {
  uint64_t n = u64();
  need(n);
  std::string s(data_.substr(pos_, n));
  pos_ += n;
  return s;
}

uint64_t fnv1a64(std::string_view b) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : b) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace lt::train
