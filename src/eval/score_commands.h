// The score subcommands of lt-eval (bleu, chrf, compare, tokenize) as plain
// functions over option structs, so the program only binds flags to fields.
// Each reads its files, computes, and writes text or JSON to `out`.
#pragma once
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace lt::eval {

struct BleuCommandOptions {
  std::string hyp;                  // path or "-" for stdin
  std::vector<std::string> refs;    // one or more reference files
  std::string tokenize = "13a";     // 13a | intl | zh | char | none
  bool lowercase = false;
  std::string smooth = "exp";       // exp | floor | add-k | none
  std::optional<double> smoothValue;
  bool effectiveOrder = false;
  bool sentence = false;            // one score per line (forces effective order, as sacreBLEU)
  std::string format = "text";      // text | json
  bool paper = false;               // fairseq tokenized BLEU instead of sacreBLEU
  bool splitCompounds = false;      // with paper: ##AT## hyphen split
  // Called with the corpus score and its signature after printing (not with --sentence):
  // the hook behind lt-eval bleu --append-results (src/report).
  std::function<void(double score, const std::string& signature)> onScore;
};

struct ChrfCommandOptions {
  std::string hyp;
  std::vector<std::string> refs;
  int charOrder = 6;
  int wordOrder = 0;
  int beta = 2;
  bool lowercase = false;
  bool whitespace = false;
  bool epsSmoothing = false;
  bool sentence = false;
  std::string format = "text";
};

struct CompareCommandOptions {
  std::vector<std::string> refs;
  std::vector<std::string> hyps;    // first is the baseline
  std::string metric = "bleu";      // bleu | chrf
  size_t samples = 1000;
  uint64_t seed = 12345;
  std::string tokenize = "13a";     // BLEU only
  bool lowercase = false;
  int wordOrder = 0;                // chrF only
  std::string format = "text";
};

struct TokenizeCommandOptions {
  std::string input = "-";
  std::string tokenize = "13a";
  bool lowercase = false;
};

void runBleuCommand(const BleuCommandOptions& opt, std::istream& in, std::ostream& out);
void runChrfCommand(const ChrfCommandOptions& opt, std::istream& in, std::ostream& out);
void runCompareCommand(const CompareCommandOptions& opt, std::istream& in, std::ostream& out);
void runTokenizeCommand(const TokenizeCommandOptions& opt, std::istream& in, std::ostream& out);

}  // namespace lt::eval
