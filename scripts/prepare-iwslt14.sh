#!/usr/bin/env bash
# IWSLT'14 German-English (TED talks) following fairseq's prepare-iwslt14.sh,
# but keeping the text raw and cased (lt trains SentencePiece on it; no Moses).
#
# Outputs (plain text, one sentence per line) in OUT_DIR:
#   test.{de,en}      6750  dev2010 + TEDX.dev2012 + tst2010 + tst2011 + tst2012 (fairseq's
#                           test order), <seg> text stripped, XML entities unescaped
#   test.tok.{de,en}  6750  fairseq's tokenized+lowercased test (from DATA_DIR tok/), for reference
#   valid.tok.{de,en} 7283  fairseq's tokenized+lowercased valid (from DATA_DIR tok/)
#   train.{de,en}, valid.{de,en}   only when the training text train.tags.de-en.{de,en}
#                           is available or can be downloaded: tag lines (<url>, <talkid>,
#                           <keywords>) dropped, <title>/<description> tags removed, pairs
#                           cleaned like clean-corpus-n (1..175 words, length ratio <= 1.5,
#                           counted on whitespace words of the untokenized text), then
#                           valid = every 23rd line, train = the rest.
#
# Usage: scripts/prepare-iwslt14.sh [--need-train] [--from-xml] [DATA_DIR] [OUT_DIR]
#   --need-train  fail (exit 1) when the training text is missing and cannot be downloaded
#   --from-xml    build test.{de,en} from the XML files even when raw/test.*.gz exist
#   DATA_DIR      default ../shared/data next to the repo (or $LT_DATA_DIR)
#   OUT_DIR       default data/prepared/iwslt14-de-en in the repo
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib-data.sh"

# The IWSLT 2014 release archive (the file fairseq downloads); tried in order.
URLS=(
  "http://dl.fbaipublicfiles.com/fairseq/data/iwslt14/de-en.tgz"
  "https://wit3.fbk.eu/archive/2014-01/texts/de/en/de-en.tgz"
)
TEST_SETS=(TED.dev2010 TEDX.dev2012 TED.tst2010 TED.tst2011 TED.tst2012)

need_train=0 from_xml=0 pos=()
for a in "$@"; do
  case "$a" in
    --need-train) need_train=1 ;;
    --from-xml) from_xml=1 ;;
    -h | --help) sed -n '2,25p' "$0" && exit 0 ;;
    -*) lt_die "unknown option $a (allowed: --need-train, --from-xml)" ;;
    *) pos+=("$a") ;;
  esac
done
data="${pos[0]:-${LT_DATA_DIR:-$here/../../shared/data}}"
out="${pos[1]:-$here/../data/prepared/iwslt14-de-en}"
src="$data/iwslt14-de-en"
[[ -d "$src" ]] || lt_die "no iwslt14-de-en directory in $data"

lt_verify_checksums "$data" iwslt14-de-en
mkdir -p "$out"
made=()

# --- find the release files: shared data dir first, then a previous download.
find_release_file() {  # NAME -> path of NAME or NAME.gz in known places, or nothing
  local d
  for d in "$src/orig/de-en" "$src/orig" "$src/raw" "$src" "$out/orig/de-en"; do
    [[ -f "$d/$1" ]] && echo "$d/$1" && return 0
    [[ -f "$d/$1.gz" ]] && echo "$d/$1.gz" && return 0
  done
  return 0
}

have_train() { [[ -n "$(find_release_file train.tags.de-en.de)" && -n "$(find_release_file train.tags.de-en.en)" ]]; }

download_release() {
  local url
  mkdir -p "$out/orig"
  for url in "${URLS[@]}"; do
    if lt_online "$url" && lt_download "$url" "$out/orig/de-en.tgz"; then
      tar -xzf "$out/orig/de-en.tgz" -C "$out/orig" || lt_die "cannot unpack $out/orig/de-en.tgz"
      return 0
    fi
  done
  return 1
}

if ! have_train; then
  if download_release; then
    lt_note "downloaded and unpacked the IWSLT'14 release into $out/orig"
  fi
