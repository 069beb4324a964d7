#!/usr/bin/env bash
# Runs the prepare-*.sh scripts into temporary directories and checks what they
# produce. Usage: prepare_scripts_test.sh REPO_ROOT. Exit 77 (skipped) when the
# shared data directory is absent. Never downloads (LT_OFFLINE=1).
set -euo pipefail
repo="$1"
data="${LT_DATA_DIR:-$repo/../shared/data}"
[[ -d "$data/multi30k" ]] || { echo "no shared data in $data: skipped"; exit 77; }
export LT_OFFLINE=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0

expect_lines() {  # FILE COUNT
  local n
  if [[ ! -f "$1" ]]; then echo "FAIL: $1 missing"; fails=$((fails + 1)); return; fi
  n="$(wc -l <"$1" | tr -d ' ')"
  if [[ "$n" != "$2" ]]; then echo "FAIL: $1 has $n lines, expected $2"; fails=$((fails + 1)); fi
}
expect() {  # DESCRIPTION COMMAND... : the command must succeed
  local what="$1"; shift
  if ! "$@"; then echo "FAIL: $what"; fails=$((fails + 1)); fi
}

# --- Multi30k: counts, content equals the source, idempotent.
m="$tmp/m30k"
"$repo/scripts/prepare-multi30k.sh" "$data" "$m" 2>"$tmp/m.log"
for l in de en; do
  expect_lines "$m/train.$l" 29000
  expect_lines "$m/valid.$l" 1014
  expect_lines "$m/test.$l" 1000
  expect_lines "$m/test2017-flickr.$l" 1000
  expect_lines "$m/test2017-mscoco.$l" 461
  expect_lines "$m/test2018-flickr.$l" 1071
  expect "train.$l equals the source" cmp -s "$m/train.$l" <(gzip -dc "$data/multi30k/train.$l.gz")
  expect "test.$l is test_2016_flickr" cmp -s "$m/test.$l" <(gzip -dc "$data/multi30k/test_2016_flickr.$l.gz")
done
sum1="$(cat "$m"/* | sha256sum)"
"$repo/scripts/prepare-multi30k.sh" "$data" "$m" 2>/dev/null
expect "multi30k is idempotent" test "$sum1" == "$(cat "$m"/* | sha256sum)"
expect "no temporary files left" test "$(ls "$m" | grep -c tmp || true)" == 0

