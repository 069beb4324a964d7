#!/usr/bin/env python3
"""Checks that the PyTorch peer runs GEMMs at full speed: times an n x n x n fp32 matmul
(default 2048^3, 2 threads) and prints one JSON line with the median and best GFLOP/s
(2 n^3 FLOPs per product), the BLAS in use and the CPU capability torch detected.
Compare with the fp32 peak that `build/bin/lt-bench` reports for oneDNN.

With --rows R it instead times the six shapes of `lt-bench ops --rows R`
([R x k] . [k x n] for k in 512, 160 and n in k, 2048, 10000), forward only, one JSON
line per shape, so that the two GEMM libraries can be compared on the same shapes.

Example:  .venv/bin/python scripts/bench/torch_matmul_check.py --threads 2
          .venv/bin/python scripts/bench/torch_matmul_check.py --threads 2 --rows 4096
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402


def shapes_of_lt_bench_ops(torch, args):
    for k in (512, 160):
        for n in (k, 2048, 10000):
            a, b = torch.randn(args.rows, k), torch.randn(k, n)
            c = torch.empty(args.rows, n)
            for _ in range(3):
                torch.mm(a, b, out=c)
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            inner = max(1, int(args.sample_seconds / max(time.perf_counter() - t0, 1e-9)))
            ts = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                for _ in range(inner):
                    torch.mm(a, b, out=c)
                ts.append((time.perf_counter() - t0) / inner)
            flops = 2 * args.rows * k * n
            rec = {"bench": "matmul-shape", "system": "pytorch", "m": args.rows, "k": k, "n": n,
                   "threads": torch.get_num_threads(),
                   "gflop_per_s_median": round(flops / bc.median(ts) / 1e9, 1),
                   "gflop_per_s_best": round(flops / min(ts) / 1e9, 1), "torch": torch.__version__}
            rec.update(bc.host_info())
            bc.emit(rec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--rows", type=int, default=0, help="time lt-bench ops' shapes with M = rows")
    ap.add_argument("--sample-seconds", type=float, default=0.05)
    args = ap.parse_args()
    bc.clean_env_and_reexec(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    if args.rows > 0:
        shapes_of_lt_bench_ops(torch, args)
        return
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
