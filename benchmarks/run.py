"""The CPU benchmark table: actgram against named baselines, ratios measured in the same run.

    python benchmarks/run.py [--quick] [--no-nt]

Sections (each row: what, baseline, ratio, errors):
  A. gram_inf vs neural-tangents 0.6.5 (generic ElementwiseNumerical for tanh, closed-form ReLU NTK),
     n in {100, 400, 1000}; entry errors against 20-digit mpmath references on sampled entries.
     nt runs in its own venv (bash benchmarks/setup_nt_env.sh) through nt_worker.py; skipped if absent.
  B. gram_inf vs the finite-width Monte Carlo estimate gram_init(m): error at several m, fitted
     err = C m^-1/2, the m (and time) needed to match actgram's error, extrapolated.
  C. lambda_min (brackets) vs numpy eigvalsh: cost ratio and what each reports below the float64 floor.
  D. The trainer (train_two_layer): steps per second and matmul FLOP/s at n = 1000, m = 10000, d = 50,
     against the same three matmuls alone in torch (the measured ceiling of a step on this machine).
  E. Matrix-free lambda_min (method="matrix-free") vs dense eigvalsh at n = 2000.
  F. Speed targets of the fused kernel evaluation (actgram._fused, numba): gram_inf(X, "tanh") in ns per
     entry at n = 400, 1000, 2000 against the matrix product alone (the floor) and the numpy route
     (ACTGRAM_NUMBA=0) measured in the same run; medians of repeated warm calls; the ratios to nt from A
     (medians); numba's compile time (first call with an empty cache) and cached first call.
Writes benchmarks/results/cpu_<date>.json and .csv (and copies them to src/actgram/benchmark_results/).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import mpmath as mp
import numpy as np

import actgram as ag

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
from reference import kappa_gl  # noqa: E402  (20-digit reference, tests/reference.py)

NT_PY = HERE / ".nt-venv" / "bin" / "python"


def timed(fn, repeat=2):
    """(result, [seconds per call]) for ``repeat`` calls."""
    ts, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return out, ts


def sample_pairs(A, B, k=6, seed=0):
    """Entries to check: (0, 0), the k pairs where A and B differ most, k random pairs."""
    n = A.shape[0]
    diff = np.abs(A - B)
    np.fill_diagonal(diff, -1)
    top = np.dstack(np.unravel_index(np.argsort(diff.ravel())[::-1][:2 * k], diff.shape))[0]
    top = [tuple(p) for p in top if p[0] < p[1]][:k]
    rng = np.random.default_rng(seed)
    rnd = [tuple(sorted(rng.choice(n, 2, replace=False))) for _ in range(k)]
    return [(0, 0)] + top + rnd


def rho_mp(X, i, j):
    if i == j:  # unit rows: the diagonal is exactly rho = 1 (as in actgram and nt)
        return mp.mpf(1)
    return mp.fsum(mp.mpf(float(a)) * mp.mpf(float(b)) for a, b in zip(X[i], X[j], strict=True))


def ref_tanh_G(X, i, j):
    with mp.workdps(20):
        rho = rho_mp(X, i, j)
        return float(rho * kappa_gl(lambda z: mp.sech(z) ** 2, rho, nodes=30))


def ref_relu_ntk(X, i, j):
    with mp.workdps(30):
        rho = rho_mp(X, i, j)
        rho = min(rho, mp.mpf(1))
        th = mp.acos(rho)
        return float((rho * (mp.pi - th) + mp.sin(th) + (mp.pi - th) * rho) / (2 * mp.pi))


def section_nt(ns, use_nt):
    rows = []
    for n in ns:
        X = ag.data.sphere(n, 10, seed=0)
        ag.kernels._TABLES.clear()
        t0 = time.perf_counter()
        Gt = ag.gram_inf(X, "tanh")
        cold = time.perf_counter() - t0
        # warm calls only; the fastest of five (timeit's convention: the least disturbed call)
        Gt, ts_t = timed(lambda X=X: ag.gram_inf(X, "tanh"), repeat=5)
        Kr, ts_r = timed(lambda X=X: ag.kernel_inf(X, "relu", "ntk"), repeat=5)
        row = {"n": n, "d": 10, "actgram_tanh_G_s": min(ts_t), "actgram_tanh_G_first_call_s": cold,
               "actgram_relu_ntk_s": min(ts_r), "actgram_tanh_G_all_s": ts_t, "actgram_relu_ntk_all_s": ts_r,
               "actgram_tanh_G_median_s": float(np.median(ts_t)),
               "actgram_relu_ntk_median_s": float(np.median(ts_r))}
        Nt = Nr = None
        if use_nt:
            with tempfile.TemporaryDirectory() as tmp:
                np.savez(f"{tmp}/x.npz", X=X)
                subprocess.run([str(NT_PY), str(HERE / "nt_worker.py"), f"{tmp}/x.npz", f"{tmp}/o.json"],
                               check=True, capture_output=True)
                info = json.loads(Path(f"{tmp}/o.json").read_text())
                Nt = np.load(f"{tmp}/o.json.tanh.npy")
                Nr = np.load(f"{tmp}/o.json.relu.npy")
            tt, tr = info["tanh_generic_s"], info["relu_closed_s"]
            row.update({"nt_version": info["nt_version"], "nt_deg": info["deg"],
                        "nt_tanh_G_s": min(tt[1:]), "nt_tanh_G_first_call_s": tt[0],
                        "nt_relu_ntk_s": min(tr[1:]), "nt_relu_ntk_first_call_s": tr[0],
                        "nt_tanh_G_all_s": tt, "nt_relu_ntk_all_s": tr,
                        "nt_tanh_G_median_s": float(np.median(tt[1:])),
                        "nt_relu_ntk_median_s": float(np.median(tr[1:]))})
            row["speedup_tanh"] = row["nt_tanh_G_s"] / row["actgram_tanh_G_s"]
            row["speedup_relu"] = row["nt_relu_ntk_s"] / row["actgram_relu_ntk_s"]
            row["speedup_tanh_median"] = row["nt_tanh_G_median_s"] / row["actgram_tanh_G_median_s"]
            row["speedup_relu_median"] = row["nt_relu_ntk_median_s"] / row["actgram_relu_ntk_median_s"]
        pairs_t = sample_pairs(Gt, Nt if Nt is not None else Gt)
        pairs_r = sample_pairs(Kr, Nr if Nr is not None else Kr)
        ref_t = np.array([ref_tanh_G(X, i, j) for i, j in pairs_t])
        ref_r = np.array([ref_relu_ntk(X, i, j) for i, j in pairs_r])
        row["entries_checked"] = len(pairs_t)
        row["actgram_tanh_err"] = float(max(abs(Gt[i, j] - r) for (i, j), r in zip(pairs_t, ref_t, strict=True)))
        row["actgram_relu_err"] = float(max(abs(Kr[i, j] - r) for (i, j), r in zip(pairs_r, ref_r, strict=True)))
        if Nt is not None:
            row["nt_tanh_err"] = float(max(abs(Nt[i, j] - r) for (i, j), r in zip(pairs_t, ref_t, strict=True)))
            row["nt_relu_err"] = float(max(abs(Nr[i, j] - r) for (i, j), r in zip(pairs_r, ref_r, strict=True)))
        rows.append(row)
        print(f"  A n={n}: " + ", ".join(f"{k}={v:.3g}" for k, v in row.items() if isinstance(v, float)))
    return rows


def section_mc(n, ms, target_err):
    X = ag.data.sphere(n, 10, seed=0)
    G = ag.gram_inf(X, "tanh")
    rows = []
    for m in ms:
        W = ag.sample_weights(m, 10, seed=1)
        G0, ts = timed(lambda W=W: ag.gram_init(X, W, "tanh"), repeat=1)
        rows.append({"m": m, "max_entry_error": float(np.max(np.abs(G0 - G))), "seconds": ts[-1]})
    m_arr = np.array([r["m"] for r in rows], float)
    e_arr = np.array([r["max_entry_error"] for r in rows])
    slope, logc = np.polyfit(np.log(m_arr), np.log(e_arr), 1)
    C = float(np.exp(np.mean(np.log(e_arr) + 0.5 * np.log(m_arr))))  # err = C m^-1/2, slope fixed
    m_needed = (C / target_err) ** 2
    t_per_neuron = rows[-1]["seconds"] / rows[-1]["m"]
    t_gram = timed(lambda: ag.gram_inf(X, "tanh"))[1][-1]
    out = {"n": n, "rows": rows, "fitted_slope": float(slope), "C_at_slope_-1/2": C, "target_error": target_err,
           "m_needed": m_needed, "seconds_needed_extrapolated": m_needed * t_per_neuron,
           "actgram_seconds": t_gram, "ratio": m_needed * t_per_neuron / t_gram}
    print(f"  B n={n}: slope {slope:.3f}, C {C:.3g}, m needed {m_needed:.2g}, ratio {out['ratio']:.2g}")
    return out


def section_eig(ns_arc):
    rows = []
    for n in ns_arc:
        X = ag.data.arc(n, math.pi / n)
        lam_np, ts_np = timed(lambda X=X: np.linalg.eigvalsh(ag.gram_inf(X, "tanh"))[0])
        ag.lambda_min(X, "tanh")  # coefficients cached (first call per activation)
        lm, ts_lm = timed(lambda X=X: ag.lambda_min(X, "tanh"))
        rows.append({"case": f"tanh, {n} points on a half circle", "n": n, "eigvalsh_s": ts_np[-1],
                     "eigvalsh_reports": float(lam_np), "lambda_min_s": ts_lm[-1], "lambda_min_method": lm.method,
                     "lambda_min_reports": lm.describe(), "lambda_min_lower": lm.lower, "lambda_min_upper": lm.upper,
                     "floor": lm.floor, "cost_ratio": ts_lm[-1] / ts_np[-1]})
    X = ag.data.sphere(1000, 10, seed=0)
    lam_np, ts_np = timed(lambda: np.linalg.eigvalsh(ag.gram_inf(X, "relu"))[0])
    lm, ts_lm = timed(lambda: ag.lambda_min(X, "relu"))
    rows.append({"case": "relu, 1000 points on the sphere in R^10", "n": 1000, "eigvalsh_s": ts_np[-1],
                 "eigvalsh_reports": float(lam_np), "lambda_min_s": ts_lm[-1], "lambda_min_method": lm.method,
                 "lambda_min_reports": lm.describe(), "lambda_min_lower": lm.lower, "lambda_min_upper": lm.upper,
                 "floor": lm.floor, "cost_ratio": ts_lm[-1] / ts_np[-1]})
    for r in rows:
        print(f"  C {r['case']}: eigvalsh {r['eigvalsh_reports']:.3g} in {r['eigvalsh_s']:.3g} s; "
              f"lambda_min {r['lambda_min_reports']} in {r['lambda_min_s']:.3g} s")
    return rows


def bare_matmul_seconds(n, m, d, dtype, repeat=5):
    """The fastest of ``repeat`` runs of a step's three matmuls alone in torch (same shapes and dtype):
    Z = X W^T (n x d x m), u = P a (n x m), grad = P^T X (m x n x d). The baseline of section D."""
    import torch

    dt = getattr(torch, dtype)
    g = torch.Generator().manual_seed(0)
    X, W = torch.randn(n, d, generator=g, dtype=dt), torch.randn(m, d, generator=g, dtype=dt)
    a, P = torch.randn(m, generator=g, dtype=dt), torch.randn(n, m, generator=g, dtype=dt)

    def step():
        return X @ W.T, P @ a, P.T @ X

    step()
    return min(timed(step, repeat=repeat)[1])


def section_train(n, m, d, steps):
    import torch

    X = ag.data.sphere(n, d, seed=0)
    y = np.sign(X[:, 0])
    rows = []
    for act in ("relu", "tanh"):
        for dtype in ("float64", "float32"):
            # (run with 1 + steps steps) - (run with 1 step), each the fastest of three: the setup
            # (weights, G0 and its eigendecomposition) cancels, the noise of a shared machine mostly does too
            short = min(timed(lambda a=act, t=dtype: ag.train_two_layer(X, y, a, m, steps=1, dtype=t, device="cpu"),
                              repeat=3)[1])
            long = min(timed(lambda a=act, t=dtype: ag.train_two_layer(X, y, a, m, steps=1 + steps, dtype=t,
                                                                        device="cpu"), repeat=3)[1])
            per_step = (long - short) / steps
            flops = 4.0 * n * d * m + 2.0 * n * m  # Z = X W^T, u = phi(Z) a, grad = (.)^T X
            bare = bare_matmul_seconds(n, m, d, dtype)
            rows.append({"activation": act, "dtype": dtype, "n": n, "m": m, "d": d, "steps_timed": steps,
                         "seconds_per_step": per_step, "steps_per_second": 1.0 / per_step,
                         "matmul_flops_per_step": flops, "matmul_gflops": flops / per_step / 1e9,
                         "bare_matmul_s": bare, "bare_matmul_gflops": flops / bare / 1e9,
                         "fraction_of_bare_matmul": bare / per_step,
                         "elementwise_entries_per_second": n * m / per_step, "torch_threads": torch.get_num_threads()})
            print(f"  D {act} {dtype}: {1 / per_step:.3g} steps/s, {flops / per_step / 1e9:.3g} GFLOP/s (matmul), "
                  f"{bare / per_step:.2f} of the bare matmuls' speed ({flops / bare / 1e9:.3g} GFLOP/s)")
    return rows


def section_large(n):
    X = ag.data.sphere(n, 10, seed=0)
    r, ts = timed(lambda: ag.smallest_eigenvalues(X, "relu", 1, method="matrix-free", device="cpu",
                                                 options={"tol": 1e-4}), repeat=1)
    lam, ts_d = timed(lambda: np.linalg.eigvalsh(ag.gram_inf(X, "relu"))[0], repeat=1)
    out = {"n": n, "matrix_free_s": ts[-1], "products": r.products, "value": float(r.value[0]),
           "residual": float(r.residual[0]), "floor": r.radius, "reports": r.describe(), "dense_s": ts_d[-1],
           "dense_value": float(lam), "abs_difference": float(abs(lam - r.value[0])), "ratio": ts[-1] / ts_d[-1]}
    print(f"  E n={n}: matrix-free {out['reports']} in {ts[-1]:.3g} s ({r.products} products), "
          f"dense {lam:.6g} in {ts_d[-1]:.3g} s")
    return out


def _median_time(fn, repeat):
    fn()  # warm
    return float(np.median(timed(fn, repeat=repeat)[1]))


def _median_cpu(fn, repeat):
    """Median CPU time (all threads of this process) of warm calls: the work itself, which a
    machine shared with other jobs does not inflate the way it inflates the wall-clock time."""
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return float(np.median(out))


COMPILE_CODE = """
import time, numpy as np, actgram as ag
X = ag.data.sphere(200, 10, seed=0)
ag.kernels.theta_table("tanh", "derivative")  # builds the table (numpy, not timed here)
t0 = time.perf_counter(); ag.gram_inf(X, "tanh"); t1 = time.perf_counter()
ag.kernel_inf(X, "relu", "ntk"); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def numba_compile_seconds():
    """First fused calls in fresh processes: with an empty numba cache (compilation) and again
    (loaded from the cache); (tanh table pass, arc-cosine pass) each."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=tmp)
        out = []
        for _ in range(2):
            p = subprocess.run([sys.executable, "-c", COMPILE_CODE], env=env, capture_output=True, text=True,
                               check=True)
            out.append([float(v) for v in p.stdout.split()])
    return {"compile_tanh_s": out[0][0], "compile_relu_ntk_s": out[0][1],
            "cached_first_call_tanh_s": out[1][0], "cached_first_call_relu_ntk_s": out[1][1]}


def _matmul_one_thread(X):
    """The product the fused route starts from, as it computes it (BLAS on one thread)."""
    from actgram import _fused

    with _fused._one_blas_thread():
        return X @ X.T


def section_speed(ns, rows_a, quick):
    from actgram import _fused

    rows = []
    reps = 3 if quick else 7
    for n in ns:
        X = ag.data.sphere(n, 10, seed=0)
        e = n * n * 1e-9
        row = {"n": n, "d": 10, "fused": _fused.enabled(),
               "matmul_ns_per_entry": _median_time(lambda X=X: _matmul_one_thread(X), reps) / e,
               "matmul_default_threads_ns_per_entry": _median_time(lambda X=X: X @ X.T, reps) / e,
               "tanh_ns_per_entry": _median_time(lambda X=X: ag.gram_inf(X, "tanh"), reps) / e,
               "relu_ntk_ns_per_entry": _median_time(lambda X=X: ag.kernel_inf(X, "relu", "ntk"), reps) / e,
               "tanh_cpu_ns_per_entry": _median_cpu(lambda X=X: ag.gram_inf(X, "tanh"), reps) / e,
               "relu_ntk_cpu_ns_per_entry": _median_cpu(lambda X=X: ag.kernel_inf(X, "relu", "ntk"), reps) / e,
               "threads": _fused._max_threads() if _fused.enabled() and n * n >= _fused.PARALLEL_MIN else 1,
               "load_average": os.getloadavg()[0]}
        old = os.environ.get("ACTGRAM_NUMBA")
        os.environ["ACTGRAM_NUMBA"] = "0"
        try:
            row["numpy_route_tanh_ns_per_entry"] = _median_time(lambda X=X: ag.gram_inf(X, "tanh"), 3) / e
            row["numpy_route_relu_ntk_ns_per_entry"] = _median_time(
                lambda X=X: ag.kernel_inf(X, "relu", "ntk"), 3) / e
        finally:
            if old is None:
                del os.environ["ACTGRAM_NUMBA"]
            else:
                os.environ["ACTGRAM_NUMBA"] = old
        row["tanh_speedup_vs_numpy_route"] = row["numpy_route_tanh_ns_per_entry"] / row["tanh_ns_per_entry"]
        row["relu_ntk_speedup_vs_numpy_route"] = (row["numpy_route_relu_ntk_ns_per_entry"]
                                                  / row["relu_ntk_ns_per_entry"])
        rows.append(row)
        print(f"  F n={n}: " + ", ".join(f"{k}={v:.3g}" for k, v in row.items() if isinstance(v, float)))
    out = {"rows": rows, "load_average": list(os.getloadavg())}
    if _fused.enabled():
        import numba

        out["numba_version"] = numba.__version__
        out["numba_threads"] = numba.get_num_threads()
        out.update(numba_compile_seconds())
    a = {r["n"]: r for r in rows_a}
    f = {r["n"]: r for r in rows}
    t = {}
    if 2000 in f:
        t["tanh_ns_per_entry_n2000"] = {"value": f[2000]["tanh_ns_per_entry"], "target": 20.0,
                                        "met": f[2000]["tanh_ns_per_entry"] <= 20.0,
                                        "floor_matmul_ns_per_entry": f[2000]["matmul_ns_per_entry"]}
    if 400 in a and "speedup_tanh_median" in a[400]:
        v = a[400]["speedup_tanh_median"]
        t["speedup_tanh_vs_nt_n400"] = {"value": v, "target": 500.0, "met": v >= 500.0}
    if 1000 in a and "speedup_relu_median" in a[1000]:
        v = a[1000]["speedup_relu_median"]
        t["speedup_relu_ntk_vs_nt_n1000"] = {"value": v, "target": 1.0, "met": v >= 1.0}
    errs = [max(r["actgram_tanh_err"], r["actgram_relu_err"]) for r in rows_a]
    if errs:
        t["accuracy"] = {"value": max(errs), "target": 1e-14, "met": max(errs) <= 1e-14}
    out["targets"] = t
    for k, v in t.items():
        print(f"  F target {k}: {v['value']:.3g} (target {v['target']:g}) {'met' if v['met'] else 'NOT met'}")
    return out


def flat_rows(res):
    """CSV rows: section, label, key, value."""
    out = []
    for sec, val in res["sections"].items():
        items = val if isinstance(val, list) else [val]
        for i, it in enumerate(items):
            for k, v in it.items():
                if isinstance(v, (int, float, str)):
                    out.append({"section": sec, "row": i, "key": k, "value": v})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (for tests; seconds)")
    ap.add_argument("--no-nt", action="store_true", help="skip neural-tangents even if its venv exists")
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--sections", default="ABCDEF", help="which sections to run (letters), e.g. AF")
    args = ap.parse_args()
    use_nt = NT_PY.exists() and not args.no_nt
    if not use_nt:
        print("neural-tangents venv absent or disabled (bash benchmarks/setup_nt_env.sh): section A without nt")
    q = args.quick
    t_start = time.perf_counter()
    res = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": q,
           "machine": platform.machine(), "processor": platform.processor(), "cpu_count": os.cpu_count(),
           "load_average_start": list(os.getloadavg()), "numpy": np.__version__, "actgram": ag.__version__,
           "sections": {}}
    S = res["sections"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = ("cpu_quick_" if q else "cpu_") + res["date"][:10]

    def save():
        res["load_average_end"] = list(os.getloadavg())
        res["total_seconds"] = time.perf_counter() - t_start
        (out / f"{stem}.json").write_text(json.dumps(res, indent=1))

    secs = args.sections.upper()
    if secs != "ABCDEF":
        # a partial run: the other sections are taken over from the newest earlier full run, named
        prev = sorted(p for p in out.glob("cpu_quick_*.json" if q else "cpu_2*.json") if p.stem != stem)
        if prev:
            old = json.loads(prev[-1].read_text())
            for k, v in old["sections"].items():
                if k[0] not in secs:
                    S[k] = v
                    res.setdefault("sections_from", {})[k] = f"{prev[-1].name} ({old['date']})"
    if "A" in secs:
        S["A_kernels_vs_nt"] = section_nt([60] if q else [100, 400, 1000], use_nt)
        save()
    target = max((r["actgram_tanh_err"] for r in S.get("A_kernels_vs_nt", [])), default=1e-16)
    if "B" in secs:
        S["B_monte_carlo"] = section_mc(60 if q else 100, [100, 1000] if q else [100, 1000, 10000, 100000],
                                        max(target, 1e-16))
        save()
    if "C" in secs:
        S["C_lambda_min_vs_eigvalsh"] = section_eig([20] if q else [40, 80, 160])
        save()
    if "D" in secs:
        S["D_trainer"] = section_train(*((100, 500, 10, 2) if q else (1000, 10000, 50, 10)))
        save()
    if "E" in secs:
        S["E_matrix_free"] = section_large(300 if q else 2000)
        save()
    if "F" in secs:
        S["F_speed_targets"] = section_speed([200] if q else [400, 1000, 2000], S.get("A_kernels_vs_nt", []), q)
        save()
    with open(out / f"{stem}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["section", "row", "key", "value"])
        w.writeheader()
        w.writerows(flat_rows(res))
    if not q and out == HERE / "results":
        pkg = ROOT / "src" / "actgram" / "benchmark_results"
        pkg.mkdir(exist_ok=True)
        shutil.copy(out / f"{stem}.json", pkg / f"{stem}.json")
    print(f"total {res['total_seconds']:.0f} s; wrote {out / stem}.json/.csv")


if __name__ == "__main__":
    main()
