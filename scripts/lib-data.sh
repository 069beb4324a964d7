# Helpers shared by the prepare-*.sh scripts (sourced, not run).
# Every function either succeeds or prints a one-line message and exits non-zero.

lt_script_dir() { cd "$(dirname "${BASH_SOURCE[1]}")" && pwd; }

lt_die() {
  echo "error: $*" >&2
  exit 1
}

lt_note() { echo "[$(basename "$0")] $*" >&2; }

# lt_require_file PATH: the file must exist and be readable.
lt_require_file() {
  [[ -f "$1" ]] || lt_die "missing input file: $1"
  [[ -r "$1" ]] || lt_die "cannot read input file: $1"
}

# lt_verify_checksums DATA_DIR SUBDIR: checks the SHA256SUMS entries of
# SUBDIR/ (when DATA_DIR/SHA256SUMS exists). Files that are listed but absent
# are skipped; a mismatch is fatal.
lt_verify_checksums() {
  local dir="$1" sub="$2" sums="$1/SHA256SUMS"
  if [[ ! -f "$sums" ]]; then
    lt_note "no SHA256SUMS in $dir: skipping the checksum check"
    return 0
  fi
  local list
  list="$(mktemp)"
  # Keep only entries of SUBDIR whose file is present.
  while read -r sum path; do
    [[ "$path" == "$sub/"* && -f "$dir/$path" ]] && printf '%s  %s\n' "$sum" "$path"
  done <"$sums" >"$list"
  if [[ -s "$list" ]]; then
    if ! (cd "$dir" && sha256sum --quiet -c "$list" >&2); then
      rm -f "$list"
      lt_die "checksum mismatch in $dir/$sub (see above); the data files are damaged or changed"
    fi
    lt_note "checksums of $(wc -l <"$list") files in $sub/ OK"
  fi
  rm -f "$list"
}

# lt_text SRC DEST: writes the text of SRC (plain or gzip, detected by
# content) to DEST atomically.
lt_text() {
  local src="$1" dest="$2"
  lt_require_file "$src"
  local tmp="$dest.tmp.$$"
  if [[ "$(head -c2 "$src" | od -An -tx1 | tr -d ' \n')" == "1f8b" ]]; then
    gzip -dc "$src" >"$tmp"
  else
    cat "$src" >"$tmp"
  fi
  mv -f "$tmp" "$dest"
}

# lt_cat_text DEST SRC...: concatenation of several plain/gzip files.
lt_cat_text() {
  local dest="$1"
  shift
  local tmp="$dest.cat.$$" part="$dest.part.$$"
  : >"$tmp"
  for f in "$@"; do
    lt_text "$f" "$part"
    cat "$part" >>"$tmp"
  done
  rm -f "$part"
  mv -f "$tmp" "$dest"
}

# lt_xml_segments FILE: the text of each <seg id="N">...</seg> line of an
# XML/SGML file (plain or gzip), surrounding whitespace removed, the five
# XML entities unescaped.
lt_xml_segments() {
  local f="$1"
  lt_require_file "$f"
  { if [[ "$(head -c2 "$f" | od -An -tx1 | tr -d ' \n')" == "1f8b" ]]; then gzip -dc "$f"; else cat "$f"; fi; } |
    grep '<seg id' |
    sed -e 's/^.*<seg id="[^"]*"[^>]*>//' -e 's/<\/seg>.*$//' \
      -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
      -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
}

# lt_lines FILE: number of lines.
lt_lines() { wc -l <"$1" | tr -d ' '; }

# lt_same_lines A B: both files have the same number of lines.
lt_same_lines() {
  local a b
  a="$(lt_lines "$1")"
  b="$(lt_lines "$2")"
  [[ "$a" == "$b" ]] || lt_die "not line-aligned: $1 has $a lines but $2 has $b lines"
}

# lt_online URL: true when URL answers within a few seconds. LT_OFFLINE=1
# in the environment disables every download (tests use it).
lt_online() {
  [[ "${LT_OFFLINE:-0}" == 1 ]] && return 1
  command -v curl >/dev/null 2>&1 || return 1
  curl -sfIL --max-time 8 -o /dev/null "$1"
}

# lt_download URL DEST: downloads to DEST (atomically); false on failure.
lt_download() {
  local url="$1" dest="$2"
  lt_note "downloading $url"
  if curl -fL --retry 2 --connect-timeout 15 -o "$dest.part" "$url"; then
    mv -f "$dest.part" "$dest"
  else
    rm -f "$dest.part"
    return 1
  fi
}

# lt_report DIR FILE...: prints "name lines" for each file.
lt_report() {
  local dir="$1"
  shift
  for f in "$@"; do
    printf '  %-28s %8s lines\n' "$f" "$(lt_lines "$dir/$f")" >&2
  done
}

# lt_light_detok: stdin -> stdout. Undoes the most visible parts of Moses
# tokenization so tokenized sets look closer to raw text: "##AT##-##AT##"
# hyphen splits, Moses escapes, spaces before , . ; : ? ! % ) and after (,
# and " 's"-style apostrophe splits. Not a full detokenizer (quotes stay spaced).
lt_light_detok() {
  sed -E \
    -e 's/ ##AT##-##AT## /-/g' \
    -e "s/&apos;/'/g" -e 's/&quot;/"/g' -e 's/&#91;/[/g' -e 's/&#93;/]/g' -e 's/&#124;/|/g' \
    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' \
    -e 's/ ([,.;:?!%)])/\1/g' -e 's/([(]) /\1/g' \
    -e "s/ '([A-Za-z])/'\\1/g" \
    -e 's/^ +//' -e 's/ +$//'
}
