"""The fused (numba) evaluation of kernel matrices against the numpy route it replaces.

Both routes are run on the same points: a half circle, the sphere in R^3 and R^10, and point
sets with near-duplicate and near-antipodal pairs (where the stable angle matters). The fused
route must give the numpy route's numbers to a few units in the last place (every entry within
2e-15 * max(1, |entry|)), and both must stay within 1e-14 * max(1, |entry|) of closed forms
evaluated in 30-digit arithmetic at the exact angles of the float64 points.
"""

from __future__ import annotations

import math
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest

import actgram as ag
from actgram import _fused
from actgram.kernels import theta_table

pytestmark = pytest.mark.skipif(not _fused.enabled(), reason="numba not installed")

ULP_TOL = 2e-15


def _near_pairs(n: int, d: int, seed: int) -> np.ndarray:
    """Random unit points plus near-duplicates and near-antipodes of some of them."""
    rng = np.random.default_rng(seed)
    base = ag.data.sphere(n, d, seed=seed)
    twins = []
    for k, eps in enumerate([1e-15, 1e-12, 1e-9, 1e-6, 1e-4, 1e-2]):
        x = base[k]
        for sign in (1.0, -1.0):
            y = sign * x + eps * rng.standard_normal(d)
            twins.append(y / np.linalg.norm(y))
    return np.vstack([base, np.array(twins)])


POINTS = {
    "half-circle": ag.data.arc(80, math.pi / 80),
    "sphere-3": ag.data.sphere(90, 3, seed=1),
    "sphere-10": ag.data.sphere(100, 10, seed=2),
    "near-pairs": _near_pairs(70, 5, seed=3),
}

TABLE_ACTS = [("tanh", {}), ("elu", {}), ("gelu", {}), ("sigmoid", {}), ("selu", {})]
ARCCOS_ACTS = [("relu", {}), ("leaky_relu", {"slope": 0.2}), ("abs", {})]


def _numpy_route(monkeypatch, fn):
    with monkeypatch.context() as m:
        m.setenv("ACTGRAM_NUMBA", "0")
        assert not _fused.enabled()
        return fn()


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> float:
    err = float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))
    assert err <= tol, err
    return err


@pytest.mark.parametrize("where", list(POINTS))
@pytest.mark.parametrize("name, kw", TABLE_ACTS + ARCCOS_ACTS)
@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
def test_fused_equals_numpy_route(monkeypatch, where, name, kw, kind):
    """Entrywise agreement of the two routes, and exact symmetry of the fused matrix."""
    X = POINTS[where]
    act = ag.activation(name, **kw)
    fused = ag.kernel_inf(X, act, kind)
    plain = _numpy_route(monkeypatch, lambda: ag.kernel_inf(X, act, kind))
    assert np.array_equal(fused, fused.T)
    _close(fused, plain, ULP_TOL)


@pytest.mark.parametrize("name", ["tanh", "relu", "leaky_relu"])
def test_cross_kernel(monkeypatch, name):
    X, Y = POINTS["near-pairs"][:60], POINTS["near-pairs"][30:]
    fused = ag.kernel_inf(X, name, "ntk", Y=Y)
    plain = _numpy_route(monkeypatch, lambda: ag.kernel_inf(X, name, "ntk", Y=Y))
    _close(fused, plain, ULP_TOL)


def test_step_kernel_and_refusal(monkeypatch):
    X = POINTS["near-pairs"]
    fused = ag.kernel_inf(X, "step", "K")
    plain = _numpy_route(monkeypatch, lambda: ag.kernel_inf(X, "step", "K"))
    _close(fused, plain, ULP_TOL)
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.kernel_inf(X, "step", "ntk")


@pytest.mark.parametrize("where", list(POINTS))
def test_pair_angles(monkeypatch, where):
    """Same clipped correlations (bit for bit) and stable angles to a few ulps."""
    X = POINTS[where]
    R1, t1 = ag.pair_angles(X)
    R0, t0 = _numpy_route(monkeypatch, lambda: ag.pair_angles(X))
    assert np.array_equal(R1, R0)
    assert np.max(np.abs(t1 - t0)) <= 4 * np.finfo(float).eps * math.pi
    R1, t1 = ag.pair_angles(X[:50], X[20:])
    R0, t0 = _numpy_route(monkeypatch, lambda: ag.pair_angles(X[:50], X[20:]))
    assert np.array_equal(R1, R0)
    assert np.max(np.abs(t1 - t0)) <= 4 * np.finfo(float).eps * math.pi


def test_table_call_bitwise(monkeypatch):
    """ThetaTable.__call__: the compiled Clenshaw loop does the numpy loop's operations."""
    tab = theta_table("tanh", "derivative")
    th = np.random.default_rng(0).uniform(0, math.pi, (70, 90))
    th[0, :3] = [0.0, math.pi, math.pi / 2]
    a = tab(th)
    b = _numpy_route(monkeypatch, lambda: tab(th))
    assert a.shape == th.shape
    assert np.array_equal(a, b)


def _exact_angle(x: np.ndarray, y: np.ndarray):
    with mp.workdps(40):
        xs = [mp.mpf(float(v)) for v in x]
        ys = [mp.mpf(float(v)) for v in y]
        a = mp.sqrt(mp.fsum((p - q) ** 2 for p, q in zip(xs, ys, strict=True)))
        b = mp.sqrt(mp.fsum((p + q) ** 2 for p, q in zip(xs, ys, strict=True)))
        nx = mp.sqrt(mp.fsum(p * p for p in xs))
        ny = mp.sqrt(mp.fsum(q * q for q in ys))
        # the angle of the float64 points (not assumed exactly unit)
        rho = mp.fsum(p * q for p, q in zip(xs, ys, strict=True)) / (nx * ny)
        return rho, 2 * mp.atan2(a, b)


