"""Checks that cannot pass by accident: each check used by the suite is run on deliberately
wrong science (a mutated derivative, a corrupted entry, a swapped activation, a perturbed
coefficient) and must reject it, and on the correct input, where it must accept.

The checks are written as small functions returning True/False (or raising AssertionError), the
same logic as in test_kernels.py, test_hermite.py, test_finite_deep_data.py and the chapters.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import actgram as ag
from actgram.kernels import dual_quadrature

EPS = np.finfo(np.float64).eps
THETA = np.concatenate([[0.0, 1e-8], np.linspace(0, np.pi, 37), [np.pi - 1e-8, np.pi]])


# --------------------------------------------------------------------------------------------
# the checks
# --------------------------------------------------------------------------------------------

def closed_form_matches_quadrature(act: ag.Activation, of: str = "derivative", tol: float = 1e-14) -> bool:
    """test_kernels.test_closed_form_against_polar_quadrature as a predicate."""
    q = dual_quadrature(act, THETA, of)
    c = act.dual[of](THETA)
    return bool(np.all(np.abs(q - c) <= tol * np.maximum(1.0, np.abs(c))))


def check_gram(G: np.ndarray, diagonal: float | None = None) -> None:
    """Exact symmetry, PSD within the stated floor, and the known diagonal kappa(0)."""
    np.testing.assert_array_equal(G, G.T)
    n = G.shape[0]
    floor = n * 1e-14 * max(1.0, float(np.max(np.abs(G)))) + 4 * math.sqrt(n) * EPS * np.linalg.norm(G, 2)
    assert np.linalg.eigvalsh(G)[0] >= -floor
    if diagonal is not None:
        np.testing.assert_allclose(np.diag(G), diagonal, rtol=1e-14, atol=0)


def monte_carlo_agrees(X, W, act_net, act_inf, n_se: float = 5.0) -> bool:
    """test_kernels.test_monte_carlo_agrees as a predicate: |G0 - Ginf| <= n_se standard errors."""
    A = ag.activation(act_net).derivative(X @ W.T)
    prods = (A[:, None, :] * A[None, :, :]) * (X @ X.T)[:, :, None]
    se = prods.std(axis=2, ddof=1) / math.sqrt(W.shape[0])
    diff = np.abs(ag.gram_init(X, W, act_net) - ag.gram_inf(X, act_inf))
    return bool(np.all(diff <= n_se * se + 1e-15))


def claim_much_larger(X, a: str, b: str, factor: float = 10.0) -> bool:
    """Chapter-style claim lambda_min(a) > factor * lambda_min(b), decided on the brackets."""
    la, lb = ag.lambda_min(X, a, method="dense"), ag.lambda_min(X, b, method="dense")
    return la.lower > factor * lb.upper


def ladder_holds(c_der: np.ndarray, c_fun: np.ndarray, tol: float = 1e-13) -> bool:
    """c_k(phi') = sqrt(k + 1) c_{k+1}(phi) (test_hermite.test_derivative_identity)."""
    k = np.arange(c_der.size - 1)
    return bool(np.all(np.abs(c_der[:-1] - np.sqrt(k + 1) * c_fun[1:]) <= tol))


# --------------------------------------------------------------------------------------------
# (a) a wrong derivative
# --------------------------------------------------------------------------------------------

def test_wrong_derivative_is_caught_by_closed_form_vs_quadrature():
    relu = ag.activation("relu")
    assert closed_form_matches_quadrature(relu)
    leaky_der = ag.activation("leaky_relu", slope=0.01).derivative
    mutant = dataclasses.replace(relu, derivative=leaky_der, cache={})  # relu with leaky relu's phi'
    assert not closed_form_matches_quadrature(mutant)
    # the slope is small (0.01), yet the mismatch is far above the tolerance
    err = np.max(np.abs(dual_quadrature(mutant, THETA, "derivative") - relu.dual["derivative"](THETA)))
    assert err > 1e-3


def test_wrong_derivative_is_caught_by_hermite_ladder():
    tanh = ag.activation("tanh")
    c_fun = ag.hermite_coefficients(tanh, 30, of="function")
    assert ladder_holds(ag.hermite_coefficients(tanh, 30), c_fun)
    mutant = dataclasses.replace(tanh, derivative=lambda z: 1.0 - np.tanh(z) ** 4, cache={})
    assert not ladder_holds(ag.hermite_coefficients(mutant, 30), c_fun)


# --------------------------------------------------------------------------------------------
# (b) one corrupted entry
# --------------------------------------------------------------------------------------------

def test_corrupted_entry_breaks_symmetry():
    G = ag.gram_inf(ag.data.sphere(10, 3, seed=0), "relu")
    check_gram(G, diagonal=0.5)
    bad = G.copy()
    bad[2, 7] += 1e-6
    with pytest.raises(AssertionError):
        check_gram(bad)


def test_corrupted_pair_breaks_psd():
    # sin (entire phi') on a half circle: lambda_min ~ 2e-15, far below 1e-6, so a 1e-6 error shows
    # (tanh and erf have lambda_min ~ 1e-6 at n = 16: too large for this demonstration)
    G = ag.gram_inf(ag.data.half_circle(16), "sin")
    check_gram(G)
    # a symmetric error E changes lambda_min by about v' E v (v its eigenvector): corrupt the pair
    # (i, j) where v_i v_j is most negative, so the corruption pushes lambda_min down by ~1e-7
    v = np.linalg.eigh(G)[1][:, 0]
    i, j = int(np.argmax(v)), int(np.argmin(v))
    bad = G.copy()
    bad[i, j] += 1e-6
    bad[j, i] += 1e-6
    with pytest.raises(AssertionError):
        check_gram(bad)


def test_corrupted_diagonal_breaks_known_value():
    G = ag.gram_inf(ag.data.sphere(10, 3, seed=0), "relu")  # diag = rho * kappa(0) = 1/2 exactly
    bad = G.copy()
    bad[4, 4] += 1e-6  # symmetric, and PSD still holds: only the known value can see it
    with pytest.raises(AssertionError):
        check_gram(bad, diagonal=0.5)


# --------------------------------------------------------------------------------------------
# (c) the Monte Carlo comparison needs its width
# --------------------------------------------------------------------------------------------

def test_monte_carlo_check_detects_wrong_activation_only_when_wide():
    X = ag.data.sphere(6, 4, seed=3)
    wide = ag.sample_weights(200_000, 4, seed=11)
    assert monte_carlo_agrees(X, wide, "tanh", "tanh")
    assert not monte_carlo_agrees(X, wide, "tanh", "erf")  # G0(tanh) against Ginf(erf): caught
    # At m = 10 the standard errors are so large that the same wrong comparison passes: a check
    # at this width would pass by accident, which is why test_kernels uses m = 200000.
    narrow = ag.sample_weights(10, 4, seed=11)
    assert monte_carlo_agrees(X, narrow, "tanh", "erf")


# --------------------------------------------------------------------------------------------
# (d) a chapter-style claim with the activations swapped
# --------------------------------------------------------------------------------------------

def test_swapped_claim_fails():
    X = ag.data.half_circle(16)
    assert claim_much_larger(X, "relu", "tanh")
    assert not claim_much_larger(X, "tanh", "relu")


# --------------------------------------------------------------------------------------------
# (e) a perturbed Hermite coefficient
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["relu", "tanh", "gelu"])
def test_perturbed_hermite_coefficient_breaks_ladder(name):
    c_der = ag.hermite_coefficients(name, 40)
    c_fun = ag.hermite_coefficients(name, 40, of="function")
    assert ladder_holds(c_der, c_fun)
    bad = c_der.copy()
    bad[7] += 1e-10
    assert not ladder_holds(bad, c_fun)


def test_perturbed_hermite_coefficient_breaks_kernel_series():
    rho = 0.5
    kappa = float(ag.dual_kernel("erf", np.array([math.acos(rho)]))[0])
    c = ag.hermite_coefficients("erf", 200)
    assert abs(np.polynomial.polynomial.polyval(rho, c * c) - kappa) <= 1e-13
    bad = c.copy()
    bad[2] += 1e-6  # c_2(erf') is about -0.65: (c_2 + 1e-6)^2 rho^2 moves the sum by ~3e-7
    assert abs(np.polynomial.polynomial.polyval(rho, bad * bad) - kappa) > 1e-13
