"""Peer suite: actgram against neural-tangents' closed-form activation families, mpmath settling.

    python benchmarks/peer_nt.py [--quick] [--out DIR]

For each family of neural-tangents 0.6.5 (Erf, Sin, Cos with scale and phase, Gaussian, Exp, Rbf,
Gabor, Hermite, Monomial, RectifiedMonomial, Polynomial, asymmetric ABRelu, Sign, Relu,
LeakyRelu, Abs, Gelu exact and approximate) and several parameters each, on 67 unit points in
R^3 (55 random, 6 near-duplicates and 6 near-antipodes of random points, at distances 1e-15 to
1e-3), both tools compute the random-features kernel K = E[phi(u) phi(v)] and the trained-first-
layer Gram matrix G = rho E[phi'(u) phi'(v)] (nt: nngp and ntk of [Dense(W_std=sqrt(d)), layer]).
actgram takes its DEFAULT user path: the built-in name where one exists, else a plain numpy
callable with no derivative (piecewise ones declare their kink at 0, as documented). A fresh
activation per case; the first call's time (table building included) is recorded.

References (mpmath, 30 digits, at the exact angle of the float64 points, computed from the rows
in 60 digits): closed forms in rho (Erf, Sin/Cos/Rbf, Gaussian, Exp, Gabor with Price's theorem for its
G, polynomials by their exact Hermite expansion) on every entry; for the positively homogeneous families (ReLU,
leaky, abs, ABRelu, sign, rectified monomials) the angular integral
(2^n n! / 2 pi) int g(cos t) g(cos(t - theta)) dt by tanh-sinh quadrature split at the kinks, and
for Gelu Cartesian Gauss-Legendre in 20 digits (actgram.mpref.kappa_gl), on sampled
entries (two diagonal entries, all 12 near pairs, 6 random pairs, the 4 pairs where the tools
differ most). Errors are relative to max(1, |entry|). Writes results/peer_nt.json (and a copy in
src/actgram/benchmark_results/).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import mpmath as mp
import numpy as np
from scipy import special

import actgram as ag
from actgram import kernels
from actgram.mpref import kappa_gl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NT_PY = HERE / ".nt-venv" / "bin" / "python"
TOL = 1e-12
EPS_NEAR = [1e-15, 1e-12, 1e-9, 1e-7, 1e-5, 1e-3]


def points(n_random: int = 55, d: int = 3, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Unit rows: random points, then a near-duplicate and a near-antipode of each of the first
    six at distance ~eps; returns X and the kind of each row ("random", "dup eps", "anti eps")."""
    rng = np.random.default_rng(seed)
    X = ag.data.sphere(n_random, d, seed=seed)
    rows, kinds = [X], ["random"] * n_random
    for sign, tag in ((1.0, "dup"), (-1.0, "anti")):
        for k, eps in enumerate(EPS_NEAR):
            y = sign * X[k] + eps * rng.standard_normal(d) / math.sqrt(d)
            rows.append((y / np.linalg.norm(y))[None])
            kinds.append(f"{tag} {eps:.0e}")
    return np.vstack(rows), kinds


def exact_angles(X: np.ndarray):
    """rho_ij and theta_ij of the float64 rows (as rays) in 60 digits, as mp numbers (i <= j)."""
    n = X.shape[0]
    with mp.workdps(60):
        rows = [[mp.mpf(float(v)) for v in x] for x in X]
        unit = []
        for r in rows:
            nr = mp.sqrt(mp.fsum(v * v for v in r))
            unit.append([v / nr for v in r])
        rho, theta = {}, {}
        for i in range(n):
            for j in range(i, n):
                a = mp.sqrt(mp.fsum((p - q) ** 2 for p, q in zip(unit[i], unit[j], strict=True)))
                b = mp.sqrt(mp.fsum((p + q) ** 2 for p, q in zip(unit[i], unit[j], strict=True)))
                th = 2 * mp.atan2(a, b)
                theta[i, j] = th
                rho[i, j] = mp.cos(th)
    return rho, theta


