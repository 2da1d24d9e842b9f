"""Property-based checks of G-infinity on random small data sets (hypothesis, deterministic).

Data: n in 2..12 points in d in 2..6 dimensions, hypothesis-generated floats with rows of norm
at least 0.1, then normalised. Activations from a fixed list. ``derandomize=True`` makes every
CI run draw the same examples.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import actgram as ag

EPS = np.finfo(np.float64).eps
NAMES = ["relu", "leaky_relu", "elu", "selu", "tanh", "swish", "gelu", "erf", "sin", "polynomial"]
POLY = (0.2, 1.0, -0.5, 0.3)

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@cache
def act(name: str) -> ag.Activation:
    return ag.activation(name, coefficients=POLY) if name == "polynomial" else ag.activation(name)


@cache
def hermite(name: str) -> np.ndarray:
    return ag.hermite_coefficients(act(name), 200)


@st.composite
def unit_data(draw):
    n = draw(st.integers(2, 12))
    d = draw(st.integers(2, 6))
    A = draw(arrays(np.float64, (n, d), elements=st.floats(-1.0, 1.0, allow_nan=False, width=64)))
    norms = np.linalg.norm(A, axis=1)
    if np.any(norms < 0.1):  # near-zero rows have no meaningful direction
        from hypothesis import reject

        reject()
    return A / norms[:, None]


activations = st.sampled_from(NAMES)


def orthogonal(d: int, seed: int) -> np.ndarray:
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def psd_floor(G: np.ndarray) -> float:
    """The stated floor: n * 1e-14 * max(1, max|G|) + 4 sqrt(n) eps ||G||_2."""
    n = G.shape[0]
    return n * 1e-14 * max(1.0, float(np.max(np.abs(G)))) + 4.0 * math.sqrt(n) * EPS * np.linalg.norm(G, 2)


@SETTINGS
@given(X=unit_data(), name=activations)
def test_symmetric_exactly_and_psd_within_floor(X, name):
    G = ag.gram_inf(X, act(name))
    np.testing.assert_array_equal(G, G.T)
    assert np.min(np.linalg.eigvalsh(G)) >= -psd_floor(G)


@SETTINGS
@given(X=unit_data(), name=activations, seed=st.integers(0, 2**32 - 1))
def test_rotation_and_permutation_invariance(X, name, seed):
    a = act(name)
    G = ag.gram_inf(X, a)
    Q = orthogonal(X.shape[1], seed)
    np.testing.assert_allclose(ag.gram_inf(X @ Q.T, a, normalize=True), G, rtol=0, atol=1e-13)
    # Permutation: the same entries, moved. Not bit-for-bit: BLAS may round the same dot product
    # x_i . x_j differently by one ulp depending on where it falls in X @ X.T (seen for
    # duplicates: rho = 1 + 2e-16 at one position, 1 at another), so allow a few ulps.
    p = np.random.default_rng(seed).permutation(X.shape[0])
    np.testing.assert_allclose(ag.gram_inf(X[p], a), G[np.ix_(p, p)], rtol=0,
                               atol=4 * EPS * max(1.0, float(np.max(np.abs(G)))))


@SETTINGS
@given(X=unit_data(), name=activations)
def test_ntk_is_G_plus_K(X, name):
    a = act(name)
    ntk = ag.kernel_inf(X, a, "ntk")
    np.testing.assert_allclose(ntk, ag.kernel_inf(X, a, "G") + ag.kernel_inf(X, a, "K"), rtol=0, atol=1e-14)


def hermite_series(name: str, rho: float) -> float:
    c = hermite(name)
    return float(np.polynomial.polynomial.polyval(rho, c * c))


@SETTINGS
@given(name=activations, rho=st.floats(-0.7, 0.7))
def test_dual_kernel_equals_hermite_series(name, rho):
    """Closed form or polar quadrature (dual_kernel) == sum_k c_k(phi')^2 rho^k (kmax = 200)."""
    kappa = float(ag.dual_kernel(act(name), np.array([math.acos(rho)]), "derivative")[0])
    series = hermite_series(name, rho)
    assert abs(kappa - series) <= 1e-13 * max(1.0, abs(kappa)), (kappa, series)


def monte_carlo(name: str, rho: float, m: int, seed: int) -> tuple[float, float]:
    """Mean and standard error of phi'(u) phi'(v), (u, v) standard normal with correlation rho."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(m)
    v = rho * u + math.sqrt(1.0 - rho * rho) * rng.standard_normal(m)
    s = act(name).derivative(u) * act(name).derivative(v)
    return float(s.mean()), float(s.std(ddof=1) / math.sqrt(m))


@settings(max_examples=10, deadline=None, derandomize=True)
@given(name=activations, rho=st.floats(-0.7, 0.7), seed=st.integers(0, 2**32 - 1))
def test_three_methods_agree_with_monte_carlo(name, rho, seed):
    kappa = float(ag.dual_kernel(act(name), np.array([math.acos(rho)]), "derivative")[0])
    series = hermite_series(name, rho)
    mean, se = monte_carlo(name, rho, 200_000, seed)
    assert abs(kappa - series) <= 1e-13 * max(1.0, abs(kappa))
    assert abs(mean - kappa) <= 6.0 * se + 1e-15, (name, rho, mean, kappa, se)


@pytest.mark.parametrize("name", NAMES)
def test_every_listed_activation_is_drawn_somewhere(name):
    # sampled_from with 25 examples does not promise every name; pin each one once here
    X = ag.data.sphere(6, 3, seed=7)
    G = ag.gram_inf(X, act(name))
    np.testing.assert_array_equal(G, G.T)
    assert np.min(np.linalg.eigvalsh(G)) >= -psd_floor(G)
    rho = 0.37
    kappa = float(ag.dual_kernel(act(name), np.array([math.acos(rho)]), "derivative")[0])
    assert abs(kappa - hermite_series(name, rho)) <= 1e-13 * max(1.0, abs(kappa))
