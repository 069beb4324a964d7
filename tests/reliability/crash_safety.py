#!/usr/bin/env python3
"""Crash-safe files, proved against the real lt-train (run by ctest, tests/reliability.cmake).

1. kill -9 at random moments, many trials: half at a random time in the training loop, half
   the moment a checkpoint's temp file appears (plus a random 0-5 ms), i.e. inside a write.
   After every kill the latest model file loads (lt-translate translates with it), the next
   run resumes from a checkpoint no older than the last one the killed run reported as saved,
   no temp or lock file blocks it, and every chain of killed runs ends with a model file
   byte-identical to an uninterrupted run of the same length (exact resume).
2. Disk full (a file-size limit, RLIMIT_FSIZE, works without root): the checkpoint write fails
   with a one-line error naming the file, the previous checkpoint stays byte-identical, no temp
   file is left, and training resumes from it once space is back.
3. Two lt-train on one model path: the second is refused at once, naming the lock file and
   the first one's pid; the first is unaffected.
4. SIGTERM and SIGINT: a checkpoint, exit 143 / 130, resumable.
Usage: crash_safety.py LT_TRAIN [--trials N] [--seed S]   (CI: 30 trials; a long run: 300)
"""
import argparse
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

check, failures = fixture.check, fixture.failures


def temps(d):
    return glob.glob(os.path.join(d, "*.tmp.*"))


class Setup:
    def __init__(self, lt_train, tmp):
        self.lt_train = lt_train
        self.bindir = os.path.dirname(lt_train)
        self.tmp = tmp
        self.src, self.tgt = fixture.write_corpus(tmp)
        base = os.path.join(tmp, "base", "model.lt")
        p = fixture.run([lt_train] + fixture.train_args(self.src, self.tgt, base,
                                                         ["--max-updates", "1", "--vocab-size", "120"]))
        if p.returncode != 0:
            print(p.stderr)
            raise SystemExit("set-up training failed")
        self.vocab = base + ".spm"
        with open(self.src, encoding="utf-8") as f:
            self.probe = os.path.join(tmp, "probe.txt")
            with open(self.probe, "w", encoding="utf-8") as g:
                g.write(f.readline())

    def args(self, model, updates, extra=()):
        return [self.lt_train] + fixture.train_args(
            self.src, self.tgt, model, ["--vocab", self.vocab, "--max-updates", str(updates)] + list(extra))

    def loads(self, model):
        t = fixture.run([os.path.join(self.bindir, "lt-translate"), "-m", model, "-i", self.probe, "-q",
                         "--threads", "1"])
        return t.returncode == 0 and len(t.stdout.splitlines()) == 1, t.stderr.strip()[-300:]


