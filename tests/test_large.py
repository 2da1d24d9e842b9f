"""Matrix-free smallest eigenvalues (method="matrix-free") against dense eigvalsh."""

import numpy as np
import pytest

import actgram as ag
from actgram.spectra import EigenBrackets

pytest.importorskip("torch")


def _mf(X, act, k, kind="G", **options):
    return ag.smallest_eigenvalues(
        X, act, k, kind=kind, method="matrix-free", device="cpu", options=options
    )


@pytest.mark.slow  # ~5 s alone, 33 s measured on the shared 2-core machine
def test_matches_dense_relu():
    # ReLU on the sphere in R^10: lambda_min ~ 0.03, far above the floor. The Ritz
    # values must agree with dense eigvalsh within the stated error (residual + radius),
    # lie in the bracket, and be resolved.
    X = ag.data.sphere(250, 10, seed=0)
    r = _mf(X, "relu", 2, tol=1e-4, landmarks=100)
    lam = np.linalg.eigvalsh(ag.gram_inf(X, "relu"))[:2]
    assert np.all(np.abs(r.value - lam) <= r.residual + r.radius)
    assert np.all((r.lower <= lam) & (lam <= r.upper))
    assert np.all(r.resolved)
    assert r.describe() == f"{r.value[0]:.3g}"
    assert r.method == "matrix-free" and r.products > 0 and r.info["landmarks"] == 100
    # b[i]: float fields, residual kept
    assert isinstance(r[1].residual, float) and r[1].value == r.value[1]


@pytest.mark.slow  # ~4 s alone, 22 s measured on the shared 2-core machine
def test_ntk_kind():
    X = ag.data.sphere(120, 8, seed=2)
    r = _mf(X, "tanh", 1, kind="ntk", landmarks=60, tol=1e-5, maxiter=100)
    lam = np.linalg.eigvalsh(ag.kernel_inf(X, "tanh", "ntk"))[0]
    assert abs(r.value[0] - lam) <= r.residual[0] + r.radius
    assert r.kind == "ntk"


def test_refuses_below_floor():
    # tanh on 100 points of a half circle: lambda_min is far below 1e-15 (chapter 4);
    # the matrix-free method cannot resolve it and must say so instead of printing
    # round-off
    X = ag.data.arc(100, np.pi / 100)
    r = _mf(X, "tanh", 1, tol=1e-8, maxiter=30, landmarks=50)
    assert not r.resolved[0]
    assert "no number reported" in r.describe()


def test_hand_checked_describe():
    v, res, rad = np.array([1.0, 1e-14, 0.5]), np.array([1e-6, 1e-16, 0.1]), 1e-13
    e = EigenBrackets(
        v,
        np.maximum(v - res - rad, 0.0),
        v + rad,
        4e-16,
        2.0,
        "matrix-free",
        10,
        radius=rad,
        residual=res,
    )
    assert e.describe(0) == "1"
    assert "below the floor" in e.describe(1)
    assert "not converged" in e.describe(2)


def test_bad_inputs():
    X = ag.data.sphere(50, 5, seed=0)
    with pytest.raises(ValueError, match="too small"):
        _mf(X, "relu", 8)
    with pytest.raises(ValueError, match="at least k"):
        _mf(X, "relu", 3, block=2)
    with pytest.raises(ValueError, match="tol"):
        _mf(X, "relu", 1, tol=-1.0)
    with pytest.raises(ValueError, match="kind"):
        _mf(X, "relu", 1, kind="Z")
    with pytest.raises(ValueError, match="unknown matrix-free options"):
        _mf(X, "relu", 1, tolerance=1e-3)
