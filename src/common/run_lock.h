// An exclusive lock on a run, so two processes never train into the same model path.
//
// RunLock holds `<path>` (lt-train: `<model>.lock`) locked with flock(2) for its lifetime and
// writes its pid into it. The kernel drops a flock when its process ends in any way (exit,
// crash, kill -9), so a lock file left behind never blocks the next run: only a live holder
// does. A second process is refused at once (no waiting) with an IoError naming the lock
// file and the holder's pid. The file is removed on release; a process that opened it just
// before the removal notices (the path no longer names its file) and takes a fresh one.
#pragma once
#include <string>

namespace lt {

class RunLock {
public:
  // `what` describes the locked thing for the message ("model 'run/model.lt'").
  RunLock(std::string lockPath, const std::string& what);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace lt