# --------------------------------------------------------------------------------------------
# references: each returns (kappa_ff, kappa_dd) as functions of (rho, theta) in mp
# --------------------------------------------------------------------------------------------

def _one_minus(th):  # 1 - rho and 1 + rho without cancellation
    return 2 * mp.sin(th / 2) ** 2, 2 * mp.cos(th / 2) ** 2


def ref_erf(a, b, c):
    a, b, c = mp.mpf(a), mp.mpf(b), mp.mpf(c)
    ff = lambda r, t: a * a * 2 / mp.pi * mp.asin(2 * b * b * r / (1 + 2 * b * b)) + c * c  # noqa: E731
    dd = lambda r, t: a * a * b * b * 4 / mp.pi / mp.sqrt((1 + 2 * b * b) ** 2 - 4 * b**4 * r * r)  # noqa: E731
    return ff, dd


def ref_sin(a, b, c):
    a, b, c = mp.mpf(a), mp.mpf(b), mp.mpf(c)

    def ff(r, t):
        om, op = _one_minus(t)
        return a * a / 2 * (mp.exp(-b * b * om) - mp.exp(-b * b * op) * mp.cos(2 * c))

    def dd(r, t):
        om, op = _one_minus(t)
        return a * a * b * b / 2 * (mp.exp(-b * b * om) + mp.exp(-b * b * op) * mp.cos(2 * c))

    return ff, dd


def ref_gaussian(a, b):
    a, b = mp.mpf(a), mp.mpf(b)

    def D(r):
        return (1 - 2 * b) ** 2 - 4 * b * b * r * r

    return (lambda r, t: a * a / mp.sqrt(D(r)),
            lambda r, t: 4 * a * a * b * b * r / D(r) ** mp.mpf(1.5))


def ref_exp(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    return (lambda r, t: a * a * mp.exp(b * b * _one_minus(t)[1]),
            lambda r, t: a * a * b * b * mp.exp(b * b * _one_minus(t)[1]))


def ref_gabor_ff(r, t):
    """E[e^{-u^2-v^2} sin u sin v] = (1/2) det(I + 2S)^(-1/2) [e^{-q(1,-1)/2} - e^{-q(1,1)/2}],
    q(s) = s^T S (I + 2S)^(-1) s, S = [[1, r], [r, 1]] (Gaussian integral with a linear phase)."""
    S = mp.matrix([[1, r], [r, 1]])
    A = mp.eye(2) + 2 * S
    M = S * mp.inverse(A)
    q = [(mp.matrix([[1, s]]) * M * mp.matrix([[1], [s]]))[0] for s in (-1, 1)]
    return (mp.exp(-q[0] / 2) - mp.exp(-q[1] / 2)) / (2 * mp.sqrt(mp.det(A)))


def _herm_series(coefs):
    """k! c_k^2 of a polynomial (monomial coefficients) in the He_k basis, exactly in mp:
    E[p(u) p(v)] = sum_k k! c_k^2 rho^k."""
    a = [mp.mpf(float(v)) for v in coefs]
    deg = len(a) - 1
    he = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]  # He_k monomial coefficients
    for k in range(1, deg):
        nxt = [mp.mpf(0)] + he[k]
        for i, v in enumerate(he[k - 1]):
            nxt[i] -= k * v
        he.append(nxt)

    def moment(m):  # E g^m
        return mp.mpf(0) if m % 2 else mp.fac2(m - 1) if m else mp.mpf(1)

    out = []
    for k in range(deg + 1):
        s = mp.fsum(am * hk * moment(m + i) for m, am in enumerate(a) for i, hk in enumerate(he[k]))
        out.append(s * s / mp.factorial(k))  # (E[p He_k])^2 / k! = k! c_k^2
    return out


def ref_poly(coefs):
    coefs = [float(v) for v in coefs]
    der = [k * coefs[k] for k in range(1, len(coefs))] or [0.0]
    wf, wd = _herm_series(coefs), _herm_series(der)
    return (lambda r, t: mp.fsum(w * r**k for k, w in enumerate(wf)),
            lambda r, t: mp.fsum(w * r**k for k, w in enumerate(wd)))


