"""Infinite-width kernels: three ways (closed form, quadrature, Monte Carlo), invariants,
independent 20-digit references, and bad input."""

import math

import numpy as np
import pytest
from reference import dual_reference

import actgram as ag
from actgram.kernels import dual_quadrature, theta_table

CLOSED = [("relu", {}), ("leaky_relu", {"slope": 0.2}), ("abs", {}), ("step", {}),
          ("relu_power", {"r": 2}), ("relu_power", {"r": 3}), ("erf", {}), ("sin", {})]
NUMERIC = ["tanh", "elu", "selu", "gelu", "softplus", "sigmoid", "swish"]
ALL = [n for n, _ in CLOSED] + NUMERIC + ["polynomial", "monomial"]

# angles in [0, pi], including near-duplicates and near-antipodes
THETA = np.concatenate([[0.0, 1e-12, 1e-8, 1e-4], np.linspace(0, np.pi, 37),
                        [np.pi - 1e-4, np.pi - 1e-8, np.pi]])


@pytest.mark.parametrize("name, kw", CLOSED)
def test_closed_form_against_polar_quadrature(name, kw):
    """The polar rule reproduces every closed form to 1e-14 relative on [0, pi] (rounding in
    sums of ~10^4 terms of the size of the result is ~1e-15 relative)."""
    act = ag.activation(name, **kw)
    for of, f in act.dual.items():
        np.testing.assert_allclose(dual_quadrature(act, THETA, of), f(THETA), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", NUMERIC + ["relu"])
def test_table_matches_quadrature(name):
    """The theta-interpolant differs from direct quadrature by < 1e-14 everywhere we look."""
    for of in ("derivative", "function"):
        table = theta_table(name, of)
        assert table.error < 1e-14
        th = np.random.default_rng(0).uniform(0, np.pi, 200)
        np.testing.assert_allclose(table(th), dual_quadrature(name, th, of), rtol=0, atol=1e-14)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["elu", "selu", "tanh", "sigmoid"])
def test_against_independent_mpmath(name):
    """20-digit Cartesian quadrature (tests/reference.py) agrees to 1e-14 * max(1, |value|), the
    accuracy gram_inf states (and spectra's dense brackets rely on), near rho = +-1 too.

    Nested mpmath quadrature costs 10-50 s per value for the smooth activations, so only tanh
    and sigmoid are checked here near rho = +-1; every smooth built-in is checked against its
    Hermite series for |rho| <= 0.6 in test_hermite.py.
    """
    rhos = [0.3, -0.999, 0.9999] if name in ("elu", "selu") else [0.9999]
    if name == "tanh":
        rhos = [0.9999, -0.9995]
    ofs = ("derivative", "function") if name in ("elu", "selu") else ("derivative",)
    for rho in rhos:
        for of in ofs:
            ref = dual_reference(name, rho, of, dps=20)
            got = ag.dual_kernel(name, np.arccos(rho), of)
            assert abs(got - ref) < 1e-14 * max(1.0, abs(ref)), (name, rho, of, got, ref)


@pytest.mark.parametrize("name", ["relu", "tanh", "elu", "swish"])
def test_monte_carlo_agrees(name):
    """G0 at width m is an unbiased estimate of Ginf: |G0 - Ginf| < 5 standard errors."""
    X = ag.data.sphere(6, 4, seed=3)
    m = 200_000
    W = ag.sample_weights(m, 4, seed=11)
    act = ag.activation(name)
    A = act.derivative(X @ W.T)
    prods = (A[:, None, :] * A[None, :, :]) * (X @ X.T)[:, :, None]
    se = prods.std(axis=2) / math.sqrt(m)
    diff = np.abs(ag.gram_init(X, W, name) - ag.gram_inf(X, name))
    assert np.all(diff <= 5 * se + 1e-15)


@pytest.mark.parametrize("name", ALL)
def test_symmetry_psd_diagonal(name):
    X = ag.data.sphere(40, 5, seed=1)
    kinds = ("K",) if name == "step" else ("G", "K", "ntk")
    for kind in kinds:
        M = ag.kernel_inf(X, name, kind)
        assert np.array_equal(M, M.T)
        lam = np.linalg.eigvalsh(M)
        floor = 40 * np.finfo(float).eps * lam[-1]
        assert lam[0] > -floor  # PSD up to the float64 floor
    if name != "step":
        act = ag.activation(name)
        G = ag.gram_inf(X, act)
        e2 = ag.dual_kernel(act, 0.0, "derivative")  # E[phi'(g)^2]
        np.testing.assert_allclose(np.diag(G), e2, rtol=1e-14)


