// lt-train configuration: precedence defaults < --config files (left to right)
// < flags, and the error message of each kind of mistake.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/train_config.h"
#include "common/error.h"

using namespace lt;
using namespace lt::cli;
namespace fs = std::filesystem;

namespace {

struct TempFiles {
  fs::path dir;
  TempFiles() {
    dir = fs::temp_directory_path() / ("lt_cli_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~TempFiles() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

void parse(TrainCommandLine& cl, std::vector<std::string> args) {
  std::vector<const char*> argv = {"lt-train"};
  for (auto& a : args) argv.push_back(a.c_str());
  cl.parse(int(argv.size()), argv.data());
}

std::string errorOf(std::vector<std::string> args) {
  TrainCommandLine cl;
  try {
    parse(cl, std::move(args));
    cl.validate();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("precedence: defaults < config files left to right < flags") {
  TempFiles t;
  auto a = t.write("a.yml", "lr: 0.001\nmax-updates: 100\nwarmup-updates: 10\nmodel-dim: 256\n");
  auto b = t.write("b.yml", "# later file wins\nmax-updates: 200\nencoder-block: lite\n");
  TrainCommandLine cl;
  parse(cl, {"--config", a, b, "--max-updates", "300", "--adam-betas", "0.9", "0.997",
             "--train-src", "x.de", "--train-tgt=x.en", "--time-limit", "1h30m"});
  const auto& c = cl.config();
  CHECK(c.train.lr == doctest::Approx(0.001));         // a.yml
  CHECK(c.train.warmupUpdates == 10);                   // a.yml
  CHECK(c.train.maxUpdates == 300);                     // flag beats both files
  CHECK(c.train.adamBetas == std::vector<double>{0.9, 0.997});
  CHECK(c.train.labelSmoothing == doctest::Approx(0.1));  // default
  CHECK(c.train.timeLimitSeconds == doctest::Approx(5400));
  CHECK(c.train.trainTgt == "x.en");
  CHECK(c.model.modelDim == 256);
  REQUIRE(c.model.encoderBlock.branches.size() == 2);   // lite: attention + lightconv
  CHECK(c.model.encoderBlock.branches[1].type == "lightconv");
  CHECK(cl.table().find("max-updates")->origin.where == "--max-updates");
  CHECK(cl.table().find("warmup-updates")->origin.where == a + ":3");

  // The same flags in the other file order: b then a -> a's max-updates wins.
  TrainCommandLine cl2;
  parse(cl2, {"--config", b, "--config", a});
  CHECK(cl2.config().train.maxUpdates == 100);
}

TEST_CASE("--dump-config prints an effective config that parses back to the same values") {
  TempFiles t;
  TrainCommandLine cl;
  parse(cl, {"--lr", "7e-4", "--lr-schedule", "cosine", "--valid-metrics", "bleu,perplexity",
             "--encoder-block", "{branches: [{type: attention, dim: 64, heads: 2}, {type: dynamicconv, dim: 64, heads: 4}]}",
             "--model-dim", "128", "--budget", "{mult-adds: 90M}"});
  std::string yaml = cl.dumpYaml();
  CHECK(yaml.find("lr-schedule: cosine") != std::string::npos);
  CHECK(yaml.find("config:") == std::string::npos);  // command-line only options are not keys
  auto f = t.write("dump.yml", yaml);
  TrainCommandLine back;
  parse(back, {"--config", f});
  CHECK(back.config().train.lr == doctest::Approx(7e-4));
  CHECK(back.config().train.lrSchedule == "cosine");
  CHECK(back.config().train.validMetrics == std::vector<std::string>{"bleu", "perplexity"});
  CHECK(back.config().model == cl.config().model);
  CHECK(back.config().model.budget.multAdds == 90000000);
  CHECK(back.dumpYaml() == yaml);
}

TEST_CASE("config errors name file, line, key and what is expected") {
  TempFiles t;
  auto unknown = t.write("u.yml", "lr: 0.001\n\nlr-shedule: cosine\n");
  CHECK(errorOf({"--config", unknown}) ==
        unknown + ":3: unknown key 'lr-shedule' (did you mean 'lr-schedule'?)");

  auto wrongType = t.write("w.yml", "max-updates: lots\n");
  CHECK(errorOf({"--config", wrongType}) ==
        wrongType + ":1: key 'max-updates': expected an integer, got 'lots'");

  auto badEnum = t.write("e.yml", "seed: 3\nlr-schedule: linear\n");
  CHECK(errorOf({"--config", badEnum}) ==
        badEnum + ":2: key 'lr-schedule': 'linear' is not allowed (allowed values: inverse-sqrt, cosine, constant)");

  auto listForScalar = t.write("l.yml", "lr: [1, 2]\n");
  CHECK(errorOf({"--config", listForScalar}) == listForScalar + ":1: key 'lr': expected a number, got a list");

  auto syntax = t.write("s.yml", "lr: 0.1\n  bad: [\n");
  CHECK(errorOf({"--config", syntax}).find(syntax + ":2") == 0);
  CHECK(errorOf({"--config", syntax}).find("YAML syntax error") != std::string::npos);

  auto notMap = t.write("n.yml", "- a\n- b\n");
  CHECK(errorOf({"--config", notMap}).find("must be a map") != std::string::npos);

  // Model keys are checked by the models' parser, still with file:line.
  auto variant = t.write("v.yml", "train-src: a\ntrain-tgt: b\nencoder-block: transformr\n");
  std::string e = errorOf({"--config", variant});
  CHECK(e.find(variant + ":3") == 0);
  CHECK(e.find("transformr") != std::string::npos);
  CHECK(e.find("lite") != std::string::npos);  // lists the allowed presets

  CHECK(errorOf({"--config", (t.dir / "missing.yml").string()}).find("cannot open") != std::string::npos);
  CHECK(errorOf({"--lrr", "3"}) == "unknown option --lrr (did you mean --lr?)");
  CHECK(errorOf({"--lr", "1", "2"}) == "--lr takes one value, got 2");
  CHECK(errorOf({"--pre-norm", "maybe"}).find("pre-norm") != std::string::npos);
  CHECK(errorOf({"--keep-best", "maybe"}) == "--keep-best: expected a bool (true or false), got 'maybe'");
  CHECK(errorOf({"--time-limit", "soon"}).find("expected a duration") != std::string::npos);
  CHECK(errorOf({"stray"}).find("unexpected argument 'stray'") == 0);
}

TEST_CASE("validation of cross-option rules") {
  CHECK(errorOf({}) == "--train-src and --train-tgt are required");
  CHECK(errorOf({"--train-src", "a", "--train-tgt", "b", "--valid-src", "c"}) ==
        "--valid-src and --valid-tgt must be given together");
  CHECK(errorOf({"--train-src", "a", "--train-tgt", "b", "--adam-betas", "0.9"}) ==
        "--adam-betas takes two numbers (beta1 beta2), got 1");
  CHECK(errorOf({"--train-src", "a", "--train-tgt", "b", "--lr-schedule", "cosine"}).find(
            "--lr-period-updates") != std::string::npos);
  CHECK(errorOf({"--train-src", "a", "--train-tgt", "b", "--model-dim", "100", "--encoder-block",
                 "transformer", "--cross-heads", "8"}).find("divisible") != std::string::npos);
  CHECK(errorOf({"--train-src", "a", "--train-tgt", "b"}) == "");
}

TEST_CASE("every shipped config parses and validates") {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(LT_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".yml") continue;
    CAPTURE(e.path().string());
    TrainCommandLine cl;
    std::vector<std::string> args = {"--config", e.path().string()};
    if (e.path().filename() == "tiny.yml") args.insert(args.end(), {"--train-src", "a", "--train-tgt", "b"});
    CHECK_NOTHROW(parse(cl, args));
    CHECK_NOTHROW(cl.validate());
    ++n;
  }
  CHECK(n >= 21);
}

TEST_CASE("flag errors for model keys name the flag") {
  CHECK(errorOf({"--encoder-block", "transformr"}).find("--encoder-block: key 'encoder-block': unknown block preset 'transformr'") == 0);
  CHECK(errorOf({"--dropout", "1.5"}).find("--dropout") == 0);
}

TEST_CASE("loadModelConfig: the model keys of an lt-train config, training keys read and dropped") {
  TempFiles t;
  auto f = t.write("m.yml", "model-dim: 32\nencoder-block: lite\nlr: 0.1\nmax-updates: 10\n");
  models::ModelConfig c = loadModelConfig(f);
  CHECK(c.modelDim == 32);
  CHECK(c.encoderBlock.branches.size() == 2);
  auto bad = t.write("bad.yml", "model-dim: 32\nnot-a-key: 3\n");
  CHECK_THROWS_WITH_AS(loadModelConfig(bad), (bad + ":2: unknown key 'not-a-key' (see --help for the keys)").c_str(),
                       ConfigError);
  CHECK_THROWS_AS(loadModelConfig((t.dir / "missing.yml").string()), IoError);
}
