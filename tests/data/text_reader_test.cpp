#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "data/text_reader.h"
#include "test_util.h"

using namespace lt;
using namespace lt::data;
using lt::data::testing::TempDir;
using lt::data::testing::writeFile;
using lt::data::testing::writeGz;

namespace {
std::string errorOf(auto&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("findInvalidUtf8 accepts valid UTF-8 and locates the first bad byte") {
  const size_t npos = std::string_view::npos;
  CHECK(findInvalidUtf8("") == npos);
  CHECK(findInvalidUtf8("plain ascii") == npos);
  CHECK(findInvalidUtf8("Grüße \xE2\x82\xAC \xF0\x9D\x84\x9E") == npos);  // ü ß € and U+1D11E
  CHECK(findInvalidUtf8("ab\xFF") == 2);                 // never valid in UTF-8
  CHECK(findInvalidUtf8("x\x80y") == 1);                 // stray continuation byte
  CHECK(findInvalidUtf8("\xC0\x80") == 0);               // overlong NUL
  CHECK(findInvalidUtf8("\xE0\x80\xAF") == 0);           // overlong '/'
  CHECK(findInvalidUtf8("ok\xED\xA0\x80") == 2);         // UTF-16 surrogate D800
  CHECK(findInvalidUtf8("\xF4\x90\x80\x80") == 0);       // U+110000, above the Unicode range
  CHECK(findInvalidUtf8("abc\xE2\x82") == 3);            // truncated 3-byte sequence
  CHECK(findInvalidUtf8("\xC3\xA9\xC3") == 2);           // é then a truncated one
}

TEST_CASE("plain and gzipped files read to the same lines, detected by content") {
  TempDir dir;
  std::string text = "erste Zeile\nzweite Zeile\r\n\nletzte ohne Zeilenende";
  writeFile(dir.file("a.txt"), text);
  writeGz(dir.file("a.gz"), text);
  writeGz(dir.file("gz-named.txt"), text);  // gzip content, misleading name
  writeFile(dir.file("plain-named.gz"), text);
  CHECK_FALSE(isGzipFile(dir.file("a.txt")));
  CHECK(isGzipFile(dir.file("a.gz")));
  CHECK(isGzipFile(dir.file("gz-named.txt")));
  std::vector<std::string> expect = {"erste Zeile", "zweite Zeile", "", "letzte ohne Zeilenende"};
  CHECK(readLines(dir.file("a.txt")) == expect);
  CHECK(readLines(dir.file("a.gz")) == expect);
  CHECK(readLines(dir.file("gz-named.txt")) == expect);
  CHECK(readLines(dir.file("plain-named.gz")) == expect);

  writeFile(dir.file("empty.txt"), "");
  CHECK(readLines(dir.file("empty.txt")).empty());
  writeFile(dir.file("one.txt"), "\n");
  CHECK(readLines(dir.file("one.txt")) == std::vector<std::string>{""});
}

TEST_CASE("lines spanning read-buffer boundaries are reassembled exactly") {
  TempDir dir;
  std::vector<std::string> lines;
  lt::Rng rng(7);
  for (int i = 0; i < 20000; ++i) lines.push_back(std::string(rng.below(60), char('a' + i % 26)));
  lines.push_back(std::string(700000, 'z'));  // longer than the 256 KiB read buffer
  lines.push_back("end");
  std::string all = lt::data::testing::joinLines(lines);
  writeFile(dir.file("big.txt"), all);
  writeGz(dir.file("big.gz"), all);
  CHECK(readLines(dir.file("big.txt")) == lines);
  CHECK(readLines(dir.file("big.gz")) == lines);

  LineReader r(dir.file("big.gz"));
  std::string l;
  size_t n = 0;
  while (r.next(l)) ++n;
  CHECK(n == lines.size());
  CHECK(r.lineNumber() == lines.size());
}

TEST_CASE("missing, unreadable and corrupt files raise IoError naming the file") {
  TempDir dir;
  std::string missing = dir.file("nope.de.gz");
  CHECK_THROWS_AS(readLines(missing), IoError);
  std::string msg = errorOf([&] { readLines(missing); });
  CHECK(msg.find(missing) != std::string::npos);
  CHECK(msg.find("no such file") != std::string::npos);

  std::string msgDir = errorOf([&] { readLines(dir.path().string()); });
  CHECK(msgDir.find("is a directory") != std::string::npos);

  if (::geteuid() != 0) {  // root can read anything
    std::string locked = dir.file("locked.txt");
    writeFile(locked, "secret\n");
    ::chmod(locked.c_str(), 0);
    std::string m = errorOf([&] { readLines(locked); });
    CHECK(m.find(locked) != std::string::npos);
    CHECK(m.find("cannot open") != std::string::npos);
  }

  // A gzip stream cut in the middle.
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line number " + std::to_string(i * 7919 % 100003) + "\n";
  writeGz(dir.file("full.gz"), text);
  std::ifstream in(dir.file("full.gz"), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(gz.size() > 100);
  writeFile(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  CHECK_THROWS_AS(readLines(dir.file("cut.gz")), IoError);
  std::string m = errorOf([&] { readLines(dir.file("cut.gz")); });
  CHECK(m.find(dir.file("cut.gz")) != std::string::npos);
  CHECK(m.find("corrupt or truncated") != std::string::npos);
}

TEST_CASE("invalid UTF-8 names file, line and byte offset") {
  TempDir dir;
  std::string f = dir.file("bad.en");
  writeGz(f, "fine\nalso fine \xC3\xA4\nab\xFF" "cd\n");
  CHECK_THROWS_AS(readLines(f), DataError);
  std::string m = errorOf([&] { readLines(f); });
  CHECK(m.find(f + ":3:") != std::string::npos);
  CHECK(m.find("invalid UTF-8") != std::string::npos);
  CHECK(m.find("0xff") != std::string::npos);
  CHECK(m.find("byte offset 2") != std::string::npos);
  ReadOptions lax;
  lax.checkUtf8 = false;
  CHECK(readLines(f, lax).size() == 3);
}

TEST_CASE("over-long lines are rejected with file:line and the limit") {
  TempDir dir;
  std::string f = dir.file("long.txt");
  writeFile(f, "0123456789\n0123456789X\nshort\n");
  ReadOptions o;
  o.maxLineBytes = 10;
  CHECK_THROWS_AS(readLines(f, o), DataError);
  std::string m = errorOf([&] { readLines(f, o); });
  CHECK(m.find(f + ":2:") != std::string::npos);
  CHECK(m.find("limit of 10 bytes") != std::string::npos);
  o.maxLineBytes = 11;  // exactly at the limit is fine
  CHECK(readLines(f, o).size() == 3);
  // A line far beyond the limit is rejected before it is buffered whole.
  writeFile(f, "ok\n" + std::string(3 << 20, 'x') + "\n");
  o.maxLineBytes = 1000;
  std::string m2 = errorOf([&] { readLines(f, o); });
  CHECK(m2.find(f + ":2:") != std::string::npos);
}

TEST_CASE("over-long lines truncated instead: cut at a UTF-8 boundary, the rest read past") {
  TempDir dir;
  std::string f = dir.file("cut.txt");
  // "ä" is 2 bytes: 9 bytes "abcdefghä" would split it at a limit of 10 -> cut back to 9.
  writeFile(f, "short\nabcdefghiä tail\nabcdefghijklmno\n" + std::string(3 << 20, 'y') + "\nlast\n");
  ReadOptions o;
  o.maxLineBytes = 10;
  o.truncateLongLines = true;
  LineReader r(f, o);
  std::string line;
  std::vector<std::pair<std::string, bool>> got;
  std::vector<size_t> bytes;
  while (r.next(line)) {
    got.emplace_back(line, r.lineTruncated());
    bytes.push_back(r.lineBytes());
  }
  REQUIRE(got.size() == 5);
  CHECK(got[0] == std::pair<std::string, bool>{"short", false});
  CHECK(got[1] == std::pair<std::string, bool>{"abcdefghi", true});  // not half of the "ä"
  CHECK(got[2] == std::pair<std::string, bool>{"abcdefghij", true});
  CHECK(got[3] == std::pair<std::string, bool>{"yyyyyyyyyy", true});
  CHECK(got[4] == std::pair<std::string, bool>{"last", false});
  CHECK(bytes == std::vector<size_t>{5, 16, 15, size_t(3) << 20, 4});
  CHECK(r.lineNumber() == 5);
}

TEST_CASE("parallel text: line-count mismatch names both files and counts") {
  TempDir dir;
  std::string s = dir.file("train.de"), t = dir.file("train.en.gz");
  writeFile(s, "a\nb\nc\n");
  writeGz(t, "A\nB\n");
  CHECK_THROWS_AS(readParallel(s, t), DataError);
  std::string m = errorOf([&] { readParallel(s, t); });
  CHECK(m.find(s + " has 3 lines") != std::string::npos);
  CHECK(m.find(t + " has 2 lines") != std::string::npos);
}

TEST_CASE("parallel text: pairs with an empty side are dropped and counted") {
  TempDir dir;
  std::string s = dir.file("s"), t = dir.file("t");
  writeFile(s, "eins\n\ndrei\nvier\n \t\nsechs\n");
  writeFile(t, "one\ntwo\nthree\n  \nfive\nsix\n");
  ParallelText pt = readParallel(s, t);
  CHECK(pt.linesRead == 6);
  CHECK(pt.droppedEmpty == 3);  // line 2 (source empty), 4 (target blank), 5 (source blank)
  CHECK(pt.src == std::vector<std::string>{"eins", "drei", "sechs"});
  CHECK(pt.tgt == std::vector<std::string>{"one", "three", "six"});
  ParallelText keep = readParallel(s, t, {}, /*dropEmpty=*/false);
  CHECK(keep.src.size() == 6);
  CHECK(keep.droppedEmpty == 0);
}
