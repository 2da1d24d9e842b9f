"""Arora et al.'s quantity (actgram.generalisation), and the G <= H - c0^2 11^T <= 2G
sandwich and the complement G_perp (method="sandwich" and complement_eigenvalues of
actgram.spectra)."""

import math

import numpy as np
import pytest

import actgram as ag
from actgram.generalisation import arora_complexity
from actgram.spectra import complement_basis, complement_eigenvalues


def _dense(X, act, kind):
    return ag.lambda_min(X, act, kind=kind, method="dense")


def _sandwich(X, act, kind="ntk", complement=True):
    return ag.lambda_min(
        X, act, kind=kind, method="sandwich", options={"complement": complement}
    )


def test_relu_quantity_closed_form():
    """ReLU, two orthogonal points: G = diag(1/2, 1/2) (rho = 0 off the diagonal), so
    y^T G^{-1} y = 2 |y|^2 and the quantity is sqrt(2 * 2 * 2 / 2) = 2 for y = (1, -1).
    """
    X = np.eye(2)
    c = arora_complexity(X, np.array([1.0, -1.0]), "relu")
    assert c.computable
    assert c.value[0] == pytest.approx(2.0, rel=1e-13)
    assert c.cond == pytest.approx(1.0, rel=1e-13)
    # normalize=True: the quantity of the normalised rows
    c2 = arora_complexity(3.0 * X, np.array([1.0, -1.0]), "relu", normalize=True)
    assert c2.value[0] == c.value[0]


def test_quantity_matches_solve_and_columns():
    """Several label columns at once equal separate calls and a direct linear solve."""
    X, _ = ag.data.digits(dim=16, n=60, seed=1)
    rng = np.random.default_rng(0)
    Y = rng.choice([-1.0, 1.0], size=(60, 3))
    c = arora_complexity(X, Y, "tanh")
    G = ag.gram_inf(X, "tanh")
    for k in range(3):
        direct = math.sqrt(2 * Y[:, k] @ np.linalg.solve(G, Y[:, k]) / 60)
        assert c.value[k] == pytest.approx(direct, rel=1e-8)
        single = arora_complexity(X, Y[:, k], "tanh").value[0]
        assert c.value[k] == pytest.approx(single, rel=1e-12)
    assert c.rel_error < 1e-6


def test_refuses_below_floor():
    """tanh on 60 half-circle points: lambda_min(Ginf) is within the float64 solve's
    error."""
    X = ag.data.half_circle(60)
    c = arora_complexity(X, np.ones(60), "tanh")
    assert not c.computable and np.isnan(c.value[0])
    assert "not computable in float64" in c.describe()


@pytest.mark.parametrize("name", ["relu", "tanh", "selu"])
def test_sandwich(name):
    """lambda_1(G) <= lambda_1(G + K) <= 2 lambda_2(G) (2 lambda_1(G) for odd phi)."""
    X = ag.data.sphere(30, 5, seed=2)
    h = _sandwich(X, name, complement=False)
    dense = _dense(X, name, "ntk")
    g = np.linalg.eigvalsh(ag.gram_inf(X, name))
    assert h.resolved and dense.resolved
    assert g[0] * (1 - 1e-9) <= dense.value <= 2 * g[1] * (1 + 1e-9)
    if name == "tanh":
        assert dense.value <= 2 * g[0] * (1 + 1e-9)
    assert h.lower <= dense.value <= h.upper
    assert h.kind == "ntk" and dense.kind == "ntk"


@pytest.mark.slow  # about 19 s on 2 cores
def test_sandwich_below_floor_brackets():
    """swish on 3-D data: the dense G + K value is unresolved; the sandwich still
    brackets it within a factor 2 * lambda_2 / lambda_1 using the spherical-harmonic
    brackets of G."""
    X, _ = ag.data.digits(dim=3, n=100, seed=0)
    h = _sandwich(X, "swish", complement=False)
    g = ag.smallest_eigenvalues(X, "swish", 2)
    assert h.method.startswith("sandwich")
    assert not _dense(X, "swish", "ntk").resolved
    assert h.lower == pytest.approx(g.lower[0], rel=1e-9) and 0 < h.lower <= h.upper
    assert h.upper <= 2 * g.upper[1] * (1 + 1e-9)  # same brackets, recomputed


def test_kind_K_matches_kernel():
    X = ag.data.sphere(10, 4, seed=3)
    k = _dense(X, "relu", "K")
    ref = np.linalg.eigvalsh(ag.kernel_inf(X, "relu", "K"))[0]
    assert k.value == pytest.approx(ref, rel=1e-12)
    assert ag.lambda_min(X, "relu", kind="K").method == "dense"  # auto: dense for K


