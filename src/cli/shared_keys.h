// Keys that several programs read, declared once: name (= flag = YAML key), help, type
// range, allowed values and other spellings. A program binds the ones it reads to its own
// fields, so a key means the same and is spelled the same in every lt program:
//   addShared(table, "Decoding", "beam-size", &opt.search.beamSize);
// Old spellings stay accepted as aliases (help lists them; README "Options").
#pragma once
#include <string>

#include "cli/option_table.h"
#include "tensor/dtype.h"

namespace lt::cli {

// Declares shared key `name` bound to `field` (an Error for a name not in the catalogue).
Option& addShared(OptionTable& table, const std::string& group, const std::string& name, Binding field);

// The names of the catalogue, for tests.
std::vector<std::string> sharedKeyNames();

// precision (fp32 | int8) bound to an InferencePrecision.
Option& addPrecision(OptionTable& table, const std::string& group, InferencePrecision* field,
                     const std::string& help);

}  // namespace lt::cli
