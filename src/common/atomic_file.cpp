#include "common/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.h"

namespace lt {

namespace fs = std::filesystem;

namespace {
constexpr size_t kBufferBytes = size_t(1) << 20;
std::atomic<uint64_t> tempCounter{0};

void writeFully(int fd, const char* p, size_t n, const std::string& path, const std::string& tmp) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    LT_CHECK(w > 0, IoError, "cannot write '{}'{}: {}", path,
             tmp == path ? std::string() : " (temp file '" + tmp + "')", std::strerror(w < 0 ? errno : ENOSPC));
    p += w;
    n -= size_t(w);
  }
}

// "<name>.tmp.<pid>.<n>" -> pid, or -1 when `file` is no temp file of `name`.
long tempOwner(const std::string& file, const std::string& name) {
  const std::string prefix = name + ".tmp.";
  if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) return -1;
  const std::string rest = file.substr(prefix.size());
  const size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size()) return -1;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dot && (rest[i] < '0' || rest[i] > '9')) return -1;
  if (dot > 9) return -1;  // not a pid
  return std::stol(rest.substr(0, dot));
}
}  // namespace

std::string atomicTempPath(const std::string& path, long pid, uint64_t n) {
  return path + ".tmp." + std::to_string(pid) + "." + std::to_string(n);
}

int removeStaleTempFiles(const std::string& path) {
  const fs::path p(path);
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string name = p.filename().string();
  std::error_code ec;
  int removed = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const long pid = tempOwner(it->path().filename().string(), name);
    if (pid <= 0 || pid == long(::getpid())) continue;
    if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // its writer may still run
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

AtomicFileWriter::AtomicFileWriter(std::string path)
    : path_(std::move(path)), tmp_(atomicTempPath(path_, long(::getpid()), tempCounter++)) {
  removeStaleTempFiles(path_);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  LT_CHECK(fd_ >= 0, IoError, "cannot write '{}': cannot create the temp file '{}': {}", path_, tmp_,
           std::strerror(errno));
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
  writeFully(fd_, buf_.data(), used_, path_, tmp_);
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
    writeFully(fd_, p, bytes, path_, tmp_);
    return;
  }
  std::memcpy(buf_.data(), p, bytes);
  used_ = bytes;
}

void AtomicFileWriter::commit() {
  LT_CHECK(fd_ >= 0 && !committed_, Error, "AtomicFileWriter: '{}' committed twice", path_);
  flush();
  LT_CHECK(::fsync(fd_) == 0, IoError, "cannot write '{}': fsync of '{}' failed: {}", path_, tmp_,
           std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  LT_CHECK(::close(fd) == 0, IoError, "cannot write '{}': closing '{}' failed: {}", path_, tmp_,
           std::strerror(errno));
  LT_CHECK(::rename(tmp_.c_str(), path_.c_str()) == 0, IoError, "cannot rename '{}' to '{}': {}",
           tmp_, path_, std::strerror(errno));
  committed_ = true;
  fs::path dir = fs::path(path_).parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // best effort: some file systems refuse directory fds
    ::fsync(dfd);
    ::close(dfd);
  }
}

void writeFileAtomic(const std::string& path, std::string_view bytes) {
  AtomicFileWriter f(path);
  f.write(bytes.data(), bytes.size());
  f.commit();
}

void appendFileWhole(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  LT_CHECK(fd >= 0, IoError, "cannot append to '{}': {}", path, std::strerror(errno));
  const off_t before = ::lseek(fd, 0, SEEK_END);
  try {
    writeFully(fd, bytes.data(), bytes.size(), path, path);
  } catch (...) {
    if (before >= 0 && ::ftruncate(fd, before) != 0) {
      // the error below still names the file; the torn tail stays
    }
    ::close(fd);
    throw;
  }
  LT_CHECK(::close(fd) == 0, IoError, "cannot append to '{}': {}", path, std::strerror(errno));
}

}  // namespace lt
