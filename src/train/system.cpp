#include "train/system.h"

#include <csignal>
#include <cstdio>
#include <cstring>

namespace lt::train {

namespace {

volatile std::sig_atomic_t gSignal = 0;

extern "C" void onStopSignal(int sig) {
  if (gSignal != 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  gSignal = sig;
}

int64_t procStatusKb(const char* key) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  int64_t kb = 0;
  const size_t len = std::strlen(key);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, key, len) == 0 && line[len] == ':') {
      long long v = 0;
      if (std::sscanf(line + len + 1, "%lld", &v) == 1) kb = v;
      break;
    }
  }
  std::fclose(f);
  return kb;
}

}  // namespace

void installStopSignalHandlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stopSignal() { return int(gSignal); }
void resetStopSignal() { gSignal = 0; }
void raiseStopSignalForTest(int sig) { gSignal = sig; }

int64_t peakRssBytes() { return procStatusKb("VmHWM") * 1024; }
int64_t currentRssBytes() { return procStatusKb("VmRSS") * 1024; }

}  // namespace lt::train