def test_relu_ntk_against_30_digits():
    """ReLU NTK at near-duplicates and near-antipodes: within 1e-14 of the 30-digit closed
    form rho (pi - theta) / (2 pi) + (sin theta + (pi - theta) cos theta) / (2 pi)."""
    X = POINTS["near-pairs"]
    K = ag.kernel_inf(X, "relu", "ntk")
    n0 = 70
    worst = 0.0
    for k in range(12):
        i, j = k // 2, n0 + k
        with mp.workdps(30):
            rho, th = _exact_angle(X[i], X[j])
            ref = (rho * (mp.pi - th) + mp.sin(th) + (mp.pi - th) * mp.cos(th)) / (2 * mp.pi)
        worst = max(worst, abs(K[i, j] - float(ref)) / max(1.0, abs(float(ref))))
    assert worst <= 1e-14, worst


def test_nonfinite_entries_are_refused():
    X = POINTS["sphere-3"]
    coef = theta_table("tanh", "derivative").coef.copy()
    coef[3, 5] = np.inf
    out, finite = _fused.table_kernel(X, None, coef, None)
    assert not finite and not np.all(np.isfinite(out))
    _, finite = _fused.table_kernel(X, None, theta_table("tanh", "derivative").coef, None)
    assert finite


def test_import_does_not_load_numba():
    code = "import sys, actgram; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_works_without_numba(tmp_path):
    """With numba unimportable the package falls back to numpy and gives the same matrices."""
    X = POINTS["near-pairs"]
    np.save(tmp_path / "x.npy", X)
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import numpy as np, actgram as ag\n"
        "from actgram import _fused\n"
        "assert not _fused.enabled()\n"
        f"X = np.load(r'{tmp_path / 'x.npy'}')\n"
        "np.save(r'%s', ag.gram_inf(X, 'tanh'))\n"
        "np.save(r'%s', ag.kernel_inf(X, 'relu', 'ntk'))\n"
    ) % (tmp_path / "t.npy", tmp_path / "r.npy")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    _close(ag.gram_inf(X, "tanh"), np.load(tmp_path / "t.npy"), ULP_TOL)
    _close(ag.kernel_inf(X, "relu", "ntk"), np.load(tmp_path / "r.npy"), ULP_TOL)


def _rho_points(seed: int = 0) -> np.ndarray:
    """Correlations in [-0.9, 0.9]: random, the ends, zero, and the rho of the theta table's
    panel edges (where the theta table jumps by its own interpolation error)."""
    rng = np.random.default_rng(seed)
    edges = np.cos(np.arange(1, 16) * math.pi / 16)
    r = np.concatenate([rng.uniform(-0.9, 0.9, 400), [-0.9, 0.0, 0.9], edges])
    return r[np.abs(r) <= 0.9]


def _at_rho(coef: np.ndarray, r: np.ndarray, of: str) -> np.ndarray:
    """The fused pass at exactly these correlations: x = e1 against y = (r, sqrt(1 - r^2))."""
    X = np.array([[1.0, 0.0]])
    Y = np.column_stack([r, np.sqrt((1.0 - r) * (1.0 + r))])
    cdd, cff = (coef, None) if of == "derivative" else (None, coef)
    out, finite = _fused.table_kernel(X, Y, cdd, cff)
    assert finite
    return out[0] / r if of == "derivative" else out[0]


@pytest.mark.parametrize("name, kw", TABLE_ACTS + [("softplus", {}), ("swish", {}),
                                                   ("sin", {}), ("erf", {})])
@pytest.mark.parametrize("of", ["derivative", "function"])
def test_rho_table_against_theta_table_and_quadrature(name, kw, of):
    """Where |rho| <= 0.9 the fused pass reads a table in rho (no arccos). It exists for
    every tabulated built-in, agrees with the theta table at the exact angle (long double)
    within 2e-15 * max(1, |kappa|) and with direct quadrature (an independent rule) within
    1e-14 * max(1, |kappa|). Catches a rho table that has not converged (too few panels
    or too low a degree) or is evaluated on the wrong panel."""
    act = ag.activation(name, **kw)
    coef = theta_table(act, of).coef
    assert _fused.rho_table(coef) is not None
    r = _rho_points()
    r = r[r != 0.0] if of == "derivative" else r
    got = _at_rho(coef, r, of)
    ld = np.longdouble
    rl = r.astype(ld)
    ref = _fused._clenshaw_ld(coef.astype(ld), np.arctan2(np.sqrt((1 - rl) * (1 + rl)), rl),
                              ld(0), np.arccos(ld(-1))).astype(np.float64)
    _close(got, ref, ULP_TOL)
    quad = ag.kernels.dual_quadrature(act, np.arccos(r[::8]), of)
    _close(got[::8], quad, 1e-14)


def test_rho_table_fallback_and_nonfinite():
    """A theta table with a non-finite coefficient gets no rho table (the angle route
    reports it); a non-finite rho table is reported by the rho pass itself."""
    X = POINTS["sphere-10"]
    coef = theta_table("tanh", "derivative").coef.copy()
    bad = coef.copy()
    bad[3, 5] = np.inf
    assert _fused.rho_table(bad) is None
    rho_coef = _fused.rho_table(coef).copy()
    good, finite = _fused.table_kernel(X, None, coef, None)
    assert finite
    rho_coef[40, 2] = np.nan
    _fused._RHO[id(coef)] = (coef, rho_coef)
    try:
        out, finite = _fused.table_kernel(X, None, coef, None)
    finally:
        del _fused._RHO[id(coef)]
    assert not finite and not np.all(np.isfinite(out))
