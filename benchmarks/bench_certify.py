"""Certified eigenvalue enclosures (actgram.certify): time, bits and width against the targets.

    python benchmarks/bench_certify.py [--quick] [--only I J ...]

Cases (each from a cold coefficient cache, one thread):
  tanh, n = 64 half-circle points, relative width <= 1e-6, target <= 10 s;
  tanh, n = 128, relative width <= 1e-2, target <= 60 s;
  erf and sin on the half circle and on random points of the 2-sphere (seed 0), n = 250,
  relative width <= 1e-2, target <= 180 s; sin on the half circle also at n = 128. For sin on
  the half circle at n = 250, lambda_min lies below 2^-832 ||G|| (about 1e-248 already at
  n = 128), beyond the four precisions (up to 832 bits) the method tries: that row records
  the failure to meet the target.
Each row records the time split (entries, eigenbasis, certificate; all precision attempts
together), the bits of the last attempt, the certified enclosure, the estimated bracket of
``lambda_min(method="auto")`` and float64 eigvalsh, and whether the certified enclosure
contradicts the estimated bracket (disjoint). Writes src/actgram/benchmark_results/certify_cpu.json
(``--quick``: benchmarks/results/certify_cpu_quick.json, not kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import actgram as ag  # noqa: E402
from actgram.certify import CertificationError, _hermite, certified_spectrum  # noqa: E402
from actgram.certify._flint import float_down, float_up, require  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CASES = [  # (activation, data, n, relative width target, time target in s)
    ("tanh", "half circle", 64, 1e-6, 10.0),
    ("tanh", "half circle", 128, 1e-2, 60.0),
    ("erf", "half circle", 250, 1e-2, 180.0),
    ("erf", "sphere", 250, 1e-2, 180.0),
    ("sin", "sphere", 250, 1e-2, 180.0),
    ("sin", "half circle", 128, 1e-2, 180.0),
    ("sin", "half circle", 250, 1e-2, 180.0),  # lambda_min far below 2^-832 ||G||: not met
]
QUICK = [("tanh", "half circle", 16, 1e-6, 10.0), ("erf", "sphere", 30, 1e-2, 180.0)]


def points(data: str, n: int) -> np.ndarray:
    return ag.data.half_circle(n) if data == "half circle" else ag.data.sphere(n, 3, seed=0)


def run_case(act, data, n, width, target) -> dict:
    X = points(data, n)
    _hermite._CACHE.clear()  # cold: the coefficient cost is part of the first call
    t0 = time.perf_counter()
    try:
        res = certified_spectrum(X, act, 1, rel_width=width)
    except CertificationError as exc:  # recorded, not hidden
        seconds = time.perf_counter() - t0
        print(f"{act:>5} {data:>11} n={n:3d}: no certificate ({exc}), {seconds:.1f} s", flush=True)
        return {"activation": act, "data": data, "n": n, "target_relative_width": width,
                "target_seconds": target, "seconds": seconds, "error": str(exc), "met": False}
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    est = ag.lambda_min(X, act)
    est_seconds = time.perf_counter() - t1
    f64 = float(np.linalg.eigvalsh(ag.gram_inf(X, act))[0])
    lo, hi = max(float_down(res.lower[0]), 0.0), float_up(res.upper[0])
    rel = res.relative_width(0)
    row = {
        "activation": act, "data": data, "n": n, "target_relative_width": width,
        "target_seconds": target, "seconds": seconds, "seconds_split": res.seconds,
        "bits": res.bits, "attempts": res.attempts, "cluster": res.cluster[0],
        "certified": res.describe(0, 4), "lower": lo, "upper": hi, "relative_width": rel,
        "norm_upper": float_up(res.norm),
        "estimated": {"method": est.method, "lower": est.lower, "upper": est.upper,
                      "resolved": est.resolved, "seconds": est_seconds},
        "float64_eigvalsh": f64, "float64_floor": est.floor,
        "contradicts_estimated": bool(hi < est.lower or est.upper < lo),
        "met": bool(rel <= width and seconds <= target),
        "load_average": list(os.getloadavg()),
    }
    print(f"{act:>5} {data:>11} n={n:3d}: {row['certified']:>26}  rel {rel:.1e}  "
          f"{seconds:6.1f} s (entries {res.seconds['entries']:.1f}, basis {res.seconds['basis']:.1f}, "
          f"certificate {res.seconds['certificate']:.1f})  {res.bits} bits, {res.attempts} attempts; "
          f"estimated [{est.lower:.2e}, {est.upper:.2e}]; met: {row['met']}", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    ap.add_argument("--only", type=int, nargs="*", help="re-run these case indices (0-based) and "
                    "replace their rows in the existing file")
    args = ap.parse_args()
    flint = require()
    flint.ctx.threads = 1
    dest = ROOT / "src" / "actgram" / "benchmark_results" / "certify_cpu.json"
    if args.only:
        old = json.loads(dest.read_text())["rows"]
        rows = [run_case(*c) if i in args.only else old[i] for i, c in enumerate(CASES)]
    else:
        rows = [run_case(*c) for c in (QUICK if args.quick else CASES)]
    out = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.machine(), "cpu_count": os.cpu_count(), "threads": 1,
        "python_flint": flint.__version__, "load_average": list(os.getloadavg()),
        "quick": args.quick, "rows": rows,
    }
    if args.quick:
        dest = HERE / "results" / "certify_cpu_quick.json"
    dest.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
