// Program outputs: the output-is-an-input check (symlinks, hard links, standard input) and
// OutputFile (atomic for files, in place for devices, errors at commit).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "common/output_file.h"
#include "common/path_identity.h"
#include "support/error_message.h"
#include "support/temp_files.h"

using namespace lt;
namespace fs = std::filesystem;

using lt::test::put;
using lt::test::slurp;

namespace {
fs::path tempDir(const std::string& name) { return lt::test::freshTempDir("output_file_test_" + name); }
// The refusal's message, or "" when the output is allowed.
std::string refusal(const NamedPath& out, const std::vector<NamedPath>& in) {
  std::string m = lt::test::errorMessage<ConfigError>([&] { checkOutputIsNotAnInput(out, in); });
  return m == "no exception" ? "" : m;
}
}  // namespace

TEST_CASE("output is not an input: same path, symlink, hard link and stdin are refused") {
  const fs::path d = tempDir("same");
  const std::string in = (d / "in.txt").string(), model = (d / "m.lt").string();
  put(in, "hallo\n");
  put(model, "weights");
  fs::create_symlink(in, d / "link.txt");
  fs::create_hard_link(model, d / "hard.lt");
  const std::vector<NamedPath> inputs = {{"--input", in}, {"--model", model}};
  CHECK(refusal({"--output", in}, inputs) ==
        "--output " + in + " is the same file as --input " + in + "; write the output elsewhere");
  CHECK(refusal({"-o", (d / "link.txt").string()}, inputs).find("is the same file as --input " + in) !=
        std::string::npos);
  CHECK(refusal({"-o", (d / "hard.lt").string()}, inputs).find("is the same file as --model " + model) !=
        std::string::npos);
  CHECK(refusal({"-o", (d / "." / "m.lt").string()}, inputs).find("--model") != std::string::npos);
  // Not refused: a new file, another existing file, standard output, /dev/null.
  put(d / "other.txt", "x");
  for (const std::string& ok : {(d / "new.txt").string(), (d / "other.txt").string(), std::string("-"),
                               std::string("/dev/null")})
    CHECK(refusal({"-o", ok}, inputs).empty());
  CHECK(sameFile(in, (d / "link.txt").string()));
  CHECK_FALSE(sameFile(in, model));
  CHECK_FALSE(sameFile(in, (d / "new.txt").string()));
  // Standard input read from the output file: `prog -o in.txt < in.txt`.
  const int saved = ::dup(STDIN_FILENO);
  const int fd = ::open(in.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  ::dup2(fd, STDIN_FILENO);
  const std::string msg = refusal({"--output", in}, {{"--input", "-"}});
  ::dup2(saved, STDIN_FILENO);
  ::close(fd);
  ::close(saved);
  CHECK(msg == "--output " + in + " is the same file as --input - (standard input); write the output elsewhere");
  CHECK(slurp(in) == "hallo\n");
  fs::remove_all(d);
}

TEST_CASE("OutputFile: a file appears at commit, whole; without commit the old one stays") {
  const fs::path d = tempDir("atomic");
  const std::string out = (d / "prev.out").string();
  put(out, "previous translation\n");
  {
    OutputFile f(out, "--output");
    CHECK(f.atomic());
    for (int i = 0; i < 100000; ++i) f.stream() << "line " << i << '\n';
    CHECK(slurp(out) == "previous translation\n");
  }  // a failure before commit (e.g. an error on an input line)
  CHECK(slurp(out) == "previous translation\n");
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator()) == 1);
  std::string expected;
  {
    OutputFile f(out, "--output");
    for (int i = 0; i < 3; ++i) {
      f.stream() << "line " << i << '\n';
      expected += "line " + std::to_string(i) + "\n";
    }
    f.commit();
  }
  CHECK(slurp(out) == expected);
  // Through a symlink: the file behind it is replaced, the link stays a link.
  fs::create_symlink(out, d / "link.out");
  {
    OutputFile f((d / "link.out").string(), "--output");
    f.stream() << "via link\n";
    f.commit();
  }
  CHECK(fs::is_symlink(d / "link.out"));
  CHECK(slurp(out) == "via link\n");
  fs::remove_all(d);
}

TEST_CASE("OutputFile: devices are written in place; write errors name the file at commit") {
  {
    OutputFile f("/dev/null", "--output");
    CHECK_FALSE(f.atomic());
    f.stream() << "discarded\n";
    f.commit();
  }
  const fs::path d = tempDir("errors");
  CHECK_THROWS_WITH_AS(OutputFile(d.string(), "--output"), doctest::Contains("is a directory"), IoError);
  const std::string out = (d / "o.txt").string();
  put(out, "old\n");
  struct rlimit old;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto prev = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  std::string msg;
  try {
    OutputFile f(out, "--output");
    for (int i = 0; i < 400000; ++i) f.stream() << "a long line of translated text " << i << '\n';
    f.commit();
  } catch (const IoError& e) {
    msg = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, prev);
  CHECK(msg.find("cannot write '" + out + "'") != std::string::npos);
  CHECK(slurp(out) == "old\n");
  fs::remove_all(d);
}
