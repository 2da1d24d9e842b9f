"""First-call time of user callables: ``gram_inf`` + ``kernel_inf(kind="K")``.

    python benchmarks/first_call.py [--repeats 3] [--profile] [--only Erf,Exp]

For every case of benchmarks/peer_nt.py whose default user path is a plain callable
(the activation builders are imported from there), a fresh activation is wrapped and
``gram_inf(X, act)`` then ``kernel_inf(X, act, kind="K")`` are called on the suite's 67
unit points in R^3: the time of both calls together, table building included, is the
first-call time (a refusal, such as G of ``np.sign``, counts as the call). Each case is
timed ``--repeats`` times with a fresh activation each time; the case's figure is the
minimum of its repeats (the machine is shared), the summary the median and the maximum
over cases, with the load average. ``--profile`` prints cProfile's top functions over
all cases instead. Writes results/first_call.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import actgram as ag

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peer_nt  # noqa: E402  (the suite's points and activation builders)


def callable_cases() -> list[dict]:
    """The peer suite's cases whose actgram path is a plain callable."""
    return [c for c in peer_nt.cases() if c["path"].startswith("callable")]


def fresh(c: dict):
    """A new Activation for the case (nothing cached from an earlier call)."""
    spec = c["ag"]
    fn, kw = spec if isinstance(spec, tuple) else (spec, {})
    return ag.activation(fn, **kw)


def first_call(X: np.ndarray, c: dict) -> tuple[float, list[str]]:
    """Seconds for wrapping + G + K of a fresh activation, and the warnings raised."""
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        act = fresh(c)
        try:
            ag.gram_inf(X, act)
        except ValueError as exc:  # G refused (derivative zero almost everywhere)
            if "derivative zero" not in str(exc):
                raise
        ag.kernel_inf(X, act, kind="K")
        dt = time.perf_counter() - t0
    return dt, [str(w.message)[:160] for w in wl]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated families (not saved)")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()
    X, _ = peer_nt.points()
    cs = callable_cases()
    if args.only:
        cs = [c for c in cs if c["family"] in args.only.split(",")]
    first_call(X, cs[0])  # imports and compiled code warmed up, not counted
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for c in cs:
            first_call(X, c)
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
        print(s.getvalue())
        return
    load0 = list(os.getloadavg())
    rows = []
    for c in cs:
        times, warns = [], []
        for _ in range(args.repeats):
            dt, warns = first_call(X, c)
            times.append(dt)
        rows.append({"family": c["family"], "label": c["label"], "path": c["path"],
                     "seconds_min": min(times), "seconds_all": times, "warnings": warns})
        print(f"  {c['family']:10s} {c['label']:24s} min {min(times):6.2f} s "
              f"(all {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    best = [r["seconds_min"] for r in rows]
    res = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "command": "python benchmarks/first_call.py --repeats "
                      f"{args.repeats}",
           "n_points": int(X.shape[0]), "repeats": args.repeats,
           "cpu_count": os.cpu_count(), "load_average_start": load0,
           "load_average_end": list(os.getloadavg()),
           "median_s": statistics.median(best), "max_s": max(best), "cases": rows}
    print(f"{len(rows)} callables: median {res['median_s']:.2f} s, max "
          f"{res['max_s']:.2f} s (load {load0[0]:.2f} -> {res['load_average_end'][0]:.2f})")
    if args.only:
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "first_call.json").write_text(json.dumps(res, indent=1))
    print(f"wrote {out / 'first_call.json'}")


if __name__ == "__main__":
    main()
