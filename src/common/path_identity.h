// Whether a program's output would overwrite one of its own inputs.
//
// Two paths are the same file when they reach the same device and inode: symlinks are
// followed and hard links count, so `-o link-to-input` and `-o hardlink-of-model` are caught
// as well as the literal path. Standard input ("-") is compared through its descriptor, so
// `lt-translate -o f.txt < f.txt` is caught too. A path that does not exist yet is never an
// input. Used by lt-translate (-o against --input and --model) and lt-convert (--output
// against --model), and by every program that writes a file next to what it reads.
#pragma once
#include <string>
#include <vector>

namespace lt {

// True when both exist and are the same file (symlinks followed, hard links included).
bool sameFile(const std::string& a, const std::string& b);

// A path as the user gave it, with the flag that gave it (for messages).
struct NamedPath {
  std::string flag;  // "--input"
  std::string path;  // "-" = standard input for inputs
};

// Throws ConfigError "<flag> <path> is the same file as <flag> <path>; write the output
// elsewhere" when `output` names one of `inputs`. An output of "-" (standard output) is
// never checked.
void checkOutputIsNotAnInput(const NamedPath& output, const std::vector<NamedPath>& inputs);

}  // namespace lt