def test_bad_input():
    X = ag.data.sphere(5, 3, seed=0)
    with pytest.raises(ValueError, match="kind"):
        arora_complexity(X, np.ones(5), "relu", kind="H")
    with pytest.raises(ValueError, match="shape"):
        arora_complexity(X, np.ones(4), "relu")
    with pytest.raises(ValueError, match="NaN"):
        arora_complexity(X, np.array([1.0, np.nan, 1, 1, 1]), "relu")
    with pytest.raises(ValueError, match="unit norm"):
        arora_complexity(2 * X, np.ones(5), "relu")
    with pytest.raises(ValueError, match="kind"):
        ag.lambda_min(X, "relu", kind="ntk2")
    with pytest.raises(ValueError, match="at least 2"):
        _sandwich(X[:1], "relu")
    with pytest.raises(ValueError, match="max_rel_error"):
        arora_complexity(X, np.ones(5), "relu", max_rel_error=-1.0)


def test_complement_basis_orthonormal():
    """Q has orthonormal columns orthogonal to the constant vector (to a few eps)."""
    for n in (2, 7, 50):
        Q = complement_basis(n)
        assert Q.shape == (n, n - 1)
        assert np.abs(Q.T @ Q - np.eye(n - 1)).max() < 1e-14
        assert np.abs(Q.T @ np.ones(n)).max() < 1e-13 * n
    with pytest.raises(ValueError, match="n >= 2"):
        complement_basis(1)


def test_complement_spherical_matches_dense_and_interlaces():
    """On resolved 3-D data the projected spherical factor agrees with eigvalsh(Q^T G
    Q), and lambda_1(G) <= lambda_1(G_perp) <= lambda_2(G) (Cauchy interlacing)."""
    X = ag.data.sphere(40, 3, seed=1)
    Q = complement_basis(40)
    for name in ("tanh", "swish"):
        c = complement_eigenvalues(X, name, 2)
        assert c.method == "spherical" and c.resolved.all()
        d = np.linalg.eigvalsh(Q.T @ ag.gram_inf(X, name) @ Q)[:2]
        assert np.all(np.abs(c.value - d) <= 1e-6 * d)
        g = np.linalg.eigvalsh(ag.gram_inf(X, name))
        assert g[0] * (1 - 1e-9) <= c.value[0] <= g[1] * (1 + 1e-9)


def test_rank_one_term_lifts_K_antipodal_sigmoid():
    """Sigmoid (c_0 = 1/2, sigma - 1/2 odd) on an antipodal pair: 1 is a null vector of
    G, but K = c_0^2 11^T + ... is not singular, so lambda_1(K) > lambda_1(G) = 0; the
    proposition's lambda_1(K) <= lambda_1(G_perp) still holds."""
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    G = ag.kernel_inf(X, "sigmoid", "G")
    K = ag.kernel_inf(X, "sigmoid", "K")
    assert abs(np.ones(2) @ G @ np.ones(2)) < 1e-14
    assert np.ones(2) @ K @ np.ones(2) / 2 == pytest.approx(
        0.5, rel=1e-12
    )  # 2 c_0^2 + 0
    lk = np.linalg.eigvalsh(K)[0]
    gp = complement_eigenvalues(X, "sigmoid").value[0]
    assert 0.05 < lk <= gp * (1 + 1e-12)
    # every kind gets its exact zeros: G's antipodal zero is named, K has none
    g = _dense(X, "sigmoid", "G")
    assert g.value == 0.0 and "antipodal" in g.describe()
    assert not _dense(X, "sigmoid", "K").exact_zeros


def test_K_bound_and_ntk_complement():
    """The sandwich caps K's bracket by lambda_1(G_perp) (c_0 != 0) or lambda_1(G)
    (c_0 = 0); dense keeps the plain bracket; complement never widens the ntk one."""
    X = ag.data.sphere(30, 5, seed=2)
    for name in ("relu", "tanh"):
        plain = _dense(X, name, "K")
        capped = _sandwich(X, name, "K")
        assert capped.lower == plain.lower and capped.upper <= plain.upper
        h0, h1 = _sandwich(X, name, complement=False), _sandwich(X, name)
        assert h1.lower == h0.lower and h1.upper <= h0.upper
    with pytest.raises(ValueError, match="kind in"):
        ag.lambda_min(X, "relu", kind="G", method="sandwich")
