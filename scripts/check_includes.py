#!/usr/bin/env python3
"""Fails when a module under src/ includes a module of the same or a higher layer.

Levels (docs/architecture.md): a module may include only modules with a lower
level, plus itself. Siblings on one level never include each other.
"""
import pathlib
import re
import sys

LEVELS = {
    "common": 0,
    "tensor": 1, "eval": 1,
    "kernels": 2, "data": 2,
    "autodiff": 3,
    "ops": 4,
    "layers": 5,
    "models": 6,
    "decode": 7,
    "train": 8, "report": 8,
    "cli": 9,
}
# The only module allowed to include oneDNN.
DNNL_OWNER = "kernels"

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')


def main(src: pathlib.Path) -> int:
    bad = []
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".hpp", ".cpp", ".cc"):
            continue
        mod = f.relative_to(src).parts[0]
        if mod not in LEVELS:
            bad.append(f"{f}: module '{mod}' has no level in scripts/check_includes.py")
            continue
        for lineno, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if "dnnl" in inc and mod != DNNL_OWNER:
                bad.append(f"{f}:{lineno}: only src/{DNNL_OWNER} may include oneDNN ({inc})")
            target = inc.split("/")[0]
            if target not in LEVELS or target == mod:
                continue
            if LEVELS[target] < LEVELS[mod]:
                continue
            bad.append(f"{f}:{lineno}: module '{mod}' (level {LEVELS[mod]}) includes "
                       f"'{inc}' of module '{target}' (level {LEVELS[target]})")
    for b in bad:
        print(b)
    print("layering: " + ("violations found" if bad else "ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")))
