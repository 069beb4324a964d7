// Beam-search translation for lt-train's validation BLEU (--valid-decode beam):
// src/train cannot include its sibling src/decode, so the CLI layer builds the
// routine and hands it to the session.
#pragma once
#include "train/session.h"

namespace lt::cli {

train::TranslatorFactory beamTranslatorFactory();

}  // namespace lt::cli
