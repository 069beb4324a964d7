#include "common/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.h"

namespace lt {

namespace {
std::string holderPid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, size_t(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() || s.find_first_not_of("0123456789") != std::string::npos ? "unknown" : s;
}
}  // namespace

RunLock::RunLock(std::string lockPath, const std::string& what) : path_(std::move(lockPath)) {
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    LT_CHECK(fd >= 0, IoError, "cannot create the lock file '{}' of {}: {}", path_, what,
             std::strerror(errno));
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      const std::string pid = err == EWOULDBLOCK ? holderPid(fd) : std::string();
      ::close(fd);
      LT_CHECK(err != EWOULDBLOCK, IoError,
               "{} is in use by another process (pid {}), which holds the lock file '{}'; wait "
               "for it to finish or use another path",
               what, pid, path_);
      LT_THROW(IoError, "cannot lock '{}' of {}: {}", path_, what, std::strerror(err));
    }
    // The holder before us may have removed the file between our open and our lock: then
    // the lock is on an unlinked file, and the path needs a fresh one.
    struct stat mine, now;
    if (::fstat(fd, &mine) == 0 && ::stat(path_.c_str(), &now) == 0 && mine.st_dev == now.st_dev &&
        mine.st_ino == now.st_ino) {
      fd_ = fd;
      break;
    }
    ::close(fd);
    LT_CHECK(attempt < 100, IoError, "cannot lock '{}' of {}: the file keeps being replaced", path_,
             what);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    // The lock holds without the pid; only the message of a refused second process suffers.
  }
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: see the header
  ::close(fd_);
}

}  // namespace lt
