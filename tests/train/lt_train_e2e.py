#!/usr/bin/env python3
"""End-to-end tests of lt-train on a Multi30k subset (run by ctest, tests/train.cmake).

1. The tiny config trains 300 updates on the first 2000 Multi30k De-En pairs in < 2 min on
   2 threads; its training cross-entropy ends well below the unigram entropy of the target
   (computed here from the SentencePiece ids of the training targets, EOS included).
2. SIGTERM during training: exit 128+15 with a checkpoint; resuming it gives a model file
   byte-identical to an uninterrupted run.
3. Bad inputs: each gives a one-line error naming the problem and a non-zero exit code.
4. --average-last and --dump-config.
Usage: lt_train_e2e.py LT_TRAIN SOURCE_DIR [DATA_DIR]; exit 77 = skipped (no data).
"""
import gzip
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

LT_TRAIN, SRC = sys.argv[1], sys.argv[2]
DATA = sys.argv[3] if len(sys.argv) > 3 else os.environ.get(
    "LT_DATA_DIR", os.path.join(SRC, "..", "shared", "data"))
TINY = os.path.join(SRC, "configs", "tiny.yml")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def head_gz(path, n):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [next(f) for _ in range(n)]


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def run(args, **kw):
    return subprocess.run([LT_TRAIN] + args, capture_output=True, text=True, **kw)