fi

# --- test: raw/test.*.gz, else the <seg> text of the five XML files.
for lang in de en; do
  if [[ $from_xml -eq 0 && -f "$src/raw/test.$lang.gz" ]]; then
    lt_text "$src/raw/test.$lang.gz" "$out/test.$lang"
  else
    tmp="$out/test.$lang.tmp.$$"
    : >"$tmp"
    for s in "${TEST_SETS[@]}"; do
      f="$(find_release_file "IWSLT14.$s.de-en.$lang.xml")"
      [[ -n "$f" ]] || lt_die "missing test file IWSLT14.$s.de-en.$lang.xml(.gz) under $src"
      lt_xml_segments "$f" >>"$tmp"
    done
    mv -f "$tmp" "$out/test.$lang"
  fi
done
lt_same_lines "$out/test.de" "$out/test.en"
made+=(test.de test.en)

# --- fairseq's tokenized valid/test, for reference.
for split in valid test; do
  if [[ -f "$src/tok/$split.de.gz" && -f "$src/tok/$split.en.gz" ]]; then
    for lang in de en; do lt_text "$src/tok/$split.$lang.gz" "$out/$split.tok.$lang"; done
    lt_same_lines "$out/$split.tok.de" "$out/$split.tok.en"
    made+=("$split.tok.de" "$split.tok.en")
  fi
done

# --- train / valid from the release's training text.
if have_train; then
  for lang in de en; do
    f="$(find_release_file "train.tags.de-en.$lang")"
    lt_text "$f" "$out/train.tags.$lang.tmp"
    grep -v -e '<url>' -e '<talkid>' -e '<keywords>' "$out/train.tags.$lang.tmp" |
      sed -e 's/<title>//g' -e 's/<\/title>//g' -e 's/<description>//g' -e 's/<\/description>//g' \
        >"$out/train.notags.$lang.tmp"
    rm -f "$out/train.tags.$lang.tmp"
  done
  lt_same_lines "$out/train.notags.de.tmp" "$out/train.notags.en.tmp"
  # clean-corpus-n style: trim, collapse spaces, keep pairs with 1..175 words
  # on both sides and a word-count ratio of at most 1.5; then every 23rd kept
  # pair goes to valid.
  awk -v EN="$out/train.notags.en.tmp" -v OUT="$out" '
    function norm(s) { gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
    {
      if ((getline e < EN) <= 0) { print "error: training files are not line-aligned" > "/dev/stderr"; exit 1 }
      d = norm($0); e = norm(e)
      nd = (d == "") ? 0 : split(d, tmp, " "); ne = (e == "") ? 0 : split(e, tmp, " ")
      if (nd < 1 || ne < 1 || nd > 175 || ne > 175) next
      if (nd / ne > 1.5 || ne / nd > 1.5) next
      ++kept
      if (kept % 23 == 0) { print d > (OUT "/valid.de.tmp"); print e > (OUT "/valid.en.tmp") }
      else { print d > (OUT "/train.de.tmp"); print e > (OUT "/train.en.tmp") }
    }' "$out/train.notags.de.tmp"
  rm -f "$out/train.notags.de.tmp" "$out/train.notags.en.tmp"
  for s in train valid; do
    for lang in de en; do mv -f "$out/$s.$lang.tmp" "$out/$s.$lang"; done
    lt_same_lines "$out/$s.de" "$out/$s.en"
    made+=("$s.de" "$s.en")
  done
else
  msg="IWSLT'14 training text (train.tags.de-en.de/.en from the release de-en.tgz) is not in $src
and could not be downloaded (no network?): produced test and the tokenized valid only, no train.{de,en}.
Put train.tags.de-en.{de,en} (plain or .gz) into $src/orig/de-en/ and re-run, or run with network access."
  if [[ $need_train -eq 1 ]]; then
    lt_die "$msg"
  fi
  lt_note "$msg"
fi

lt_note "wrote $out:"
lt_report "$out" "${made[@]}"
