// Process-level helpers for the training loop: stop requests from signals and
// memory figures from /proc.
#pragma once
#include <cstdint>

namespace lt::train {

// Installs SIGINT/SIGTERM handlers that only record the signal (the loop
// polls stopSignal(), finishes the current update, writes a checkpoint and
// exits with 128 + signal). A second signal restores the default action, so
// pressing Ctrl-C twice kills at once.
void installStopSignalHandlers();
int stopSignal();  // 0 = none received
void resetStopSignal();
void raiseStopSignalForTest(int sig);

// Peak resident set size (VmHWM) and current (VmRSS) in bytes; 0 if unknown.
int64_t peakRssBytes();
int64_t currentRssBytes();

}  // namespace lt::train
