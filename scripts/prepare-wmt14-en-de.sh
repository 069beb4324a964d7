#!/usr/bin/env bash
# WMT'14 English-German, as plain files in OUT_DIR:
#   test.{en,de}       3003  newstest2014 (full), raw text (from the plain files, or the
#                            <seg> text of the SGML when those are absent)
#   valid.tok.{en,de}  3000  newstest2013 as shipped (Moses-tokenized, escapes, ##AT##)
#   valid.{en,de}      3000  the same, lightly detokenized (see lt_light_detok in lib-data.sh)
#   train.{en,de}      the WMT'14 training data (Europarl v7 + Common Crawl + News
#                      Commentary v9, about 4.5M pairs) when present or downloadable;
#                      OTHERWISE the 10,000-pair OpenNMT toy sample, lightly detokenized,
#                      and a marker file TRAIN_IS_TOY_SAMPLE (smoke tests only, not a benchmark).
#
# Usage: scripts/prepare-wmt14-en-de.sh [--need-full-train] [DATA_DIR] [OUT_DIR]
#   --need-full-train  fail (exit 1) instead of falling back to the toy sample
#   DATA_DIR   default ../shared/data next to the repo (or $LT_DATA_DIR); full training
#              files are looked for as DATA_DIR/wmt14-en-de/train.{en,de}[.gz] or the
#              statmt.org archives' files under DATA_DIR/wmt14-en-de/orig/
#   OUT_DIR    default data/prepared/wmt14-en-de in the repo
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib-data.sh"

# statmt.org archives of the WMT'14 training data (as in fairseq's prepare-wmt14en2de.sh
# with News Commentary v9, the WMT'14 release).
URLS=(
  "http://statmt.org/wmt13/training-parallel-europarl-v7.tgz"
  "http://statmt.org/wmt13/training-parallel-commoncrawl.tgz"
  "http://statmt.org/wmt14/training-parallel-nc-v9.tgz"
)
CORPORA=(training/europarl-v7.de-en commoncrawl.de-en training/news-commentary-v9.de-en)

need_full=0 pos=()
for a in "$@"; do
  case "$a" in
    --need-full-train) need_full=1 ;;
    -h | --help) sed -n '2,22p' "$0" && exit 0 ;;
    -*) lt_die "unknown option $a (allowed: --need-full-train)" ;;
    *) pos+=("$a") ;;
  esac
done
data="${pos[0]:-${LT_DATA_DIR:-$here/../../shared/data}}"
out="${pos[1]:-$here/../data/prepared/wmt14-en-de}"
src="$data/wmt14-en-de"
[[ -d "$src" ]] || lt_die "no wmt14-en-de directory in $data"

lt_verify_checksums "$data" wmt14-en-de
mkdir -p "$out"
made=()

# --- test: newstest2014 (full, 3003 segments).
for lang in en de; do
  if [[ -f "$src/newstest2014.$lang.gz" ]]; then
    lt_text "$src/newstest2014.$lang.gz" "$out/test.$lang"
  else
    lt_xml_segments "$src/newstest2014-deen-src.$lang.sgm.gz" >"$out/test.$lang.tmp"
    mv -f "$out/test.$lang.tmp" "$out/test.$lang"
  fi
done
lt_same_lines "$out/test.en" "$out/test.de"
made+=(test.en test.de)

# --- valid: newstest2013 (only a tokenized copy exists in the shared data).
for lang in en de; do
  lt_text "$src/newstest2013.tok.$lang.gz" "$out/valid.tok.$lang"
  lt_light_detok <"$out/valid.tok.$lang" >"$out/valid.$lang.tmp"
  mv -f "$out/valid.$lang.tmp" "$out/valid.$lang"
done
lt_same_lines "$out/valid.en" "$out/valid.de"
made+=(valid.tok.en valid.tok.de valid.en valid.de)

# --- train.
full_files() {  # prints the source files of the full corpus for LANG, or nothing
  local lang="$1" c d f found=()
  for f in "$src/train.$lang" "$src/train.$lang.gz"; do
    [[ -f "$f" ]] && echo "$f" && return 0
  done
  for d in "$src/orig" "$out/orig"; do
    found=()
    for c in "${CORPORA[@]}"; do
      f="$d/$c.$lang"
      [[ -f "$f" ]] || f="$d/$(basename "$c").$lang"
      [[ -f "$f" ]] && found+=("$f")
    done
    if [[ ${#found[@]} -eq ${#CORPORA[@]} ]]; then
      printf '%s\n' "${found[@]}"
      return 0
    fi
  done
  return 0
}

if [[ -z "$(full_files en)" ]]; then
  online=1
  for url in "${URLS[@]}"; do lt_online "$url" || online=0; done
  if [[ $online -eq 1 ]]; then
    mkdir -p "$out/orig"
    for url in "${URLS[@]}"; do
      arc="$out/orig/$(basename "$url")"
      [[ -f "$arc" ]] || lt_download "$url" "$arc" || lt_die "download failed: $url"
      tar -xzf "$arc" -C "$out/orig" || lt_die "cannot unpack $arc"
    done
  fi
fi

mapfile -t full_en < <(full_files en)
mapfile -t full_de < <(full_files de)
if [[ ${#full_en[@]} -gt 0 && ${#full_de[@]} -gt 0 ]]; then
  lt_cat_text "$out/train.en" "${full_en[@]}"
  lt_cat_text "$out/train.de" "${full_de[@]}"
  rm -f "$out/TRAIN_IS_TOY_SAMPLE"
  lt_note "train: the full WMT'14 training data (${full_en[*]})"
else
  msg="the full WMT'14 En-De training data is not in $src and could not be downloaded (no network?)"
  [[ $need_full -eq 1 ]] && lt_die "$msg"
  lt_note "WARNING: $msg."
  lt_note "WARNING: train.{en,de} is the 10,000-pair OpenNMT TOY SAMPLE: good for smoke tests only."
  for pair in src:en tgt:de; do
    side="${pair%%:*}" lang="${pair##*:}"
    lt_text "$src/opennmt-toy-ende/$side-train.txt.gz" "$out/train.$lang.tok.tmp"
    lt_light_detok <"$out/train.$lang.tok.tmp" >"$out/train.$lang.tmp"
    rm -f "$out/train.$lang.tok.tmp"
    mv -f "$out/train.$lang.tmp" "$out/train.$lang"
  done
  echo "train.{en,de} is the OpenNMT toy En-De sample (10,000 pairs), not WMT'14." >"$out/TRAIN_IS_TOY_SAMPLE"
fi
lt_same_lines "$out/train.en" "$out/train.de"
made+=(train.en train.de)

lt_note "wrote $out:"
lt_report "$out" "${made[@]}"
