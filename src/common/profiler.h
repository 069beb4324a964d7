// Op-level wall-time profiler for training and decoding (off by default).
//
// Attribution is by tape order, not by instrumenting every op: ops call
// `forward(op)` when they record their result (autodiff::makeResult), and the
// wall time since the previous mark is charged to that op, so each op's share
// includes the glue code that ran just before it. Backward time is measured
// around each node's backward function. Named sections (`Section`) cover what
// is neither (the optimizer step, zeroing gradients) and reset the mark.
//
// One thread records (the one running the model); kernels may use OpenMP
// inside an op. Disabled, every hook is one predictable branch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lt::profiler {

namespace detail {
extern bool gEnabled;
}

inline bool enabled() { return detail::gEnabled; }
void enable(bool on);
void reset();  // drops all figures and restarts the mark

// Restarts the forward mark without charging anyone (call before a forward pass).
void mark();
// Charges the time since the last mark to `op`'s forward and restarts the mark.
void forward(const char* op);
// Adds `seconds` of backward time to `op`.
void backward(const char* op, double seconds);
// Adds `seconds` to a named section (not an op).
void section(const char* name, double seconds);

// RAII: times a section; restarts the forward mark when it ends.
class Section {
public:
  explicit Section(const char* name);
  ~Section();
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;

private:
  const char* name_;
  int64_t startNs_;
};

// RAII: stops recording (validation, checkpointing) and resumes on exit.
class Pause {
public:
  Pause() : was_(enabled()) { enable(false); }
  ~Pause() {
    if (was_) enable(true);
  }
  Pause(const Pause&) = delete;
  Pause& operator=(const Pause&) = delete;

private:
  bool was_;
};

struct Row {
  std::string name;
  double forwardS = 0, backwardS = 0, sectionS = 0;
  int64_t forwardCalls = 0, backwardCalls = 0, sectionCalls = 0;
  double total() const { return forwardS + backwardS + sectionS; }
};

// Rows merged by name (op names may be distinct literals with equal text),
// sorted by total time, largest first.
std::vector<Row> rows();
// A fixed-width table of rows() with shares of the total, for logs and stderr.
std::string table(int maxRows = 40);

}  // namespace lt::profiler
