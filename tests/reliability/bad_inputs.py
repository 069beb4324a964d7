#!/usr/bin/env python3
"""Bad inputs against the real programs (run by ctest, tests/reliability.cmake): each gets a
one-line error naming the file / line / flag, or the documented bounded behaviour, in seconds,
and never damages an existing file. docs/reliability.md lists the table.
Usage: bad_inputs.py BIN_DIR   (lt-train, lt-translate, lt-eval, lt-convert in BIN_DIR)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

check, failures = fixture.check, fixture.failures
QUICK = 20  # seconds: an error before any real work (generous for a loaded 2-core machine)


def expect_error(cmd, code, needles, what, stdin=None):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=fixture.env(), stdin=stdin)
    secs = time.time() - t0
    line = fixture.last_line(p.stderr)
    ok = p.returncode == code and all(n in line for n in needles) and secs < QUICK
    check(ok, f"{what}: exit {p.returncode} in {secs:.1f} s: {line[:400]}")
    return p


def main():
    bindir = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="lt_bad_inputs_")
    try:
        return body(bindir, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def body(bindir, tmp):
    B = lambda name: os.path.join(bindir, name)
    d = lambda *p: os.path.join(tmp, *p)
    src, tgt = fixture.write_corpus(tmp)
    model = d("m", "model.lt")
    p = fixture.run([B("lt-train")] + fixture.train_args(src, tgt, model, ["--max-updates", "3",
                                                                            "--vocab-size", "120"]))
    if p.returncode != 0:
        print(p.stderr)
        return 1
    # Outputs of at most 20 tokens, written every 10 lines: the model is barely trained.
    translate = [B("lt-translate"), "-m", model, "-q", "--threads", "1", "--max-length-b", "20",
                 "--chunk-lines", "10"]
    lines = open(src, encoding="utf-8").readlines()[:5]
    with open(d("in.txt"), "w", encoding="utf-8") as f:
        f.writelines(lines)
    model_bytes = open(model, "rb").read()

    # --- Defect 1: lt-translate -o onto its own input or model (symlinks, hard links, stdin).
    os.symlink(d("in.txt"), d("in-link.txt"))
    os.link(model, d("model-hardlink.lt"))
    for out, needle in ((d("in.txt"), "--input"), (d("in-link.txt"), "--input"),
                        (d("model-hardlink.lt"), "--model")):
        expect_error(translate + ["-i", d("in.txt"), "-o", out], 2, ["is the same file as " + needle],
                     f"lt-translate -o {os.path.basename(out)}")
    with open(d("in.txt")) as stdin:
        expect_error(translate + ["-o", d("in.txt")], 2, ["--input - (standard input)"],
                     "lt-translate -o F < F", stdin=stdin)
    check(open(d("in.txt"), encoding="utf-8").readlines() == lines and open(model, "rb").read() == model_bytes,
          "input and model untouched")
    expect_error([B("lt-convert"), "-m", model, "-o", d("model-hardlink.lt")], 2,
                 ["is the same file as --model"], "lt-convert -o a hard link of its model")

    # --- Defect 2: a failing run leaves an existing output as it was.
    with open(d("bad-utf8.txt"), "wb") as f:
        f.write(b"haus baum\nkatze \xff\xfe hund\n")
    long_tokens = " ".join(fixture.WORDS[i % 25] for i in range(2500)) + "\n"
    with open(d("long.txt"), "w", encoding="utf-8") as f:
        f.writelines(lines + [long_tokens] + lines)
    for inp, needles, what in ((d("missing.txt"), ["missing.txt: no such file"], "missing input"),
                               (d("bad-utf8.txt"), ["bad-utf8.txt:2: invalid UTF-8"], "invalid UTF-8"),
                               (d("long.txt"), ["long.txt:6:", "--max-input-length"], "over-long line")):
        with open(d("prev.out"), "w") as f:
            f.write("previous output\n")
        expect_error(translate + ["-i", inp, "-o", d("prev.out")], 1, needles, f"lt-translate -o prev.out, {what}")
        check(open(d("prev.out")).read() == "previous output\n", f"{what}: prev.out unchanged")

    # --- Defect 6: over-long lines, truncate / skip keep line alignment.
    for policy in ("skip", "truncate"):
        p = fixture.run(translate + ["-i", d("long.txt"), "--max-input-length-policy", policy])
        out = p.stdout.splitlines()
        check(p.returncode == 0 and len(out) == 11 and (out[5] == "") == (policy == "skip") and
              "long.txt:6:" in p.stderr,
              f"--max-input-length-policy {policy}: 11 lines out, line 6 {'empty' if policy == 'skip' else 'translated'}"
              f", reported as long.txt:6 (exit {p.returncode})")
    p = fixture.run(translate + ["-i", d("in.txt"), "--max-input-length", "2", "--max-input-length-policy", "skip"])
    check(p.returncode == 0 and p.stdout.splitlines() == [""] * 5,
          f"--max-input-length 2 skips every line (3 words or more): {p.stdout.splitlines()} {p.stderr.strip()[-300:]}")
    expect_error(translate + ["-i", d("in.txt"), "--max-input-length", "5000"], 2,
                 ["--max-input-length 5000 exceeds what the model encodes"], "--max-input-length above max-positions")
    # A 10 MB line: bounded by the 1 MiB line limit (error), or skipped / cut.
    with open(d("huge.txt"), "w") as f:
        f.write("haus baum\n" + "katze " * 1750000 + "\nhund\n")
    expect_error(translate + ["-i", d("huge.txt")], 1, ["huge.txt:2: line longer than the limit of 1048576 bytes"],
                 "lt-translate, a 10 MB line")
    t0 = time.time()
    p = fixture.run(translate + ["-i", d("huge.txt"), "--max-input-length-policy", "skip"])
    check(p.returncode == 0 and p.stdout.split("\n")[1] == "" and len(p.stdout.splitlines()) == 3 and
          time.time() - t0 < QUICK, f"a 10 MB line skipped in {time.time() - t0:.1f} s")

    # --- Defect 5: the beam is bounded before any work.
    expect_error(translate + ["-i", d("in.txt"), "-b", "100000"], 2,
                 ["--beam-size 100000 exceeds the target vocabulary"], "lt-translate -b 100000")
    expect_error(translate + ["-i", d("in.txt"), "-b", "50", "--batch-size", "100000", "--memory-limit", "4G"], 2,
                 ["decoding would need about", "more than the memory limit of 3.73 GiB (--memory-limit 4G)"],
                 "lt-translate -b 50 --batch-size 100000")

    # --- Closed pipes: quiet exit 141; a closed stdout: one line.
    with open(d("many.txt"), "w", encoding="utf-8") as f:
        f.writelines(lines * 400)
    for cmd, what in ((translate + ["-i", d("many.txt")], "lt-translate"),
                      ([B("lt-eval"), "tokenize", "--input", d("many.txt")], "lt-eval tokenize")):
        p = subprocess.run(["bash", "-c", 'set -o pipefail; "$@" | head -1 >/dev/null; echo "${PIPESTATUS[0]}"',
                            "x"] + cmd, capture_output=True, text=True, env=fixture.env())
        check(p.stdout.strip() == "141" and p.stderr == "",
              f"{what} | head -1: exit {p.stdout.strip()} (141 = 128 + SIGPIPE), stderr {p.stderr.strip()!r}")
        p = subprocess.run(["bash", "-c", '"$@" >&-', "x"] + cmd, capture_output=True, text=True, env=fixture.env())
        check(p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and "standard output" in p.stderr,
              f"{what} >&-: exit {p.returncode}: {p.stderr.strip()}")

    # --- Defect 3: a resume with other architecture keys.
    train = [B("lt-train")] + fixture.train_args(src, tgt, model, ["--max-updates", "5"])
    expect_error(train[:] + ["--model-dim", "64", "--decoder-layers", "6", "--encoder-block", "lightconv"], 2,
                 ["exists with a different architecture", "model-dim 64 (--model-dim) but 32 in the checkpoint",
                  "decoder-layers 6 (--decoder-layers) but 1", "encoder-block", "training keys can"],
                 "lt-train resume with --model-dim 64 --decoder-layers 6 --encoder-block lightconv")
    check(open(model, "rb").read() == model_bytes, "the model is untouched")
    p = fixture.run(train + ["--lr", "0.001", "--warmup-updates", "2", "--clip-norm", "1"])
    check(p.returncode == 0 and "resumed from" in p.stderr,
          f"a resume with other optimizer/schedule keys runs: {fixture.last_line(p.stderr)}")
    expect_error(train + ["--max-tokens", "300"], 1, ["resume needs the same batching options"],
                 "lt-train resume with another --max-tokens")

    # --- Config errors keep naming file:line.
    with open(d("typo.yml"), "w") as f:
        f.write("max-updates: 3\nlerning-rate: 0.1\n")
    expect_error([B("lt-train"), "--config", d("typo.yml")], 2,
                 ["typo.yml:2", "unknown key 'lerning-rate'"], "lt-train, an unknown key in a config file")
    with open(d("syntax.yml"), "w") as f:
        f.write("max-updates: 3\nlr: [0.1\n")
    expect_error([B("lt-train"), "--config", d("syntax.yml")], 2, ["syntax.yml:", "YAML syntax error"],
                 "lt-train, a YAML syntax error")

    # --- Absurd models: refused before allocation, in lt-train and lt-eval cost.
    fresh = [B("lt-train")] + fixture.train_args(src, tgt, d("absurd", "model.lt"),
                                                ["--max-updates", "1", "--memory-limit", "16G"])
    for flags, needle in ((["--model-dim", "1000000", "--cross-heads", "8"], "model-dim 1000000"),
                          (["--vocab-size", "1000000000"], "vocabularies 1000000000"),
                          (["--model-dim", "512", "--ffn-dim", "2048", "--encoder-layers", "10000"], "10000 + 1 layers"),
                          (["--max-positions", "1000000000"], "max-positions 1000000000")):
        expect_error(fresh + flags, 2, [needle, "more than the memory limit of 14.90 GiB (--memory-limit 16G)"],
                     "lt-train " + " ".join(flags))
    for key, value in (("model-dim", "1000000"), ("encoder-layers", "10000")):
        with open(d(f"absurd-{key}.yml"), "w") as f:
            f.write(f"{key}: {value}\n")
        expect_error([B("lt-eval"), "cost", "--model-config", d(f"absurd-{key}.yml"), "--memory-limit", "16G"], 2,
                     [f"{value}", "counting its cost", "more than the memory limit"], f"lt-eval cost {key} {value}")
    # A 10 MB line in the training corpus: file:line, at once.
    shutil.copy(d("huge.txt"), d("huge.src"))
    with open(d("huge.tgt"), "w") as f:
        f.write("a\nb\nc\n")
    expect_error([B("lt-train")] + fixture.train_args(d("huge.src"), d("huge.tgt"), d("h", "model.lt"),
                                                      ["--max-updates", "1"]),
                 1, ["huge.src:2: line longer than the limit of 1048576 bytes"], "lt-train, a 10 MB corpus line")

    # --- lt-eval plot: refuses to overwrite its results file; a failing plot keeps the old SVG.
    with open(d("results.jsonl"), "w") as f:
        f.write('{"name": "a", "params": 1000, "mult_adds": 2000, "bleu": 30.0}\n')
    expect_error([B("lt-eval"), "plot", "--results", d("results.jsonl"), "--output", d("results.jsonl")], 2,
                 ["is the same file as --results"], "lt-eval plot --output onto --results")
    with open(d("old.svg"), "w") as f:
        f.write("<svg>old</svg>\n")
    with open(d("broken.jsonl"), "w") as f:
        f.write('{"name": "a", "params": 1000\n')
    expect_error([B("lt-eval"), "plot", "--results", d("broken.jsonl"), "--output", d("old.svg")], 1,
                 ["broken.jsonl:1"], "lt-eval plot of a broken results file")
    check(open(d("old.svg")).read() == "<svg>old</svg>\n", "the previous SVG is unchanged")

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
