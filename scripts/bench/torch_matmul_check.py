#!/usr/bin/env python3
"""Checks that the PyTorch peer runs GEMMs at full speed: times an n x n x n fp32 matmul
(default 2048^3, 2 threads) and prints one JSON line with the median and best GFLOP/s
(2 n^3 FLOPs per product), the BLAS in use and the CPU capability torch detected.
Compare with the fp32 peak that `build/bin/lt-bench` reports for oneDNN.

Example:  .venv/bin/python scripts/bench/torch_matmul_check.py --threads 2
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    bc.clean_env_and_reexec(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    n = args.n
    a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
    for _ in range(3):
        torch.mm(a, b, out=c)
    ts = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        ts.append(time.perf_counter() - t0)
    cfg = torch.__config__.show()
    rec = {"bench": "matmul", "system": "pytorch", "n": n, "threads": torch.get_num_threads(),
           "ms_median": round(1e3 * bc.median(ts), 2),
           "gflop_per_s_median": round(2 * n ** 3 / bc.median(ts) / 1e9, 1),
           "gflop_per_s_best": round(2 * n ** 3 / min(ts) / 1e9, 1),
           "blas": "mkl" if "BLAS_INFO=mkl" in cfg else "other",
           "cpu_capability": torch.backends.cpu.get_cpu_capability(), "torch": torch.__version__}
    rec.update(bc.host_info())
    bc.emit(rec)


if __name__ == "__main__":
    main()
