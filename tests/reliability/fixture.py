"""Shared set-up of the reliability tests: a synthetic parallel corpus (no data needed) and
lt-train runs of a very small model on it (seconds on one thread)."""
import os
import random
import re
import subprocess
import time

WORDS = ("haus baum katze hund frau mann kind auto strasse wasser sonne regen stadt land "
         "buch tisch stuhl fenster garten blume vogel fisch brot milch zug").split()


def write_corpus(directory, n=300, seed=1):
    """n pairs: German-looking word salad and its reversal with a marker (a learnable task)."""
    rng = random.Random(seed)
    src, tgt = [], []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        src.append(" ".join(words) + "\n")
        tgt.append("the " + " ".join(reversed(words)) + " .\n")
    paths = os.path.join(directory, "train.src"), os.path.join(directory, "train.tgt")
    for path, lines in zip(paths, (src, tgt)):
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
    return paths


def train_args(src, tgt, model, extra=()):
    """A model of ~60k parameters: one layer each side, width 32, a checkpoint every update."""
    return ["--train-src", src, "--train-tgt", tgt, "--model", model, "--model-dim", "32",
            "--ffn-dim", "64", "--encoder-layers", "1", "--decoder-layers", "1", "--cross-heads", "4",
            "--encoder-block", "transformer", "--decoder-block", "transformer",
            "--max-tokens", "400", "--warmup-updates", "10", "--lr", "0.003", "--valid-freq", "0",
            "--save-freq", "1", "--keep-last", "2", "--keep-best", "false", "--threads", "1",
            "--progress", "lines", "--log-freq", "1", "--seed", "3"] + list(extra)


def env():
    e = dict(os.environ)
    e.update(OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    return e


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=env(), **kw)


failures = []
T0 = time.time()


def check(cond, what):
    """Prints one result line (with the seconds since start) and records failures."""
    print(("ok   " if cond else "FAIL ") + f"[{time.time() - T0:5.1f} s] " + what, flush=True)
    if not cond:
        failures.append(what)


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def saved_updates(log_text):
    return [int(x) for x in re.findall(r"saved checkpoint .* at update (\d+)", log_text)]
