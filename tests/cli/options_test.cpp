// The option system every program shares: aliases and short flags, negative values, ranges
// checked where the value is read (messages naming the flag or file:line), repeated list
// flags, required keys, empty config files, generated help, the Program's exit codes, and
// the decoding keys' regression cases (issue 21, defects 7 and 8).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/decode_options.h"
#include "cli/option_table.h"
#include "cli/program.h"
#include "cli/shared_keys.h"
#include "cli/train_config.h"
#include "common/error.h"

using namespace lt;
using namespace lt::cli;
namespace fs = std::filesystem;

namespace {

// argv for `args`; the strings live until the next call with the same number of strings.
std::vector<const char*> argvOf(const std::vector<std::string>& args) {
  static std::vector<std::vector<std::string>> keep(64);
  auto& held = keep[args.size() % keep.size()];
  held = args;
  std::vector<const char*> argv = {"prog"};
  for (const auto& a : held) argv.push_back(a.c_str());
  return argv;
}

// The ConfigError message of parsing `args` into lt-translate's table, then validating ("" = ok).
std::string translateError(std::vector<std::string> args, TranslateConfig* out = nullptr) {
  TranslateConfig c;
  OptionTable t;
  bindTranslateConfig(t, c);
  auto argv = argvOf(args);
  try {
    t.parseCommandLine(int(argv.size()), argv.data());
    t.checkRequired();
    validateTranslateConfig(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  if (out) *out = c;
  return "";
}

std::string tempFile(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("lt_options_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("aliases: short flags, old spellings, value aliases; negative numbers are values") {
  TranslateConfig c;
  REQUIRE(translateError({"-m", "m.lt", "-b", "6", "--lenpen", "0.6", "--alpha", "0.2", "--batch-tokens", "900",
                          "-q", "-i", "-"},
                         &c) == "");
  CHECK(c.model == "m.lt");
  CHECK(c.decoding.search.beamSize == 6);
  CHECK(c.decoding.search.lenpen == 0.6f);
  CHECK(c.decoding.search.alpha == 0.2f);
  CHECK(c.decoding.batching.maxTokens == 900);
  CHECK(c.quiet);
  CHECK(c.input == "-");
  // The old lt-translate form of the length-penalty type, and the canonical spellings.
  REQUIRE(translateError({"--model", "m", "--length-penalty", "gnmt", "--beam", "3"}, &c) == "");
  CHECK(c.decoding.search.penalty == decode::LengthPenalty::Gnmt);
  CHECK(c.decoding.search.lenpen == 1.0f);
  CHECK(c.decoding.search.beamSize == 3);
  REQUIRE(translateError({"--model", "m", "--length-penalty-type", "fairseq", "--length-penalty", "-0.5"}, &c) == "");
  CHECK(c.decoding.search.penalty == decode::LengthPenalty::Fairseq);
  CHECK(c.decoding.search.lenpen == -0.5f);  // "-0.5" is a value, not a flag

  OptionTable t;
  InferencePrecision p = InferencePrecision::F32;
  addPrecision(t, "g", &p, "precision").alias("--int8", "int8");
  auto argv = argvOf({"--int8"});
  t.parseCommandLine(int(argv.size()), argv.data());
  CHECK(p == InferencePrecision::Int8);
  auto bad = argvOf({"--int8", "fp32"});
  CHECK_THROWS_WITH_AS(t.parseCommandLine(int(bad.size()), bad.data()),
                       "--int8 takes no value (it stands for --precision int8)", ConfigError);
}

TEST_CASE("ranges and cross-checks name the flag (issue 21 defects 7 and 8)") {
  CHECK(translateError({"--model", "m", "-b", "0"}) == "-b (--beam-size): expected an integer >= 1, got 0");
  CHECK(translateError({"--model", "m", "-b", "0", "--n-best", "0"}) ==
        "-b (--beam-size): expected an integer >= 1, got 0");
  CHECK(translateError({"--model", "m", "--n-best", "0"}) == "--n-best: expected an integer >= 1, got 0");
  CHECK(translateError({"--model", "m", "--workers", "0"}) ==
        "--workers: expected an integer between 1 and 4096, got 0");
  CHECK(translateError({"--model", "m", "--threads", "-3"}) ==
        "--threads: expected an integer between 0 and 4096, got -3");
  CHECK(translateError({"--model", "m", "--lenpen", "nan"}) ==
        "--lenpen (--length-penalty): expected a number, got 'nan'");
  CHECK(translateError({"--model", "m", "--length-penalty-alpha", "inf"}) ==
        "--length-penalty-alpha: expected a number, got 'inf'");
  CHECK(translateError({"--model", "m", "--max-length-b", "-5"}) == "--max-length-b: expected an integer >= 0, got -5");
  CHECK(translateError({"--model", "m", "--max-length-a", "-0.5"}) ==
        "--max-length-a: expected a number >= 0, got -0.5");
  CHECK(translateError({"--model", "m", "--beam-size", "2", "--n-best", "3"}) == "--n-best 3 exceeds --beam-size 2");
  CHECK(translateError({"--model", "m", "--batch-size", "0"}) == "--batch-size 0 needs a --max-tokens limit");
  CHECK(translateError({"--model", "m", "--length-penalty-type", "linear"}) ==
        "--length-penalty-type: 'linear' is not allowed (allowed values: fairseq, gnmt)");
  CHECK(translateError({"--model", "m", "--precision", "int4"}) ==
        "--precision: 'int4' is not allowed (allowed values: fp32, int8)");
  CHECK(translateError({}) == "--model is required (model file written by lt-train)");
  CHECK(translateError({"--model", "m", "-x"}) == "unknown option -x (see --help)");
  CHECK(translateError({"--model", "m", "--beam-szie", "2"}) == "unknown option --beam-szie (did you mean --beam-size?)");
  // The same range from a config file names file:line and the key.
  auto f = tempFile("b0.yml", "model: m.lt\nbeam-size: 0\n");
  CHECK(translateError({"--config", f}) == f + ":2: key 'beam-size': expected an integer >= 1, got 0");
  // Old spellings are YAML keys too.
  auto g = tempFile("beam.yml", "model: m.lt\nbeam: 7\n");
  TranslateConfig c;
  CHECK(translateError({"--config", g}, &c) == "");
  CHECK(c.decoding.search.beamSize == 7);
  std::remove(f.c_str());
  std::remove(g.c_str());
}

TEST_CASE("empty config files are refused; repeated list flags collect their values") {
  auto empty = tempFile("empty.yml", "# only a comment\n\n");
  TrainCommandLine cl;
  auto argv = argvOf({"--config", empty});
  CHECK_THROWS_WITH_AS(cl.parse(int(argv.size()), argv.data()),
                       (empty + ": the config file has no keys (it is empty or all comments); give a file "
                                "of 'key: value' lines").c_str(),
                       ConfigError);
  std::remove(empty.c_str());

  OptionTable t;
  std::vector<std::string> hyps = {"default"};
  t.add("g", "hyp", &hyps, "systems");
  auto args = argvOf({"--hyp", "a", "b", "--hyp", "c"});
  t.parseCommandLine(int(args.size()), args.data());
  CHECK(hyps == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("every shared key has one type and help in every table that declares it") {
  // lt-translate's and lt-train's tables, and the catalogue itself.
  TranslateConfig tc;
  OptionTable tt;
  bindTranslateConfig(tt, tc);
  TrainCommandLine train;
  int shared = 0;
  for (const std::string& name : sharedKeyNames()) {
    const Option* a = tt.find(name);
    const Option* b = train.table().find(name);
    if (!a || !b) continue;
    ++shared;
    CAPTURE(name);
    CHECK(typeName(*a) == typeName(*b));
  }
  CHECK(shared >= 5);  // model, beam-size, length-penalty, max-tokens, threads
  CHECK_THROWS_AS(addShared(tt, "g", "no-such-key", &tc.model), Error);
}

TEST_CASE("help is generated from the table: types, aliases, ranges, defaults") {
  TranslateConfig c;
  OptionTable t;
  bindTranslateConfig(t, c);
  const std::string h = t.helpText("lt-translate [options]", "intro");
  CHECK(h.find("Usage: lt-translate [options]\nintro\n") == 0);
  CHECK(h.find("  --beam-size, -b <integer>") != std::string::npos);
  CHECK(h.find("[>= 1] [default: 4] [old spelling --beam]") != std::string::npos);
  CHECK(h.find("--model, -m <string>") != std::string::npos);
  CHECK(h.find("[required]") != std::string::npos);
  CHECK(h.find("{fp32, int8}") != std::string::npos);
}

TEST_CASE("Program: standard flags, --dump-config round trip, exit codes") {
  auto run = [](std::vector<std::string> args, int* runs, std::string* dump = nullptr) {
    Program p("lt-test", "A test program.");
    TranslateConfig c;
    Command& cmd = p.command();
    bindTranslateConfig(cmd.table, c);
    cmd.run = [&] {
      ++*runs;
      if (c.decoding.search.beamSize == 13) throw IoError("cannot read x");
      if (c.decoding.search.beamSize == 14) throw std::runtime_error("bug");
      return 0;
    };
    auto argv = argvOf(args);
    if (!dump) return p.main(int(argv.size()), argv.data());
    std::fflush(stdout);
    int fd = ::dup(1);
    std::string path = tempFile("dump.out", "");
    REQUIRE(std::freopen(path.c_str(), "w", stdout));
    int code = p.main(int(argv.size()), argv.data());
    std::fflush(stdout);
    ::dup2(fd, 1);
    ::close(fd);
    std::ifstream in(path);
    *dump = std::string(std::istreambuf_iterator<char>(in), {});
    std::remove(path.c_str());
    return code;
  };
  int runs = 0;
  CHECK(run({"--model", "m"}, &runs) == 0);
  CHECK(runs == 1);
  CHECK(run({"--model", "m", "-b", "0"}, &runs) == 2);      // ConfigError
  CHECK(run({"--model", "m", "-b", "13"}, &runs) == 1);     // runtime lt::Error
  CHECK(run({"--model", "m", "-b", "14"}, &runs) == 70);    // anything else: internal
  CHECK(run({"--beam-size", "3"}, &runs) == 2);             // --model missing
  CHECK(run({"--help"}, &runs) == 0);                       // help needs no --model
  CHECK(runs == 3);
  std::string dump;
  CHECK(run({"--model", "m.lt", "--beam-size", "5", "--lenpen", "0.7", "--dump-config"}, &runs, &dump) == 0);
  CHECK(dump.find("beam-size: 5\n") != std::string::npos);
  CHECK(dump.find("length-penalty: 0.7\n") != std::string::npos);
  CHECK(dump.find("config:") == std::string::npos);
  auto f = tempFile("round.yml", dump);
  std::string again;
  CHECK(run({"--config", f, "--dump-config"}, &runs, &again) == 0);
  CHECK(again == dump);
  CHECK(runs == 3);
  std::remove(f.c_str());
}