def ref_homogeneous(g, n):
    """(2^n n! / 2 pi) int_0^{2pi} g(cos t) g(cos(t - theta)) dt for phi(r c) = r^n g(c), split at
    the kinks t = pi/2, 3pi/2, theta + pi/2, theta + 3pi/2 (tanh-sinh on each piece)."""
    def kappa(r, t):
        pts = sorted({mp.mpf(0), 2 * mp.pi} | {(t + s * mp.pi / 2) % (2 * mp.pi) for s in (1, 3)}
                     | {mp.pi / 2, 3 * mp.pi / 2})
        val = mp.quad(lambda s: g(mp.cos(s)) * g(mp.cos(s - t)), pts)
        return 2**n * mp.factorial(n) / (2 * mp.pi) * val
    return kappa


def ref_abrelu(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    return (ref_homogeneous(lambda c: b * c if c > 0 else a * c, 1),
            ref_homogeneous(lambda c: b if c > 0 else a, 0))


def ref_rect(n):
    ff = ref_homogeneous(lambda c: c**n if c > 0 else mp.mpf(0), n)
    if n == 0:
        return ff, None
    inner = ref_homogeneous(lambda c: c ** (n - 1) if c > 0 else mp.mpf(0), n - 1)
    return ff, (lambda r, t: n * n * inner(r, t))


def ref_quad(f):
    def kappa(r, t):
        with mp.workdps(20):
            return kappa_gl(f, r, panels=8, nodes=20, half=12)
    return kappa


def ref_gabor_dd(r, t):
    """Price's theorem: E[f'(u) f'(v)] = d/d rho E[f(u) f(v)] (the closed form above is analytic
    for |rho| < 3/2, so the central difference is taken across rho = +-1 too)."""
    return mp.diff(lambda q: ref_gabor_ff(q, None), r)


def _gelu_mp(approximate):
    if approximate:
        c = mp.sqrt(2 / mp.pi)
        return lambda z: z / 2 * (1 + mp.tanh(c * (z + mp.mpf("0.044715") * z**3)))
    return lambda z: z * mp.ncdf(z)


def _dgelu_mp(approximate):
    f = _gelu_mp(approximate)
    if approximate:
        c = mp.sqrt(2 / mp.pi)
        k = mp.mpf("0.044715")
        return lambda z: (1 + mp.tanh(c * (z + k * z**3))) / 2 + z / 2 * mp.sech(
            c * (z + k * z**3)) ** 2 * c * (1 + 3 * k * z * z)
    del f
    return lambda z: mp.ncdf(z) + z * mp.npdf(z)


# --------------------------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------------------------

def cases(quick: bool = False) -> list[dict]:
    """Each: family, label, nt layer + kwargs, actgram spec (name/kwargs or callable), refs."""
    out = []

    def add(family, label, layer, kw, ag_spec, path, refs, closed=True):
        out.append({"family": family, "label": label, "layer": layer, "kwargs": kw,
                    "ag": ag_spec, "path": path, "refs": refs, "closed": closed})

    for a, b, c in [(1.0, 1.0, 0.0), (2.0, 0.5, 0.3), (1.0, 4.0, 0.0), (0.5, 1 / 2.4020563531719796, 0.5)]:
        lab = f"a={a:g}, b={b:.4g}, c={c:g}"
        if (a, b, c) == (1.0, 1.0, 0.0):
            add("Erf", lab, "Erf", {"a": a, "b": b, "c": c}, ("erf", {}), "name 'erf'", ref_erf(a, b, c))
        else:
            add("Erf", lab, "Erf", {"a": a, "b": b, "c": c},
                (lambda z, a=a, b=b, c=c: a * special.erf(b * z) + c), "callable", ref_erf(a, b, c))
    for a, b, c in [(1.0, 1.0, 0.0), (1.0, 2.0, 0.5), (0.5, 3.0, 1.0)]:
        lab = f"a={a:g}, b={b:g}, c={c:g}"
        if (a, b, c) == (1.0, 1.0, 0.0):
            add("Sin", lab, "Sin", {"a": a, "b": b, "c": c}, ("sin", {}), "name 'sin'", ref_sin(a, b, c))
        else:
            add("Sin", lab, "Sin", {"a": a, "b": b, "c": c},
                (lambda z, a=a, b=b, c=c: a * np.sin(b * z + c)), "callable", ref_sin(a, b, c))
    for a, b, c in [(1.0, 1.0, 0.0), (2.0, 0.5, 0.2)]:
        add("Cos", f"a={a:g}, b={b:g}, c={c:g}", "Cos", {"a": a, "b": b, "c": c},
            (lambda z, a=a, b=b, c=c: a * np.cos(b * z + c)), "callable", ref_sin(a, b, c + math.pi / 2))
    for a, b in [(1.0, -1.0), (0.5, -0.25), (1.0, 0.1), (1.0, 0.2)]:
        add("Gaussian", f"a={a:g}, b={b:g}", "Gaussian", {"a": a, "b": b},
            (lambda z, a=a, b=b: a * np.exp(b * z * z)), "callable", ref_gaussian(a, b))
    for a, b in [(1.0, 1.0), (0.5, 2.0), (1.0, 3.0)]:
        add("Exp", f"a={a:g}, b={b:g}", "Exp", {"a": a, "b": b},
            (lambda z, a=a, b=b: a * np.exp(b * z)), "callable", ref_exp(a, b))
    for g in [0.5, 1.0, 2.0]:
        b = math.sqrt(2 * g)
        add("Rbf", f"gamma={g:g}", "Rbf", {"gamma": g},
            (lambda z, b=b: math.sqrt(2) * np.sin(b * z + math.pi / 4)), "callable",
            ref_sin(math.sqrt(2), b, math.pi / 4))
    add("Gabor", "-", "Gabor", {}, (lambda z: np.exp(-z * z) * np.sin(z)), "callable",
        (ref_gabor_ff, ref_gabor_dd))
    for k in [1, 2, 3, 4, 5, 6]:
        he = np.polynomial.hermite_e.herme2poly([0] * k + [1]) / math.sqrt(math.factorial(k))
        add("Hermite", f"degree={k}", "Hermite", {"degree": k},
            ("polynomial", {"coefficients": he.tolist()}), "name 'polynomial'", ref_poly(he))
    for p in [0, 1, 2, 3, 4, 5]:
        coefs = [0.0] * p + [1.0]
        add("Monomial", f"degree={p}", "Monomial", {"degree": p}, ("monomial", {"p": p}),
            "name 'monomial'", ref_poly(coefs))
    for r in [0, 1, 2, 3, 4]:
        spec = ("step", {}) if r == 0 else ("relu", {}) if r == 1 else ("relu_power", {"r": r})
        add("RectifiedMonomial", f"degree={r}", "RectifiedMonomial", {"degree": r}, spec,
            f"name '{spec[0]}'", ref_rect(r), closed=False)
    for coefs in [(1.0, -2.0, 0.5), (0.0, 1.0, 0.0, -0.3, 0.0, 0.02), (0.3, 0.0, 1.0)]:
        add("Polynomial", "coef=" + ",".join(f"{v:g}" for v in coefs), "Polynomial",
            {"coef": list(coefs)}, ("polynomial", {"coefficients": list(coefs)}),
            "name 'polynomial'", ref_poly(coefs))
    for a, b in [(-0.5, 2.0), (0.3, 1.5), (0.1, 1.0)]:
        if b == 1.0:
            spec, path = ("leaky_relu", {"slope": a}), "name 'leaky_relu'"
        else:
            spec = (lambda z, a=a, b=b: np.where(z > 0, b * z, a * z), {"kinks": (0.0,)})
            path = "callable, kinks=(0,)"
        add("ABRelu", f"a={a:g}, b={b:g}", "ABRelu", {"a": a, "b": b}, spec, path,
            ref_abrelu(a, b), closed=False)
    add("Sign", "-", "Sign", {}, (np.sign, {"kinks": (0.0,)}), "callable, kinks=(0,)",
        (ref_homogeneous(lambda c: mp.sign(c), 0), None), closed=False)
    add("Relu", "-", "Relu", {}, ("relu", {}), "name 'relu'", ref_abrelu(0.0, 1.0), closed=False)
    for al in [0.01, 0.2, -0.5]:
        add("LeakyRelu", f"alpha={al:g}", "LeakyRelu", {"alpha": al}, ("leaky_relu", {"slope": al}),
            "name 'leaky_relu'", ref_abrelu(al, 1.0), closed=False)
    add("Abs", "-", "Abs", {}, ("abs", {}), "name 'abs'", ref_abrelu(-1.0, 1.0), closed=False)
    add("Gelu", "exact", "Gelu", {"approximate": False}, ("gelu", {}), "name 'gelu'",
        (ref_quad(_gelu_mp(False)), ref_quad(_dgelu_mp(False))), closed=False)
    add("Gelu", "approximate", "Gelu", {"approximate": True},
        (lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))),
        "callable", (ref_quad(_gelu_mp(True)), ref_quad(_dgelu_mp(True))), closed=False)
    if quick:  # one closed form, the fused ReLU, a polynomial, a homogeneous callable, one callable
        keep = {("Erf", "a=1, b=1, c=0"), ("Relu", "-"), ("Polynomial", "coef=1,-2,0.5"),
                ("ABRelu", "a=-0.5, b=2"), ("Exp", "a=1, b=1")}
        out = [c for c in out if (c["family"], c["label"]) in keep]
    for k, c in enumerate(out):
        c["id"] = f"c{k:02d}"
    return out