def kill_trials(s, trials, rng, updates):
    ref = os.path.join(s.tmp, "ref", "model.lt")
    p = fixture.run(s.args(ref, updates))
    check(p.returncode == 0, f"uninterrupted reference run of {updates} updates")
    ref_bytes = open(ref, "rb").read()
    chains = killed_in_write = recovered = 0
    chain_dir = None
    for trial in range(trials):
        if chain_dir is None:
            chains += 1
            chain_dir = os.path.join(s.tmp, f"chain{chains}")
            os.makedirs(chain_dir)
            last_saved = 0
        model = os.path.join(chain_dir, "model.lt")
        log = os.path.join(chain_dir, f"log{trial}.txt")
        proc = subprocess.Popen(s.args(model, updates, ["--log-file", log]), env=fixture.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        targeted = trial % 2 == 1
        deadline = time.time() + 60
        started = False
        while time.time() < deadline and proc.poll() is None:
            if not started:
                started = os.path.exists(log) and "training:" in open(log).read()
                if started and not targeted:
                    time.sleep(rng.uniform(0, 0.6))
                    break
            elif temps(chain_dir):
                time.sleep(rng.uniform(0, 0.005))
                break
            time.sleep(0.0005 if started else 0.005)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        text = open(log).read() if os.path.exists(log) else ""
        resumed = [int(x) for x in re.findall(r"resumed from .*: update (\d+)", text)]
        start = resumed[0] if resumed else 0
        ok_resume = start >= last_saved
        saved = fixture.saved_updates(text)
        in_write = any(f".tmp.{proc.pid}." in t for t in temps(chain_dir))  # its own temp files
        killed_in_write += in_write and not finished
        loads, err = s.loads(model) if os.path.exists(model) else (last_saved == 0, "no model yet")
        ok = ok_resume and loads
        recovered += ok
        check(ok, f"trial {trial}: {'finished' if finished else 'killed'} ({'targeted' if targeted else 'random'},"
                  f" {'inside a write' if in_write else 'between writes'}), resumed at {start} >= last saved "
                  f"{last_saved}, latest model loads {loads} {'' if loads else err}")
        if saved:
            last_saved = saved[-1]
        if finished:
            check(proc.returncode == 0 and open(model, "rb").read() == ref_bytes,
                  f"chain {chains} ends (exit {proc.returncode}) with a model byte-identical to the "
                  f"uninterrupted run")
            chain_dir = None
    if chain_dir is not None:  # finish the open chain
        model = os.path.join(chain_dir, "model.lt")
        p = fixture.run(s.args(model, updates))
        check(p.returncode == 0 and open(model, "rb").read() == ref_bytes,
              f"chain {chains} resumed to the end: byte-identical to the uninterrupted run "
              f"({fixture.last_line(p.stderr)[-200:]})")
    print(f"kill -9 trials: {trials}, {killed_in_write} killed inside a checkpoint write, "
          f"{recovered} recovered, {chains} chains", flush=True)
    return killed_in_write, recovered


def disk_full(s):
    d = os.path.join(s.tmp, "full")
    model = os.path.join(d, "model.lt")
    p = fixture.run(s.args(model, 3))
    check(p.returncode == 0, "disk full: a first checkpoint")
    before = {f: open(os.path.join(d, f), "rb").read() for f in ("model.lt", "model.lt.state")}
    limit = min(len(b) for b in before.values()) // 2
    import resource

    def small_disk():  # lt-train ignores SIGXFSZ itself: the write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    t0 = time.time()
    p = subprocess.run(s.args(model, 6), capture_output=True, text=True, env=fixture.env(),
                       preexec_fn=small_disk)
    line = fixture.last_line(p.stderr)
    check(p.returncode == 1 and line.startswith("lt-train: error: cannot write '") and
          "File too large" in line and d in line,
          f"disk full: exit {p.returncode} in {time.time() - t0:.1f} s with one line naming the file: {line}")
    after = {f: open(os.path.join(d, f), "rb").read() for f in before}
    check(after == before, "disk full: the previous checkpoint (model + state) is byte-identical")
    check(not temps(d), f"disk full: no temp file left ({temps(d)})")
    check(s.loads(model)[0], "disk full: the previous model still loads")
    p = fixture.run(s.args(model, 6))
    check(p.returncode == 0 and "resumed from" in p.stderr and fixture.saved_updates(p.stderr)[-1] == 6,
          "disk full: training resumes from the previous checkpoint once space is back")


def two_trainers_and_signals(s):
    d = os.path.join(s.tmp, "lock")
    model = os.path.join(d, "model.lt")
    log = os.path.join(d, "a.log")
    os.makedirs(d)
    a = subprocess.Popen(s.args(model, 100000, ["--log-file", log]), env=fixture.env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (os.path.exists(log) and fixture.saved_updates(open(log).read())):
        time.sleep(0.02)
    t0 = time.time()
    b = fixture.run(s.args(model, 100000))
    line = fixture.last_line(b.stderr)
    check(b.returncode == 1 and f"(pid {a.pid})" in line and model + ".lock" in line and "in use" in line,
          f"second lt-train on the same model refused in {time.time() - t0:.1f} s: {line}")
    check(a.poll() is None, "the first lt-train keeps training")
    a.send_signal(signal.SIGTERM)
    a.communicate(timeout=120)
    check(a.returncode == 143, f"SIGTERM: exit 143 (got {a.returncode})")
    saved = fixture.saved_updates(open(log).read())
    check(not os.path.exists(model + ".lock"), "the lock file is removed on a clean exit")
    # SIGINT on the resumed run.
    log2 = os.path.join(d, "b.log")
    c = subprocess.Popen(s.args(model, 100000, ["--log-file", log2]), env=fixture.env(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (os.path.exists(log2) and
                                          len(fixture.saved_updates(open(log2).read())) >= 2):
        time.sleep(0.02)
    c.send_signal(signal.SIGINT)
    c.communicate(timeout=120)
    text2 = open(log2).read()
    check(c.returncode == 130, f"SIGINT: exit 130 (got {c.returncode})")
    check(f"resumed from {model}.state: update {saved[-1]}" in text2,
          f"the SIGTERM checkpoint (update {saved[-1]}) resumes")
    last = fixture.saved_updates(text2)[-1]
    p = fixture.run(s.args(model, last + 2))
    check(p.returncode == 0 and f"update {last}," in p.stderr, f"the SIGINT checkpoint (update {last}) resumes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lt_train")
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--updates", type=int, default=25)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (debugging)")
    a = ap.parse_args()
    print(f"seed {a.seed} (--seed repeats this run)")
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="lt_crash_safety_")
    try:
        t0 = time.time()
        s = Setup(a.lt_train, tmp)
        kill_trials(s, a.trials, rng, a.updates)
        t1 = time.time()
        disk_full(s)
        two_trainers_and_signals(s)
        print(f"time: kill trials {t1 - t0:.0f} s, the rest {time.time() - t1:.0f} s")
    finally:
        if a.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
