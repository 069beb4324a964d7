// lt-eval's score subcommands: file handling, errors and output formats.
#include "eval/score_commands.h"

#include "common/error.h"
#include "eval/json_writer.h"
#include "eval/text_io.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace lt::eval;

namespace {

std::string tempFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / "lt_eval_commands_test";
  std::filesystem::create_directories(dir);
  auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const lt::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("JSON escaping") {
  CHECK(jsonEscape("a\"b\\c\n\t\x01\u00e9") == "\"a\\\"b\\\\c\\n\\t\\u0001\u00e9\"");
  CHECK(jsonNumber(0.5) == "0.5");
  CHECK(jsonNumber(46.66408407444427) == "46.66408407444427");
  CHECK(jsonNumber(1.0 / 0.0) == "null");
  JsonObject j;
  j.add("k", "v").add("n", int64_t{3}).add("xs", std::vector<double>{1, 2.5}).add("b", true).addNull("z");
  CHECK(j.str() == "{\"k\": \"v\", \"n\": 3, \"xs\": [1, 2.5], \"b\": true, \"z\": null}");
}

TEST_CASE("reading lines like sacreBLEU's command line") {
  // '\n' only ends lines; trailing Python whitespace (incl. \r, NBSP) is stripped.
  auto lines = splitLines("a b \r\nc\u00a0\n\nlast", "f.txt");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "a b");
  CHECK(lines[1] == "c");
  CHECK(lines[2] == "");
  CHECK(lines[3] == "last");
  CHECK(splitLines("x\n", "f").size() == 1);
  CHECK(splitLines("", "f").empty());
  std::string err = errorOf([] { splitLines("ok\nok\nbad \xff\n", "f.txt"); });
  CHECK(err.find("f.txt:3") != std::string::npos);
}

TEST_CASE("bleu command: text and JSON output") {
  auto hyp = tempFile("hyp.txt", "the cat sat on the mat\n");
  auto ref = tempFile("ref.txt", "the cat is on the mat\n");
  std::istringstream in;
  std::ostringstream out;
  BleuCommandOptions o;
  o.hyp = hyp;
  o.refs = {ref};
  runBleuCommand(o, in, out);
  CHECK(out.str().rfind("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:", 0) == 0);
  CHECK(out.str().find(" = 37.99 ") != std::string::npos);
  o.format = "json";
  std::ostringstream js;
  runBleuCommand(o, in, js);
  CHECK(js.str().find("\"counts\": [5, 3, 1, 0], \"totals\": [6, 5, 4, 3]") != std::string::npos);
  CHECK(js.str().find("\"sys_len\": 6, \"ref_len\": 6") != std::string::npos);
  // --sentence: one object per line, effective order on.
  o.sentence = true;
  std::ostringstream sj;
  runBleuCommand(o, in, sj);
  CHECK(sj.str().find("\"line\": 1") != std::string::npos);
  CHECK(sj.str().find("\"eff\": \"yes\"") != std::string::npos);
  // Hypothesis from stdin.
  std::istringstream stdinHyp("the cat sat on the mat\n");
  BleuCommandOptions s;
  s.hyp = "-";
  s.refs = {ref};
  std::ostringstream so;
  runBleuCommand(s, stdinHyp, so);
  CHECK(so.str() == out.str());
}

TEST_CASE("commands report bad input in one line naming files and counts") {
  auto hyp = tempFile("three.txt", "a\nb\nc\n");
  auto ref = tempFile("two.txt", "a\nb\n");
  std::istringstream in;
  std::ostringstream out;
  BleuCommandOptions o;
  o.hyp = hyp;
  o.refs = {ref};
  std::string err = errorOf([&] { runBleuCommand(o, in, out); });
  CHECK(err.find("has 3 lines") != std::string::npos);
  CHECK(err.find("has 2 lines") != std::string::npos);
  CHECK(err.find(hyp) != std::string::npos);
  CHECK(err.find(ref) != std::string::npos);
  CHECK(err.find('\n') == std::string::npos);

  ChrfCommandOptions c;
  c.hyp = "/nonexistent/hyp.txt";
  c.refs = {ref};
  CHECK_THROWS_AS(runChrfCommand(c, in, out), lt::IoError);
  CHECK(errorOf([&] { runChrfCommand(c, in, out); }).find("/nonexistent/hyp.txt") != std::string::npos);

  auto bad = tempFile("bad.txt", "fine\n\xc3\x28\n");
  o.hyp = bad;
  o.refs = {bad};
  CHECK(errorOf([&] { runBleuCommand(o, in, out); }).find("bad.txt:2") != std::string::npos);

  o.hyp = hyp;
  o.refs = {hyp};
  o.paper = false;
  o.splitCompounds = true;
  CHECK_THROWS_AS(runBleuCommand(o, in, out), lt::ConfigError);
}

TEST_CASE("compare command: JSON with baseline and p-values") {
  auto ref = tempFile("cref.txt", "a b c d\ne f g h\ni j k l\n");
  auto h1 = tempFile("c1.txt", "a b c d\ne f g x\ni j y l\n");
  auto h2 = tempFile("c2.txt", "a b c d\ne f g h\ni j k l\n");
  CompareCommandOptions o;
  o.refs = {ref};
  o.hyps = {h1, h2};
  o.samples = 50;
  o.format = "json";
  std::istringstream in;
  std::ostringstream out;
  runCompareCommand(o, in, out);
  const std::string s = out.str();
  CHECK(s.find("\"signature\": \"nrefs:1|bs:50|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:") !=
        std::string::npos);
  CHECK(s.find("\"baseline\": true") != std::string::npos);
  CHECK(s.find("\"p_value\": null") != std::string::npos);
  o.hyps = {h1};
  CHECK_THROWS_AS(runCompareCommand(o, in, out), lt::ConfigError);
}
