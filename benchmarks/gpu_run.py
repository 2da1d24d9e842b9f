"""The GPU benchmark: run unchanged on a CUDA machine, one command, writes a dated JSON naming the device.

    python benchmarks/gpu_run.py [--n 20000] [--n-large 100000] [--quick] [--sections dense,train,large]

Measures (all float64 unless stated, all on one GPU):
  1. gram_inf on the device (actgram.torch_kernels.gram_inf_torch, ReLU closed form and tanh Chebyshev table)
     plus lambda_min (torch.linalg.eigvalsh), against bare torch.linalg.eigvalsh of the same
     n x n matrix (target: gram_inf + lambda_min within 3x of bare eigvalsh), n = 20000.
  2. Trainer throughput (actgram.train_two_layer on the device), n = 1000 and 10000, m = 10000 / 100000,
     as a fraction of the GPU's peak FLOP/s (table below) in float64 and float32.
  3. Beyond memory: matrix-free smallest eigenvalues (method="matrix-free") at n = 100000 (an 80 GB
     matrix in float64, never formed).
Writes benchmarks/results/gpu_<date>_<device>.json. Without CUDA it refuses (unless --allow-cpu,
for testing the script itself with --quick).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import actgram as ag
from actgram import torch_kernels as tk

# Peak dense FLOP/s (no sparsity), from NVIDIA's data sheets: "NVIDIA H100 Tensor Core GPU" datasheet
# (SXM / PCIe columns), "NVIDIA H200 Tensor Core GPU" product brief, "NVIDIA A100 Tensor Core GPU"
# datasheet, "NVIDIA T4 Tensor Core GPU" datasheet. float64: FP64 Tensor Core where the GPU has one
# (cuBLAS DGEMM uses it), else FP64; float32: plain FP32 (torch keeps TF32 off for matmul by default).
# The H100 rows were checked on 2026-11-23 against two published spec tables (SXM: FP64 34, FP64 Tensor
# Core 67, FP32 67 TFLOPS; PCIe: 26 / 51 / 51); the others are as remembered from the data sheets.
PEAK_TFLOPS = {
    "H100 SXM": {"float64": 67.0, "float32": 67.0},
    "H100 PCIe": {"float64": 51.0, "float32": 51.0},
    "H100 NVL": {"float64": 60.0, "float32": 60.0},
    "H200": {"float64": 67.0, "float32": 67.0},
    "A100": {"float64": 19.5, "float32": 19.5},
    "T4": {"float64": 0.25, "float32": 8.1},
}


def peak_for(name: str) -> tuple[str | None, dict | None]:
    """Match a torch device name (e.g. 'NVIDIA H100 80GB HBM3') to the table."""
    if "H100" in name:
        key = "H100 PCIe" if "PCIe" in name else ("H100 NVL" if "NVL" in name else "H100 SXM")
        return key, PEAK_TFLOPS[key]
    for key in ("H200", "A100", "T4"):
        if key in name:
            return key, PEAK_TFLOPS[key]
    return None, None


def sync(dev):
    import torch

    if dev.type == "cuda":
        torch.cuda.synchronize()


def bench_dense(n, dev):
    import torch

    X = ag.data.sphere(n, 10, seed=0)
    out = {"n": n}
    for act in ("relu", "tanh"):
        tk.gram_inf_torch(X[:256], act, device=dev)  # warm-up (table build, kernels)
        sync(dev)
        t0 = time.perf_counter()
        G = tk.gram_inf_torch(X, act, device=dev)
        sync(dev)
        t1 = time.perf_counter()
        lam = torch.linalg.eigvalsh(G)
        sync(dev)
        t2 = time.perf_counter()
        del lam
        t3 = time.perf_counter()
        lm = ag.lambda_min(X, act, method="dense", device=dev)
        sync(dev)
        t4 = time.perf_counter()
        out[act] = {"gram_inf_s": t1 - t0, "bare_eigvalsh_s": t2 - t1, "gram_inf_plus_lambda_min_s": t4 - t3,
                    "ratio_to_bare_eigvalsh": (t4 - t3) / (t2 - t1), "lambda_min": lm.describe(),
                    "lambda_min_value": lm.value, "floor": lm.floor}
        del G
        if dev.type == "cuda":
            out[act]["peak_memory_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30
            torch.cuda.reset_peak_memory_stats(dev)
        print(act, out[act])
    return out


def bench_train(dev, peak, sizes):
    rows = []
    for n, m, d in sizes:
        X = ag.data.sphere(n, d, seed=0)
        y = np.sign(X[:, 0])
        for dtype in ("float64", "float32"):
            steps = 20
            t0 = time.perf_counter()
            ag.train_two_layer(X, y, "relu", m, steps=1, dtype=dtype, device=str(dev))
            t1 = time.perf_counter()
            ag.train_two_layer(X, y, "relu", m, steps=1 + steps, dtype=dtype, device=str(dev))
            t2 = time.perf_counter()
            per = ((t2 - t1) - (t1 - t0)) / steps
            flops = 4.0 * n * d * m + 2.0 * n * m
            row = {"n": n, "m": m, "d": d, "dtype": dtype, "seconds_per_step": per, "steps_per_second": 1 / per,
                   "matmul_tflops": flops / per / 1e12}
            if peak:
                row["fraction_of_peak"] = row["matmul_tflops"] / peak[dtype]
            rows.append(row)
            print(row)
    return rows


def bench_large(n, dev):
    X = ag.data.sphere(n, 10, seed=0)
    t0 = time.perf_counter()
    r = ag.smallest_eigenvalues(X, "relu", 3, method="matrix-free", device=dev,
                                options={"tol": 1e-4})
    t = time.perf_counter() - t0
    out = {"n": n, "seconds": t, "products": r.products, "ritz": r.value.tolist(), "residual": r.residual.tolist(),
           "floor": r.radius, "reported": [r.describe(i) for i in range(3)], "info": r.info,
           "dense_matrix_gib": 8 * n * n / 2**30}
    print(out)
    return out


def main() -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--n-large", type=int, default=100000)
    ap.add_argument("--quick", action="store_true", help="small sizes, to test the script")
    ap.add_argument("--allow-cpu", action="store_true", help="run without CUDA (testing the script only)")
    ap.add_argument("--sections", default="dense,train,large",
                    help="comma-separated subset of dense,train,large (to fit a per-command time limit; "
                         "a later run merges its sections into the same day's file)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = ap.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - {"dense", "train", "large"}
    if unknown or not sections:
        raise SystemExit(f"--sections takes a comma-separated subset of dense,train,large; got {args.sections!r}")
    if not torch.cuda.is_available() and not args.allow_cpu:
        raise SystemExit("no CUDA device: this script measures a GPU (use --allow-cpu --quick to test it)")
    dev = tk.resolve_device(None)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    key, peak = peak_for(name)
    n, nl = (600, 1200) if args.quick else (args.n, args.n_large)
    res = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "device": name, "peak_key": key,
           "peak_tflops": peak, "torch": torch.__version__, "cuda": torch.version.cuda, "quick": args.quick}
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"gpu_{res['date'][:10]}_{slug}{'_quick' if args.quick else ''}.json"
    if path.exists():  # sections measured by an earlier call today are kept unless measured again
        old = json.loads(path.read_text())
        res = {**old, **{k: v for k, v in res.items() if k not in ("dense", "trainer", "matrix_free")}}

    def save():
        path.write_text(json.dumps(res, indent=1, default=float))

    if "dense" in sections:
        res["dense"] = bench_dense(n, dev)
        assert math.isfinite(res["dense"]["relu"]["gram_inf_s"])
        save()
    if "train" in sections:
        res["trainer"] = bench_train(dev, peak, [(200, 1000, 50)] if args.quick else [(1000, 10000, 50),
                                                                                       (10000, 100000, 50)])
        save()
    if "large" in sections:
        res["matrix_free"] = bench_large(nl, dev)
        save()
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
