"""Matrix-free smallest eigenvalues (method="matrix-free") at moderate n on this machine, against dense where it fits.

    python benchmarks/bench_large.py [--n 10000] [--d 10] [--act relu] [--device cpu]

Writes benchmarks/results/large_<device>_n<n>.json: time, number of kernel-matrix products,
Ritz values with residuals and floor (the Weyl radius of the products), peak resident memory
of the process, and (--dense) float64 eigvalsh of the formed matrix for comparison (needs
8 n^2 bytes twice: n = 20000 takes 6 GiB).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import actgram as ag
from actgram import torch_kernels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--d", type=int, default=10)
    ap.add_argument("--act", default="relu")
    ap.add_argument("--device", default=None)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--dense", action="store_true", help="also form the matrix and run eigvalsh")
    args = ap.parse_args()
    X = ag.data.sphere(args.n, args.d, seed=0)
    t0 = time.perf_counter()
    r = ag.smallest_eigenvalues(X, args.act, 3, method="matrix-free", device=args.device,
                                options={"tol": args.tol})
    t1 = time.perf_counter()
    rss_free = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (ru_maxrss is KiB on Linux)
    out = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.machine(),
           "cpu_count": __import__("os").cpu_count(), "n": args.n, "d": args.d, "activation": args.act,
           "device": r.info["device"], "seconds": t1 - t0, "products": r.products, "info": r.info,
           "ritz": r.value.tolist(), "residual": r.residual.tolist(), "floor": r.radius, "norm": r.norm,
           "reported": [r.describe(i) for i in range(3)], "peak_rss_gib_matrix_free": rss_free,
           "dense_matrix_gib": 8 * args.n**2 / 2**30, "load_average": list(__import__("os").getloadavg())}
    dev = str(r.info["device"]).split(":")[0]
    path = Path(__file__).parent / "results" / f"large_{dev}_n{args.n}.json"
    path.write_text(json.dumps(out, indent=1))  # the matrix-free result is kept even if the dense step fails
    if args.dense:
        # the dense baseline: the matrix assembled in row blocks (actgram.torch_kernels, 2 copies of n x n at most;
        # numpy's gram_inf needs about 6 and refuses above 8 GiB), then LAPACK eigvalsh
        t2 = time.perf_counter()
        G = torch_kernels.kernel_inf_torch(X, args.act, "G", device=args.device or "cpu").cpu().numpy()
        lam = np.linalg.eigvalsh(G)[:3]
        del G
        out["dense_seconds"] = time.perf_counter() - t2
        out["dense_eigvalsh"] = lam.tolist()
        out["max_abs_difference"] = float(np.max(np.abs(lam - r.value)))
        out["peak_rss_gib_with_dense"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        path.write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
