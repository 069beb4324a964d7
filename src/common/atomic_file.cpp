#include "common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace lt {

namespace {
constexpr size_t kBufferBytes = size_t(1) << 20;

void writeFully(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    LT_CHECK(w > 0, IoError, "cannot write '{}': {}", path, std::strerror(w < 0 ? errno : ENOSPC));
    p += w;
    n -= size_t(w);
  }
}
}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  LT_CHECK(fd_ >= 0, IoError, "cannot create '{}': {}", tmp_, std::strerror(errno));
  buf_.resize(kBufferBytes);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) drop();
}

void AtomicFileWriter::drop() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
}

void AtomicFileWriter::flush() {
  writeFully(fd_, buf_.data(), used_, tmp_);
  used_ = 0;
}

void AtomicFileWriter::write(const void* data, size_t bytes) {
  LT_CHECK(fd_ >= 0 && !committed_, Error, "AtomicFileWriter: write to '{}' after commit", path_);
  const char* p = static_cast<const char*>(data);
  written_ += bytes;
  if (used_ + bytes <= buf_.size()) {
    std::memcpy(buf_.data() + used_, p, bytes);
    used_ += bytes;
    return;
  }
  flush();
  if (bytes >= buf_.size()) {  // large pieces (weights) go straight to the file
    writeFully(fd_, p, bytes, tmp_);
    return;
  }
  std::memcpy(buf_.data(), p, bytes);
  used_ = bytes;
}

void AtomicFileWriter::commit() {
  LT_CHECK(fd_ >= 0 && !committed_, Error, "AtomicFileWriter: '{}' committed twice", path_);
  flush();
  LT_CHECK(::fsync(fd_) == 0, IoError, "cannot fsync '{}': {}", tmp_, std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  LT_CHECK(::close(fd) == 0, IoError, "cannot close '{}': {}", tmp_, std::strerror(errno));
  LT_CHECK(::rename(tmp_.c_str(), path_.c_str()) == 0, IoError, "cannot rename '{}' to '{}': {}",
           tmp_, path_, std::strerror(errno));
  committed_ = true;
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // best effort: some file systems refuse directory fds
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace lt