def run_nt(X: np.ndarray, cs: list[dict]) -> tuple[dict, dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(f"{tmp}/x.npz", X=X)
        Path(f"{tmp}/cases.json").write_text(json.dumps(
            [{"id": c["id"], "layer": c["layer"], "kwargs": c["kwargs"]} for c in cs]))
        subprocess.run([str(NT_PY), str(HERE / "nt_worker.py"), "--peer", f"{tmp}/x.npz",
                        f"{tmp}/cases.json", f"{tmp}/out.npz"], check=True, capture_output=True)
        z = np.load(f"{tmp}/out.npz")
        arrays = {k: z[k] for k in z.files}
    errors = json.loads(str(arrays.pop("errors")))
    versions = json.loads(str(arrays.pop("versions")))
    return arrays, errors, versions


def run_actgram(X: np.ndarray, c: dict) -> dict:
    """K and G by the default user path, timed from a fresh activation (and empty table cache)."""
    spec = c["ag"]
    res = {"warnings": []}
    for kind, key in (("K", "K"), ("G", "G")):
        kernels._TABLES.clear()
        act = (ag.activation(spec[0], **spec[1]) if isinstance(spec, tuple) and isinstance(spec[0], str)
               else ag.activation(spec[0], **spec[1]) if isinstance(spec, tuple) else spec)
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            try:
                res[key] = ag.kernel_inf(X, act, kind)
                res[key + "_error"] = None
            except Exception as exc:  # the table says what actgram refused and why
                res[key] = None
                res[key + "_error"] = f"{type(exc).__name__}: {exc}"[:200]
            res[key + "_first_call_s"] = time.perf_counter() - t0
        res["warnings"] += [f"{kind}: {w.message}"[:200] for w in wl]
    return res


def entries(n: int, kinds: list[str], A, B, closed: bool, quick: bool) -> list[tuple[int, int]]:
    """All pairs i <= j for closed-form references, else a sample: diagonal, every near pair,
    random pairs and the pairs where A and B (actgram, nt) differ most."""
    if closed:
        return [(i, j) for i in range(n) for j in range(i, n)]
    n_rand = kinds.index("dup 1e-15")
    near = [(EPS_NEAR.index(float(k.split()[1])), n_rand + t) for t, k in enumerate(kinds[n_rand:])]
    rng = np.random.default_rng(1)
    rnd = [tuple(sorted(rng.choice(n_rand, 2, replace=False).tolist())) for _ in range(3 if quick else 6)]
    pairs = [(0, 0), (n_rand, n_rand)] + near + rnd
    for M in (A, B):
        if M is not None and A is not None and B is not None and np.all(np.isfinite(B)):
            D = np.abs(A - B)
            D[np.tril_indices(n, -1)] = -1
            top = np.dstack(np.unravel_index(np.argsort(D.ravel())[::-1][:4], D.shape))[0]
            pairs += [tuple(int(v) for v in p) for p in top]
            break
    return sorted(set(pairs))


def pair_kind(i: int, j: int, kinds: list[str]) -> str:
    if i == j:
        return "diagonal"
    k = kinds[max(i, j)]
    if k != "random" and kinds[min(i, j)] == "random" and min(i, j) == EPS_NEAR.index(float(k.split()[1])):
        return k.replace("dup", "near-duplicate").replace("anti", "near-antipode")
    return "generic"


def compare(c, ag_res, nt_arr, X, kinds, rho, theta, quick):
    n = X.shape[0]
    row = {"family": c["family"], "label": c["label"], "actgram_path": c["path"],
           "actgram_first_call_s": ag_res["K_first_call_s"] + ag_res["G_first_call_s"],
           "actgram_first_call_K_s": ag_res["K_first_call_s"],
           "actgram_first_call_G_s": ag_res["G_first_call_s"], "actgram_warnings": ag_res["warnings"],
           "reference": "closed form, every entry" if c["closed"] else "quadrature, sampled entries"}
    for kind, ref in (("K", c["refs"][0]), ("G", c["refs"][1])):
        A = ag_res[kind]
        B = nt_arr.get(c["id"] + "." + kind)
        info = {"actgram_refused": ag_res[kind + "_error"]}
        if ref is None:
            info["reference"] = "not defined: phi' = 0 almost everywhere"
            info["nt_returns"] = ("zeros" if B is not None and np.all(B == 0) else
                                  "not computed" if B is None else "a nonzero matrix")
            row[kind] = info
            continue
        pairs = entries(n, kinds, A, B, c["closed"], quick)
        ea, eb = [], []
        with mp.workdps(30):
            for i, j in pairs:
                r = mp.mpf(1) if i == j else rho[i, j]
                t = mp.mpf(0) if i == j else theta[i, j]
                val = ref(r, t)
                if kind == "G":
                    val = r * val
                v = float(val)
                s = max(1.0, abs(v))
                ea.append(abs(A[i, j] - v) / s if A is not None else math.nan)
                eb.append(abs(B[i, j] - v) / s if B is not None and np.isfinite(B[i, j]) else math.inf)
        ea, eb = np.array(ea), np.array(eb)
        info.update({"entries_checked": len(pairs)})
        if A is not None:
            w = int(np.nanargmax(ea))
            info.update({"actgram_err": float(ea[w]), "actgram_worst_at": pair_kind(*pairs[w], kinds)})
        if B is not None:
            w = int(np.argmax(eb))
            bad = sorted({pair_kind(*p, kinds) for p, e in zip(pairs, eb, strict=True) if not e <= TOL})
            info.update({"nt_err": float(eb[w]) if np.isfinite(eb[w]) else "non-finite",
                         "nt_worst_at": pair_kind(*pairs[w], kinds),
                         "nt_nonfinite": int(np.sum(~np.isfinite(B))),
                         "nt_nonfinite_diagonal": int(np.sum(~np.isfinite(np.diag(B)))),
                         "nt_wrong_at": bad})
        row[kind] = info
    return row


_WORKER = {}


def _work(args):
    """One case in a worker process (spawned: the cases hold lambdas, so each worker builds
    them, the points and the exact angles itself)."""
    k, quick, nt_arr, nt_err = args
    if not _WORKER:
        X, kinds = points()
        _WORKER.update(X=X, kinds=kinds, cs=cases(quick), angles=exact_angles(X))
    W = _WORKER
    c = W["cs"][k]
    row = compare(c, run_actgram(W["X"], c), nt_arr, W["X"], W["kinds"], *W["angles"], quick)
    row["nt_failed"] = nt_err.get(c["id"])
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="five cases (for tests)")
    ap.add_argument("--no-nt", action="store_true", help="actgram against the references only")
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--only", default="", help="comma-separated families (a partial run, not saved)")
    ap.add_argument("--skip-actgram", action="store_true", help="nt against the references only (not saved)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes for the cases (first-call times "
                    "are then measured with the workers sharing the machine)")
    args = ap.parse_args()
    t_start = time.perf_counter()
    load0 = list(os.getloadavg())
    X, kinds = points()
    cs = cases(args.quick)
    if args.only:
        cs = [c for c in cs if c["family"] in args.only.split(",")]
    use_nt = NT_PY.exists() and not args.no_nt
    nt_arr, nt_err, versions = run_nt(X, cs) if use_nt else ({}, {}, {})
    print(f"{len(cs)} cases, {X.shape[0]} points; neural-tangents: {versions or 'not run'}")
    rows = []
    if args.jobs > 1 and not (args.only or args.skip_actgram):
        import multiprocessing as mpr

        with mpr.get_context("spawn").Pool(args.jobs) as pool:
            rows = pool.map(_work, [(k, args.quick, nt_arr, nt_err) for k in range(len(cs))], chunksize=1)
        for c, row in zip(cs, rows, strict=True):
            if c["family"] == "Gelu" and c["label"] == "approximate":
                ex = next(d["id"] for d in cs if d["family"] == "Gelu" and d["label"] == "exact")
                row["nt_max_diff_to_exact_gelu"] = {
                    k: float(np.max(np.abs(nt_arr[c["id"] + "." + k] - nt_arr[ex + "." + k])))
                    for k in ("K", "G") if c["id"] + "." + k in nt_arr and ex + "." + k in nt_arr}
    rho, theta = exact_angles(X) if not rows else (None, None)
    for c in cs if not rows else []:
        ag_res = (run_actgram(X, c) if not args.skip_actgram else
                  {"K": None, "G": None, "K_error": "skipped", "G_error": "skipped", "K_first_call_s": 0.0,
                   "G_first_call_s": 0.0, "warnings": []})
        row = compare(c, ag_res, nt_arr, X, kinds, rho, theta, args.quick)
        row["nt_failed"] = nt_err.get(c["id"])
        if c["family"] == "Gelu" and c["label"] == "approximate":
            # is nt's kernel for the tanh-approximated GELU the exact GELU's kernel?
            ex = next(d["id"] for d in cs if d["family"] == "Gelu" and d["label"] == "exact")
            row["nt_max_diff_to_exact_gelu"] = {
                k: float(np.max(np.abs(nt_arr[c["id"] + "." + k] - nt_arr[ex + "." + k])))
                for k in ("K", "G") if c["id"] + "." + k in nt_arr and ex + "." + k in nt_arr}
        rows.append(row)
        ks = {k: row[k].get("actgram_err", row[k].get("actgram_refused")) for k in ("K", "G")}
        ns = {k: row[k].get("nt_err") for k in ("K", "G")}
        print(f"  {c['family']:18s} {c['label']:28s} actgram {ks} nt {ns} "
              f"first call {row['actgram_first_call_s']:.2f} s", flush=True)
    res = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": args.quick,
           "n_points": int(X.shape[0]), "d": int(X.shape[1]), "point_kinds": kinds, "tolerance": TOL,
           "versions": {"actgram": ag.__version__, **versions}, "cpu_count": os.cpu_count(),
           "load_average_start": load0, "load_average_end": list(os.getloadavg()), "jobs": args.jobs,
           "cases": rows,
           "total_seconds": time.perf_counter() - t_start}
    if args.only or args.skip_actgram:
        print(json.dumps(rows, indent=1, default=str)[:20000])
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "peer_nt_quick.json" if args.quick else "peer_nt.json"
    (out / name).write_text(json.dumps(res, indent=1))
    if not args.quick and out == HERE / "results":
        shutil.copy(out / name, ROOT / "src" / "actgram" / "benchmark_results" / name)
    print(f"total {res['total_seconds']:.0f} s; wrote {out / name}")


if __name__ == "__main__":
    main()
