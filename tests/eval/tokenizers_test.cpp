// sacreBLEU's tokenizers, worked through by hand from its regular expressions.
#include "eval/tokenizers.h"

#include "common/error.h"

#include <doctest/doctest.h>

using namespace lt::eval;

TEST_CASE("13a: ASCII punctuation, numbers, apostrophes, hyphens") {
  CHECK(tokenize13a("Hello, world!") == "Hello , world !");
  // ',' and '.' between digits stay; '$' is split; the final '.' splits.
  CHECK(tokenize13a("It costs $1,000.50 today.") == "It costs $ 1,000.50 today .");
  // A number ending the line: the 13a padding makes the period split.
  CHECK(tokenize13a("in 2019.") == "in 2019 .");
  // '-' after a digit splits, inside words it does not.
  CHECK(tokenize13a("5-6 well-known -x") == "5 - 6 well-known -x");
  // The apostrophe is not in the 13a class.
  CHECK(tokenize13a("don't l'homme") == "don't l'homme");
  CHECK(tokenize13a("(a)[b]{c}<d>") == "( a ) [ b ] { c } < d >");
  CHECK(tokenize13a("a/b 100%") == "a / b 100 %");
  CHECK(tokenize13a("U.S.") == "U . S .");
  CHECK(tokenize13a("x,y") == "x , y");
  // Non-ASCII quotes and dashes are untouched by 13a.
  CHECK(tokenize13a("\u201CHi\u201D a\u2014b") == "\u201CHi\u201D a\u2014b");
}

TEST_CASE("13a: entities and <skipped>") {
  // &quot; -> ", then &amp; -> & (so &amp;lt; becomes &lt;), then &lt; -> <.
  CHECK(tokenize13a("&quot;x&quot; &amp;lt;") == "\" x \" <");
  CHECK(tokenize13a("a<skipped>b") == "ab");
  CHECK(tokenize13a("") == "");
  CHECK(tokenize13a(" \t ") == "");
}

TEST_CASE("intl: Unicode punctuation and symbols") {
  CHECK(tokenizeIntl("\u201CHi\u201D") == "\u201C Hi \u201D");
  CHECK(tokenizeIntl("a\u2014b") == "a \u2014 b");
  // Separators between digits stay; a number-final period stays too (mteval-v14 quirk).
  CHECK(tokenizeIntl("1,000.5 in 2019.") == "1,000.5 in 2019.");
  CHECK(tokenizeIntl("don't") == "don ' t");
  CHECK(tokenizeIntl("\u20AC10 5+3") == "\u20AC 10 5 + 3");
  CHECK(tokenizeIntl("\u00BFQu\u00E9?") == "\u00BF Qu\u00E9 ?");
  CHECK(tokenizeIntl("\u4F60\u597D\uFF0C\u4E16\u754C") == "\u4F60\u597D \uFF0C \u4E16\u754C");
}

TEST_CASE("zh: CJK characters become tokens, including sacreBLEU's range quirk") {
  CHECK(tokenizeZh("\u6211\u4EEC\u7684\u4E16\u754C\u3002") == "\u6211 \u4EEC \u7684 \u4E16 \u754C \u3002");
  CHECK(tokenizeZh("Hi\u6211\u4EEC, ok.") == "Hi \u6211 \u4EEC , ok .");
  // The range written '\u20000'..'\u2a6d6' acts as U+2001..U+2A6D: it takes in
  // general punctuation such as dashes and curly quotes ...
  CHECK(tokenizeZh("a\u2014b \u201Cx\u201D") == "a \u2014 b \u201C x \u201D");
  CHECK(isZhSplitChar(0x2001));
  CHECK(isZhSplitChar(0x2A6D));
  CHECK_FALSE(isZhSplitChar(0x2000));
  CHECK_FALSE(isZhSplitChar(0x2A6E));
  // ... while CJK Extension B (U+20000..) and the compatibility supplement are left out.
  CHECK_FALSE(isZhSplitChar(0x20000));
  CHECK_FALSE(isZhSplitChar(0x2F800));
  CHECK(isZhSplitChar(0x2F81));
  CHECK(isZhSplitChar(0x4E00));
  CHECK(isZhSplitChar(0xFF01));  // full-width '!'
  CHECK_FALSE(isZhSplitChar(0x9FBC));
}

TEST_CASE("char and none") {
  CHECK(tokenizeChar("ab c") == "a b   c");
  CHECK(tokenizeChar("\u4F60\u597D") == "\u4F60 \u597D");
  CHECK(tokenizeChar("") == "");
  CHECK(tokenize(TokenizerKind::kNone, " a  b ") == " a  b ");
}

TEST_CASE("tokenizer names") {
  for (const char* n : {"13a", "intl", "zh", "char", "none"}) CHECK(tokenizerName(parseTokenizer(n)) == n);
  CHECK_THROWS_AS(parseTokenizer("spm"), lt::ConfigError);
}
