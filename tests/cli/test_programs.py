#!/usr/bin/env python3
"""Every lt program on the one option system (src/cli/program.h), through the real binaries:
generated --help (exit 0), --version, --dump-config that reads back through --config to the
same text, one-line errors "<program>: error: ..." with exit code 2 for bad flags, and the
decoding flags' range checks of issue 21 (defects 7 and 8) in lt-translate.
Usage: test_programs.py BIN_DIR"""
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
FAILS = []

# program -> the argument lists that select each of its commands
PROGRAMS = {
    "lt-train": [[]],
    "lt-translate": [[]],
    "lt-convert": [[]],
    "lt-decode-growth": [[]],
    "lt-eval": [["bleu"], ["chrf"], ["compare"], ["tokenize"], ["cost"], ["plot"]],
    "lt-bench": [["ops"], ["train"], ["decode"], ["layouts"]],
}


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def run(prog, *args):
    return subprocess.run([os.path.join(BIN, prog), *args], capture_output=True, text=True, timeout=60)


def one_line_error(prog, args, needle, code=2):
    p = run(prog, *args)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    check(p.returncode == code and len(lines) == 1 and lines[0].startswith(prog + ": error: ")
          and needle in lines[0], f"{prog} {' '.join(args)}: exit {p.returncode}, {p.stderr.strip()!r}")


def main():
    tmp = tempfile.mkdtemp(prefix="lt_programs_")
    for prog, commands in PROGRAMS.items():
        v = run(prog, "--version")
        check(v.returncode == 0 and v.stdout.startswith(prog + " "), f"{prog} --version: {v.stdout.strip()}")
        for cmd in commands:
            name = " ".join([prog] + cmd)
            h = run(prog, *cmd, "--help")
            check(h.returncode == 0 and "--config <string list>" in h.stdout and "--dump-config" in h.stdout,
                  f"{name} --help lists the standard flags")
            d = run(prog, *cmd, "--dump-config")
            path = os.path.join(tmp, prog + "-" + "-".join(cmd) + ".yml")
            with open(path, "w") as f:
                f.write(d.stdout)
            again = run(prog, *cmd, "--config", path, "--dump-config")
            check(d.returncode == 0 and d.stdout.strip() and again.stdout == d.stdout,
                  f"{name} --dump-config reads back through --config")
            one_line_error(prog, cmd + ["--no-such-flag", "1"], "unknown option --no-such-flag")
    p = run("lt-eval")
    check(p.returncode == 2 and "Commands:" in p.stderr, "lt-eval without a command lists them (exit 2)")
    one_line_error("lt-eval", ["blue"], "unknown command 'blue'")
    p = run("lt-bench", "--large-block-cache-mb", "0", "decode", "--dump-config")
    check(p.returncode == 0 and "large-block-cache-mb: 0" in p.stdout,
          "options before the command name apply to it (lt-bench --large-block-cache-mb 0 decode)")
    one_line_error("lt-bench", ["decode", "--beam", "0"], "--beam (--beam-size): expected an integer between 1 and 64")
    one_line_error("lt-bench", ["decode", "--int8", "yes"], "--int8 takes no value")
    one_line_error("lt-train", ["--threads", "-3"], "--threads: expected an integer between 0 and 4096, got -3")

    # lt-translate: the shared decoding keys (defects 7 and 8).
    m = ["--model", "m.lt", "--input", "/dev/null"]
    one_line_error("lt-translate", m + ["-b", "0"], "-b (--beam-size): expected an integer >= 1, got 0")
    one_line_error("lt-translate", m + ["-b", "0", "--n-best", "0"], "expected an integer >= 1, got 0")
    one_line_error("lt-translate", m + ["--n-best", "0"], "--n-best: expected an integer >= 1, got 0")
    one_line_error("lt-translate", m + ["--workers", "0"], "--workers: expected an integer between 1 and 4096, got 0")
    one_line_error("lt-translate", m + ["--threads", "-3"], "--threads: expected an integer between 0 and 4096")
    one_line_error("lt-translate", m + ["--lenpen", "nan"], "--lenpen (--length-penalty): expected a number, got 'nan'")
    one_line_error("lt-translate", m + ["--max-length-b", "-5"], "--max-length-b: expected an integer >= 0, got -5")
    one_line_error("lt-translate", m + ["--beam-size", "2", "--n-best", "3"], "--n-best 3 exceeds --beam-size 2")
    one_line_error("lt-translate", ["--input", "/dev/null"], "--model is required")
    one_line_error("lt-translate", m[:2], "", code=1)  # a missing model file: a runtime error
    empty = os.path.join(tmp, "empty.yml")
    open(empty, "w").close()
    one_line_error("lt-translate", ["--config", empty], "no keys")
    cfg = os.path.join(tmp, "t.yml")
    with open(cfg, "w") as f:
        f.write("model: m.lt\nbeam-size: 0\n")
    one_line_error("lt-translate", ["--config", cfg], cfg + ":2: key 'beam-size': expected an integer >= 1, got 0")
    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
