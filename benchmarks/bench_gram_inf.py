"""Time and accuracy of actgram.gram_inf for every built-in activation.

    python benchmarks/bench_gram_inf.py [--n 2000] [--d 50]

Times the first call (which builds the activation's interpolation table, if it needs one)
and a second call (also in ns per entry; the fused numba route when numba is installed, see
actgram._fused), for n points on the sphere in R^d, and writes the table to
benchmarks/results/gram_inf.json. Accuracy is measured separately in the tests against
20-digit references (tests/test_kernels.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import actgram as ag
from actgram import kernels

NAMES = ["relu", "leaky_relu", "abs", "relu_power", "elu", "selu", "gelu", "softplus", "sigmoid",
         "tanh", "swish", "erf", "sin", "polynomial", "monomial"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=50)
    args = ap.parse_args()
    X = ag.data.sphere(args.n, args.d, seed=0)
    rows = []
    print(f"gram_inf, n = {args.n}, d = {args.d} ({platform.processor() or platform.machine()})")
    print(f"{'activation':12s} {'first call [s]':>15s} {'second call [s]':>16s} {'ns/entry':>9s}  table error")
    for name in NAMES:
        kernels._TABLES.clear()
        t0 = time.perf_counter()
        G = ag.gram_inf(X, name)
        t1 = time.perf_counter()
        ag.gram_inf(X, name)
        t2 = time.perf_counter()
        key = (ag.activation(name).name, "derivative")
        err = kernels._TABLES[key].error if key in kernels._TABLES else None
        assert np.all(np.isfinite(G))
        ns = (t2 - t1) / args.n**2 * 1e9
        rows.append({"activation": name, "first_s": t1 - t0, "second_s": t2 - t1, "ns_per_entry": ns,
                     "table_error": err})
        es = "closed form" if err is None else f"{err:.1e}"
        print(f"{name:12s} {t1 - t0:15.2f} {t2 - t1:16.2f} {ns:9.1f}  {es}")
    out = Path(__file__).parent / "results" / "gram_inf.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"n": args.n, "d": args.d, "rows": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