# --- Checksum mismatch and missing files are reported.
bad="$tmp/bad-data"
mkdir -p "$bad/multi30k"
for f in "$data"/multi30k/*.gz; do ln -s "$f" "$bad/multi30k/"; done
grep ' multi30k/' "$data/SHA256SUMS" | sed '1s/^./0/' >"$bad/SHA256SUMS"
[[ "$(head -c1 "$data/SHA256SUMS")" == 0 ]] && sed -i '1s/^./1/' "$bad/SHA256SUMS"
if "$repo/scripts/prepare-multi30k.sh" "$bad" "$tmp/bad-out" 2>"$tmp/bad.log"; then
  echo "FAIL: a checksum mismatch was not detected"; fails=$((fails + 1))
fi
expect "checksum message" grep -q "checksum mismatch" "$tmp/bad.log"
rm "$bad/SHA256SUMS" "$bad/multi30k/val.en.gz"
if "$repo/scripts/prepare-multi30k.sh" "$bad" "$tmp/bad-out" 2>"$tmp/missing.log"; then
  echo "FAIL: a missing file was not detected"; fails=$((fails + 1))
fi
expect "missing-file message names the file" grep -q "missing input file: .*val.en" "$tmp/missing.log"

# --- IWSLT'14: test from raw and from XML agree; offline without train.
i="$tmp/iwslt"
"$repo/scripts/prepare-iwslt14.sh" "$data" "$i" 2>"$tmp/i.log"
for l in de en; do
  expect_lines "$i/test.$l" 6750
  expect_lines "$i/test.tok.$l" 6750
  expect_lines "$i/valid.tok.$l" 7283
done
expect "no train without the release" test ! -e "$i/train.de"
expect "says what is missing" grep -q "train.tags.de-en" "$tmp/i.log"
"$repo/scripts/prepare-iwslt14.sh" --from-xml "$data" "$tmp/iwslt-xml" 2>/dev/null
expect "XML extraction equals raw/test.de" cmp -s "$i/test.de" "$tmp/iwslt-xml/test.de"
expect "XML extraction equals raw/test.en" cmp -s "$i/test.en" "$tmp/iwslt-xml/test.en"
if "$repo/scripts/prepare-iwslt14.sh" --need-train "$data" "$i" 2>/dev/null; then
  echo "FAIL: --need-train succeeded without training data"; fails=$((fails + 1))
fi

# IWSLT'14 train/valid split on a synthetic release: 3 talks of 100 lines plus
# tag lines; every 10th pair has a 1:3 word ratio and is cleaned away, so
# 3*(1 title + 90) = 273 pairs remain: valid = 273/23 = 11, train = 262.
f="$tmp/fake-iwslt"
mkdir -p "$f/iwslt14-de-en/orig/de-en"
ln -s "$data/iwslt14-de-en/raw" "$f/iwslt14-de-en/raw"
awk 'BEGIN {
  for (t = 0; t < 3; ++t) {
    print "<url>http://example.org/" t "</url>" > "de"; print "<url>http://example.org/" t "</url>" > "en"
    print "<keywords>a,b</keywords>" > "de"; print "<keywords>a,b</keywords>" > "en"
    print "<talkid>" t "</talkid>" > "de"; print "<talkid>" t "</talkid>" > "en"
    print "<title>Titel " t "</title>" > "de"; print "<title>Title " t "</title>" > "en"
    for (i = 0; i < 100; ++i) {
      n = 1 + (i * 7 + t) % 9; d = ""; e = ""
      for (k = 0; k < n; ++k) d = d "wort" k " "
      m = (i % 10 == 0) ? 3 * n : n
      for (k = 0; k < m; ++k) e = e "word" k " "
      print d > "de"; print e > "en"
    }
  }
}' && mv de "$f/iwslt14-de-en/orig/de-en/train.tags.de-en.de" && mv en "$f/iwslt14-de-en/orig/de-en/train.tags.de-en.en"
"$repo/scripts/prepare-iwslt14.sh" --need-train "$f" "$tmp/fake-out" 2>/dev/null
for l in de en; do
  expect_lines "$tmp/fake-out/train.$l" 262
  expect_lines "$tmp/fake-out/valid.$l" 11
done
expect "title tags stripped" test "$(head -1 "$tmp/fake-out/train.en")" == "Title 0"
expect "no tag lines left" test "$(grep -c '<' "$tmp/fake-out/train.en" || true)" == 0
# Kept pairs of talk 0: the title, then i = 1..9, 11..19, 21.. (i = 0, 10, 20
# are cleaned away), so the 23rd kept pair is i = 24: 1 + (24*7) % 9 = 7 words.
expect "valid is every 23rd kept pair" test "$(head -1 "$tmp/fake-out/valid.de")" == "wort0 wort1 wort2 wort3 wort4 wort5 wort6"

# --- WMT'14: offline falls back to the toy sample and says so.
w="$tmp/wmt"
"$repo/scripts/prepare-wmt14-en-de.sh" "$data" "$w" 2>"$tmp/w.log"
for l in en de; do
  expect_lines "$w/test.$l" 3003
  expect_lines "$w/valid.$l" 3000
  expect_lines "$w/valid.tok.$l" 3000
  expect_lines "$w/train.$l" 10000
done
expect "toy marker" test -f "$w/TRAIN_IS_TOY_SAMPLE"
expect "toy warning" grep -q "TOY SAMPLE" "$tmp/w.log"
expect "detokenized valid" test "$(grep -c '##AT##' "$w/valid.en" || true)" == 0
expect "test is newstest2014" cmp -s "$w/test.de" <(gzip -dc "$data/wmt14-en-de/newstest2014.de.gz")
if "$repo/scripts/prepare-wmt14-en-de.sh" --need-full-train "$data" "$w" 2>/dev/null; then
  echo "FAIL: --need-full-train succeeded offline"; fails=$((fails + 1))
fi

if [[ $fails -gt 0 ]]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all prepare-script checks passed"