@pytest.mark.parametrize("name", ["relu", "tanh", "selu"])
def test_rotation_and_permutation_invariance(name):
    X = ag.data.sphere(30, 6, seed=2)
    Q, _ = np.linalg.qr(np.random.default_rng(5).standard_normal((6, 6)))
    perm = np.random.default_rng(6).permutation(30)
    G = ag.gram_inf(X, name)
    np.testing.assert_allclose(ag.gram_inf(X @ Q.T, name), G, atol=1e-14)
    np.testing.assert_allclose(ag.gram_inf(X[perm], name), G[np.ix_(perm, perm)], atol=0)


def test_near_duplicates_use_stable_angles():
    """For points 1e-9 apart ReLU's G entry is (pi - theta)/(2 pi) with theta = 1e-9 exactly."""
    eps = 1e-9
    X = np.array([[1.0, 0.0], [math.cos(eps), math.sin(eps)], [-1.0, 1e-10]])
    X = ag.data.normalize_rows(X)
    G = ag.gram_inf(X, "relu")
    assert G[0, 1] == pytest.approx(math.cos(eps) * (math.pi - eps) / (2 * math.pi), abs=1e-16)
    th = math.pi - 1e-10
    assert G[0, 2] == pytest.approx(math.cos(th) * (math.pi - th) / (2 * math.pi), abs=1e-16)


def test_ntk_is_sum():
    X = ag.data.sphere(20, 3, seed=0)
    np.testing.assert_allclose(
        ag.kernel_inf(X, "tanh", "ntk"),
        ag.kernel_inf(X, "tanh", "G") + ag.kernel_inf(X, "tanh", "K"), atol=1e-15)


def test_cross_kernel():
    X, Y = ag.data.sphere(7, 3, seed=0), ag.data.sphere(4, 3, seed=1)
    full = ag.kernel_inf(np.vstack([X, Y]), "gelu", "G")
    np.testing.assert_allclose(ag.kernel_inf(X, "gelu", "G", Y=Y), full[:7, 7:], atol=1e-15)


def test_polynomial_rank_collapse():
    """phi = z^p on a circle: Ginf = sum_k c_k(phi')^2 R^{o(k+1)} has rank equal to the number
    of circular harmonics of degree <= p with the right parity: p + 1 for d' = 2."""
    X = ag.data.half_circle(30)
    for p in (2, 3, 4):
        G = ag.gram_inf(X, ag.activation("monomial", p=p))
        s = np.linalg.svd(G, compute_uv=False)
        assert int(np.sum(s > 1e-10 * s[0])) == p + 1


@pytest.mark.parametrize(
    "X, match",
    [
        (np.ones(3), "1-D"),
        (np.zeros((0, 3)), "empty"),
        (np.array([[1.0, 0.0], [np.nan, 1.0]]), "NaN or inf"),
        (np.array([[2.0, 0.0], [0.0, 1.0]]), "unit norm"),
        (np.array([[0.0, 0.0], [0.0, 1.0]]), "zero"),
        (np.ones((2, 2, 2)), "2-D"),
    ],
)
def test_bad_data(X, match):
    with pytest.raises(ValueError, match=match):
        ag.gram_inf(X, "relu")


def test_normalize_opt_in():
    X = np.array([[3.0, 4.0], [0.0, 2.0]])
    G = ag.gram_inf(X, "relu", normalize=True)
    np.testing.assert_allclose(G, ag.gram_inf(ag.data.normalize_rows(X), "relu"))


def test_bad_kind_and_step_G():
    X = ag.data.sphere(3, 2)
    with pytest.raises(ValueError, match="kind must be"):
        ag.kernel_inf(X, "relu", "H")
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.gram_inf(X, "step")
    with pytest.raises(ValueError, match="columns"):
        ag.kernel_inf(X, "relu", Y=ag.data.sphere(2, 3))


def test_memory_guard():
    X = ag.data.sphere(2, 3)
    big = np.broadcast_to(X[0], (60_000, 3))
    with pytest.raises(MemoryError, match="GiB"):
        ag.gram_inf(big, "relu")


def test_of_is_the_one_word_for_phi_or_its_derivative():
    """dual_kernel, theta_table and dual_quadrature take of='derivative'|'function' (the old
    'dd'/'ff' is refused with the list of choices), and of='derivative' is the default."""
    th = np.array([0.3, 1.1])
    np.testing.assert_array_equal(ag.dual_kernel("tanh", th), ag.dual_kernel("tanh", th, of="derivative"))
    np.testing.assert_array_equal(theta_table("tanh")(th), theta_table("tanh", of="derivative")(th))
    for fn in (ag.dual_kernel, dual_quadrature):
        with pytest.raises(ValueError, match="of must be one of 'function', 'derivative'"):
            fn("tanh", th, "dd")
    with pytest.raises(ValueError, match="of must be one of"):
        theta_table("tanh", "ff")
