"""Tests of actgram.circle_theory: closed forms against independent numerics, and wrong laws caught."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actgram as ag
from actgram import circle_theory as ct


def test_hermite_integral_matches_package_coefficients():
    # the package's quadrature is accurate to 1e-13 absolute for k <= 200
    k = np.arange(0, 201, 2)
    for name, tau in (("tanh", ct.TAU_TANH), ("sigmoid", ct.TAU_SIGMOID)):
        c = ag.hermite_coefficients(name, 200)
        mine = np.sqrt(np.exp(ct.sech2_log_c2(k, tau)))
        assert np.max(np.abs(mine - np.abs(c[k]))) < 2e-13, name


@pytest.mark.parametrize("k", [20, 100, 1000])
def test_hermite_integral_matches_mpmath_partial_fractions(k):
    # independent route (poles, Faddeeva, recurrence in extended precision); relative 1e-10
    for tau in (ct.TAU_TANH, ct.TAU_SIGMOID):
        ref = ct.sech2_c2_mpmath(k, tau)
        assert abs(math.exp(ct.sech2_log_c2(k, tau)[0]) / ref - 1) < 1e-10


def test_asymptotic_hermite_law_and_a_wrong_rate_is_caught():
    k = np.arange(100, 4001, 2)
    lc2 = ct.sech2_log_c2(k)
    # relative error of the leading term falls like k^(-1/2)
    err = np.abs(lc2 - ct.sech2_c2_asymptotic(k))
    assert err[-1] < 0.02 and err[-1] < err[0] / 4
    fit = ct.fit_hermite_rate(k, lc2)
    assert abs(fit["c"] - math.pi) < 0.01 and abs(fit["q"] - 0.5) < 0.05
    # mutation: coefficients decaying at the quoted bound's rate pi/2 are detected
    wrong = math.log(17.0) + 0.5 * np.log(k) - (math.pi / 2) * np.sqrt(k)
    assert abs(ct.fit_hermite_rate(k, wrong)["c"] - math.pi) > 1.0


def test_aliasing_formula_equals_dense_eigenvalues():
    # full spectrum, at n where float64 eigvalsh resolves everything (all eigenvalues > 1e-8)
    logF = ct.sech2_log_F_hat(40)
    for n in (5, 6, 8):
        ev = np.sort(np.exp(ct.half_circle_eigenvalues(logF, n)))
        dense = np.linalg.eigvalsh(ag.gram_inf(ag.data.half_circle(n), "tanh"))
        assert np.allclose(ev, dense, rtol=1e-9, atol=1e-13), n
    # mutation: the full-circle formula 2n S_m (a factor 2) or the even classes are wrong
    S = ct.aliased_sums(logF, 8)
    dense = np.linalg.eigvalsh(ag.gram_inf(ag.data.half_circle(8), "tanh"))
    assert not np.allclose(np.sort(2 * 8 * np.exp(S[1::2])), dense, rtol=1e-3)


@pytest.mark.slow  # builds the package's Fourier coefficient cache (about 20 s)
def test_aliasing_matches_brackets_below_the_floor():
    logF = ct.sech2_log_F_hat(130)
    for n in (48, 64):
        L = ag.lambda_min(ag.data.half_circle(n), "tanh")
        v = math.exp(ct.half_circle_eigenvalues(logF, n)[0])
        assert L.lower * (1 - 1e-9) <= v <= L.upper * (1 + 1e-9)


@pytest.mark.slow  # builds the package's Fourier coefficient cache (about 20 s)
def test_lower_bound_for_mixed_parity():
    # swish: phi' = const + odd, the bound holds and is within a factor 10 at small n
    co = ag.spectra.fourier_coefficients("swish", 41)
    lF = np.log(np.maximum(co["lower"], np.finfo(float).tiny))
    for n in (6, 10, 16):
        dense = np.linalg.eigvalsh(ag.gram_inf(ag.data.half_circle(n), "swish"))[0]
        b = math.exp(ct.half_circle_lower_bound(lF, n))
        assert b <= dense * (1 + 1e-6) and dense < 10 * b


def test_circle_law_fit_recovers_derived_rate_and_detects_wrong_law():
    logF = ct.sech2_log_F_hat(2 * 160 + 2)
    n = np.arange(40, 161, 10)
    y = np.array([ct.half_circle_eigenvalues(logF, m)[0] for m in n])
    law = ct.circle_law()
    fit = ct.fit_circle_law_corrected(n, y)
    assert abs(fit["C"] / law["C"] - 1) < 0.005 and abs(fit["log_B"] - law["log_B"]) < 0.2
    assert abs(ct.fit_circle_law(n, y, beta=None)["beta"] - 2 / 3) < 0.02
    # the ratio to the law falls towards 1 (corrections of relative order n^(-2/3))
    r = np.exp(y - ct.log_lambda_min_law(n))
    assert np.all(np.diff(r) < 0) and r[-1] < 1.15
    # mutation: a law with the bound's rate (tau = pi/4) is rejected by the same fit
    wrong = ct.circle_law(math.pi / 4)
    assert abs(fit["C"] / wrong["C"] - 1) > 0.2
    # mutation: data from a different law (beta = 1/2) give a beta far from 2/3
    y_wrong = 1.0 + 2 * np.log(n) - 3.0 * np.sqrt(n)
    assert abs(ct.fit_circle_law(n, y_wrong, beta=None)["beta"] - 2 / 3) > 0.1


def test_bad_input():
    with pytest.raises(ValueError):
        ct.sech2_log_c2([3])
    with pytest.raises(ValueError):
        ct.aliased_sums(np.zeros(5), 4)
    with pytest.raises(ValueError):
        ct.kappa_hat_from_c2(np.zeros(11), 10)  # constant c_k^2: the series does not converge
