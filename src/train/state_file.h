// The training-state file (<model>.state), written next to the model file at
// every checkpoint. It holds everything needed to continue exactly:
//   magic "LTSTATE\n", u32 version,
//   blob TrainingState, blob Adam moments, blob parameters (name, n, f32 x n),
//   blob tag (free text: config / vocabulary fingerprints the caller checks),
//   u64 FNV-1a checksum of all preceding bytes.
// It carries its own copy of the parameters, so it is self-consistent even
// if a crash falls between replacing the model file and the state file.
// Written atomically and streamed (common/atomic_file.h); read through a fixed buffer after
// the checksum pass, so neither direction holds a copy of the file in memory.
#pragma once
#include <string>

#include "autodiff/param_store.h"
#include "train/adam.h"
#include "train/training_state.h"

namespace lt::train {

void writeStateFile(const std::string& path, const TrainingState& state, const Adam& adam,
                    const ParamStore& params, const std::string& tag);

struct LoadedState {
  TrainingState state;
  std::string tag;
};

// Verifies magic, version and checksum (IoError "<path>: ... corrupt/truncated"),
// copies the parameters into `params` (names and sizes must match) and the
// moments into `adam`.
LoadedState readStateFile(const std::string& path, Adam& adam, ParamStore& params);

// Parameter values only (for checkpoint averaging and tests), by name.
std::string serializeParams(const ParamStore& params);
void deserializeParams(const std::string& bytes, ParamStore& params, const std::string& what);

}  // namespace lt::train