def last_line(p):
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def main():
    m30 = os.path.join(DATA, "multi30k")
    if not os.path.exists(os.path.join(m30, "train.de.gz")):
        print("skipped: no Multi30k data in", m30)
        return 77
    tmp = tempfile.mkdtemp(prefix="lt_train_e2e_")
    try:
        return body(tmp, m30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def body(tmp, m30):
    d = lambda *p: os.path.join(tmp, *p)
    write(d("train.de"), head_gz(os.path.join(m30, "train.de.gz"), 2000))
    write(d("train.en"), head_gz(os.path.join(m30, "train.en.gz"), 2000))
    write(d("valid.de"), head_gz(os.path.join(m30, "val.de.gz"), 100))
    write(d("valid.en"), head_gz(os.path.join(m30, "val.en.gz"), 100))
    data = ["--train-src", d("train.de"), "--train-tgt", d("train.en"),
            "--valid-src", d("valid.de"), "--valid-tgt", d("valid.en"), "--threads", "2",
            "--progress", "lines"]

    # 1. Tiny config: trains, quickly, to well below the unigram entropy.
    os.makedirs(d("run"))
    t0 = time.time()
    cpu0 = os.times()
    p = run(["--config", TINY, "--model", d("run", "model.lt"), "--log-freq", "25",
             "--log-file", d("run", "train.log")] + data)
    secs = time.time() - t0
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    print(p.stderr[-3000:])
    check(p.returncode == 0, f"tiny training exits 0 (got {p.returncode})")
    if p.returncode != 0:
        return 1
    # The machine is shared: judge the time budget (2 minutes on 2 threads) by CPU time.
    print(f"tiny training: {secs:.1f} s wall, {cpu:.1f} s CPU")
    check(cpu < 2 * 120, f"tiny training of 300 updates needs < 2 min on 2 threads ({cpu:.1f} CPU s)")
    log = open(d("run", "train.log"), encoding="utf-8").read()
    ppls = [float(x) for x in re.findall(r"up \d+ \| loss [\d.]+ ppl ([\d.]+)", log)]
    toks = [float(x) for x in re.findall(r"([\d.]+) tgt tok/s", log)]
    valid_ce = [float(x) for x in re.findall(r"valid \| .*? ce ([\d.]+)", log)]
    check(len(ppls) >= 10, f"log file has the training lines ({len(ppls)})")
    check("peak memory" in log or "peak RSS" in log, "peak memory is reported")
    ids = subprocess.run(["spm_encode", "--model=" + d("run", "model.lt.spm"), "--output_format=id",
                          "--input=" + d("train.en")], capture_output=True, text=True, check=True)
    counts = Counter()
    for line in ids.stdout.splitlines():
        counts.update(line.split())
        counts["</s>"] += 1
    total = sum(counts.values())
    entropy = -sum(c / total * math.log(c / total) for c in counts.values())
    final_ce = math.log(ppls[-1])
    print(f"unigram entropy {entropy:.3f} nats; final training CE {final_ce:.3f}; "
          f"validation CE {valid_ce}; throughput {toks[-1] if toks else 0:.0f} tgt tok/s")
    check(final_ce < 0.75 * entropy, f"training CE {final_ce:.3f} < 0.75 x unigram entropy {entropy:.3f}")
    check(valid_ce and valid_ce[-1] < entropy, "validation CE below the unigram entropy")
    check(os.path.exists(d("run", "model.lt.state")), "training-state file written")
    check(os.path.exists(d("run", "model.best.lt")), "best checkpoint kept")
    numbered = sorted(f for f in os.listdir(d("run")) if re.match(r"model\.u\d+\.lt$", f))
    check(numbered == ["model.u200.lt", "model.u300.lt"], f"keep-last 2 numbered checkpoints ({numbered})")

    # 4a. Averaging of the last 2 checkpoints.
    p = run(["--model", d("run", "model.lt"), "--average-last", "2"])
    check(p.returncode == 0 and os.path.exists(d("run", "model.avg2.lt")), "--average-last 2 writes model.avg2.lt")
    p = run(["--model", d("run", "model.lt"), "--average-last", "5"])
    check(p.returncode != 0 and "found only 2" in last_line(p), f"--average-last 5 names the problem: {last_line(p)}")
    # 4c. lt-convert --weights int8: a ~4x smaller file that lt-translate reads; int8 decoding
    # of it and of the fp32 file (--precision int8) agree (only the embedding rows' int8
    # rounding differs between the two).
    bindir = os.path.dirname(LT_TRAIN)
    conv = subprocess.run([os.path.join(bindir, "lt-convert"), "--model", d("run", "model.lt"),
                           "--output", d("run", "model.int8.lt")], capture_output=True, text=True)
    check(conv.returncode == 0, f"lt-convert exits 0: {conv.stderr.strip()[-300:]}")
    if conv.returncode == 0:
        ratio = os.path.getsize(d("run", "model.int8.lt")) / os.path.getsize(d("run", "model.lt"))
        # (the tiny model: its SentencePiece vocabulary is a large part of the file)
        check(ratio < 0.6, f"int8 model file is < 60% of the fp32 one ({ratio:.2f})")
        outs = []
        for model, prec in ((d("run", "model.lt"), "int8"), (d("run", "model.int8.lt"), "int8"),
                            (d("run", "model.int8.lt"), "fp32")):
            t = subprocess.run([os.path.join(bindir, "lt-translate"), "--model", model, "--input",
                                d("valid.de"), "--precision", prec, "--threads", "2", "-q"],
                               capture_output=True, text=True)
            check(t.returncode == 0 and len(t.stdout.splitlines()) == 100,
                  f"lt-translate --precision {prec} on {os.path.basename(model)}: {t.stderr.strip()[-300:]}")
            outs.append(t.stdout.splitlines())
        same = sum(a == b for a, b in zip(outs[0], outs[1]))
        check(same >= 50, f"int8 file and fp32 file decode alike under int8 ({same}/100 lines equal)")
    same_path = subprocess.run([os.path.join(bindir, "lt-convert"), "--model", d("run", "model.lt"),
                                "--output", d("run", "model.lt")], capture_output=True, text=True)
    check(same_path.returncode != 0 and "is the same file as --model" in same_path.stderr,
          f"lt-convert refuses to overwrite its input: {same_path.stderr.strip()}")
    # 4b. --dump-config round trip.
    p = run(["--config", TINY, "--lr", "0.0042", "--dump-config"])
    write(d("dump.yml"), p.stdout)
    p2 = run(["--config", d("dump.yml"), "--dump-config"])
    check(p.returncode == 0 and "lr: 0.0042" in p.stdout and p2.stdout == p.stdout, "--dump-config round trip")

    # 2. SIGTERM, checkpoint, exact resume (vocabulary fixed so both runs share it).
    spm = d("run", "model.lt.spm")
    common = ["--config", TINY, "--vocab", spm, "--max-updates", "60", "--valid-freq", "25",
              "--log-freq", "5", "--keep-last", "0"] + data
    ref = run(common + ["--model", d("ref", "model.lt")])
    check(ref.returncode == 0, "reference run of 60 updates")
    os.makedirs(d("sig"))
    logf = d("sig", "log.txt")
    proc = subprocess.Popen([LT_TRAIN] + common + ["--model", d("sig", "model.lt"), "--log-file", logf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(logf) and re.search(r"up (2\d|3\d) \|", open(logf).read()):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    check(proc.returncode == 128 + signal.SIGTERM, f"SIGTERM exit code 143 (got {proc.returncode})")
    stopped = re.findall(r"saved checkpoint .* at update (\d+)", open(logf).read())
    print("stopped at update", stopped[-1] if stopped else "?")
    check(bool(stopped) and int(stopped[-1]) < 60, "checkpoint written on SIGTERM before the end")
    res = run(common + ["--model", d("sig", "model.lt")])
    check(res.returncode == 0 and "resumed from" in res.stderr, "resume after SIGTERM")
    same = open(d("sig", "model.lt"), "rb").read() == open(d("ref", "model.lt"), "rb").read()
    check(same, "resumed model file is byte-identical to the uninterrupted run")

    # 3. Bad inputs: one-line errors naming the problem.
    def bad(args, needles, what, code=None):
        p = run(args)
        line = last_line(p)
        ok = p.returncode != 0 and line.startswith("lt-train: error:") and all(n in line for n in needles)
        if code is not None:
            ok = ok and p.returncode == code
        check(ok, f"{what}: exit {p.returncode}: {line}")

    base = ["--config", TINY, "--max-updates", "1", "--threads", "2"]
    bad(base + ["--train-src", d("nope.de"), "--train-tgt", d("train.en"), "--model", d("b1", "m.lt")],
        ["nope.de"], "missing file", 1)
    write(d("short.en"), open(d("train.en"), encoding="utf-8").readlines()[:1999])
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("short.en"), "--model", d("b2", "m.lt")],
        ["2000", "1999"], "line-count mismatch")
    raw = open(d("train.de"), "rb").read().split(b"\n")
    raw[4] = raw[4] + b"\xff\xfe"
    open(d("bad.de"), "wb").write(b"\n".join(raw))
    bad(base + ["--train-src", d("bad.de"), "--train-tgt", d("train.en"), "--model", d("b3", "m.lt")],
        ["bad.de", "5", "UTF-8"], "invalid UTF-8")
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--encoder-block", "transformr"],
        ["transformr"], "unknown variant", 2)
    write(d("unknown.yml"), ["max-updates: 3\n", "lerning-rate: 0.1\n"])
    bad(["--config", d("unknown.yml")], ["unknown.yml:2", "lerning-rate"], "unknown key", 2)
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--model-dim", "66"],
        ["66", "divisible"], "widths not divisible by heads", 2)
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--budget", "{mult-adds: 1k}",
                "--model", d("b4", "m.lt")], ["budget"], "budget too small", 2)
    # Corrupt checkpoint: a copy of the finished run with a flipped byte in the state file.
    os.makedirs(d("corrupt"))
    for f in ("model.lt", "model.lt.state"):
        shutil.copy(d("run", f), d("corrupt", f))
    b = bytearray(open(d("corrupt", "model.lt.state"), "rb").read())
    b[len(b) // 2] ^= 0x55
    open(d("corrupt", "model.lt.state"), "wb").write(bytes(b))
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--max-updates", "400",
                "--model", d("corrupt", "model.lt")], ["model.lt.state", "checksum"], "corrupt training state", 1)
    b = bytearray(open(d("run", "model.lt"), "rb").read())
    open(d("corrupt", "model.lt"), "wb").write(bytes(b[: len(b) // 2]))
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--max-updates", "400",
                "--model", d("corrupt", "model.lt")], ["model.lt"], "truncated model file", 1)
    # Vocabulary that does not match the model being resumed.
    subprocess.run(["spm_train", "--input=" + d("train.en"), "--model_prefix=" + d("other"),
                    "--vocab_size=300", "--pad_id=0", "--unk_id=1", "--bos_id=2", "--eos_id=3",
                    "--minloglevel=2"], capture_output=True, check=True)
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--max-updates", "400",
                "--model", d("run", "model.lt"), "--vocab", d("other.model")], ["vocabulary", "does not match"],
        "vocabulary mismatch")
    # Issue 21, defects 7 and 8: checked once by the option table or before any work.
    t0 = time.time()
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--valid-src", d("nope-valid.de"),
                "--valid-tgt", d("valid.en"), "--model", d("b5", "m.lt")],
        ["--valid-src", "nope-valid.de"], "missing --valid-src", 1)
    check(not os.path.exists(d("b5", "m.lt.spm")) and time.time() - t0 < 20,
          "a missing --valid-src is found before the vocabulary is trained")
    bad(base + ["--threads", "-3"], ["--threads", "-3"], "negative --threads", 2)
    bad(base + ["--beam-size", "0"], ["--beam-size", ">= 1"], "beam size 0", 2)
    bad(base + ["--length-penalty", "nan"], ["--length-penalty", "nan"], "NaN length penalty", 2)
    write(d("empty.yml"), ["# nothing but a comment\n"])
    bad(["--config", d("empty.yml")], ["empty.yml", "no keys"], "empty config file", 2)
    bad(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--model-dim", "1000000",
                "--model", d("b6", "m.lt")], ["model-dim 1000000", "memory"], "a model beyond the machine's memory", 2)
    # Resuming a finished run with --max-updates at or below its update count says so.
    p = run(base + ["--train-src", d("train.de"), "--train-tgt", d("train.en"), "--max-updates", "50",
                    "--model", d("ref", "model.lt"), "--vocab", spm])
    check(p.returncode == 0 and "nothing to train" in p.stderr and "--max-updates" in p.stderr,
          f"resume below the saved update count says so: {last_line(p)}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
