"""Tests of the chapter helpers of Part I and chapter 3 (actgram.book.ch01, ch02, ch03,
conclusion): each checks what the helper computes against an independent route."""

from __future__ import annotations

import numpy as np
import pytest

import actgram
from actgram.book import ch01


# ---------------------------------------------------------------- ch01
def test_width_errors_matches_direct_computation():
    X = actgram.data.half_circle(6)
    G_inf = actgram.gram_inf(X, "relu")
    widths, n_seeds = [50, 400], 3
    err = ch01.width_errors(X, G_inf, "relu", widths, n_seeds)
    assert err.fro.shape == (2, 3)
    # the draw (k = 1, s = 2) by hand, with the documented seed n_seeds * k + s
    W = actgram.sample_weights(400, 2, seed=3 * 1 + 2)
    G0 = actgram.gram_init(X, W, "relu")
    assert err.fro[1, 2] == pytest.approx(np.linalg.norm(G0 - G_inf, "fro"), rel=1e-12)
    assert err.spec[1, 2] == pytest.approx(np.linalg.norm(G0 - G_inf, 2), rel=1e-12)
    lam = abs(np.linalg.eigvalsh(G0)[0] - np.linalg.eigvalsh(G_inf)[0])
    assert err.lam[1, 2] == pytest.approx(lam, rel=1e-9, abs=1e-15)
    # spectral norm <= Frobenius norm; Weyl: |d lambda_min| <= spectral norm
    assert np.all(err.spec <= err.fro + 1e-15)
    assert np.all(err.lam <= err.spec + 1e-15)
    assert err.worst_psd > -1e-13


def test_weyl_widths_extrapolation_and_measured_width():
    widths = [100, 200, 400, 800]
    spec = np.array([[0.4], [0.3], [0.2], [0.1]])
    lam = np.array([[0.6], [0.3], [0.1], [0.05]])
    err = ch01.WidthErrors(fro=spec, spec=spec, lam=lam, worst_psd=0.0)
    m_weyl, m_meas = ch01.weyl_widths(widths, err, lam_inf=0.5)
    # m^-1/2 law from the error 0.1 at m = 800 to lambda_min / 2 = 0.25
    assert m_weyl == pytest.approx(800 * (0.1 / 0.25) ** 2)
    # measured error < 0.25 from m = 400 on (0.3 at 200 is not)
    assert m_meas == 400
    lam_ok = np.full((4, 1), 0.01)
    assert ch01.weyl_widths(widths, ch01.WidthErrors(spec, spec, lam_ok, 0.0), 0.5)[1] == 100


def test_bootstrap_slope_sd_zero_without_spread_and_positive_with_it():
    widths = np.array([100, 400, 1600, 6400])
    exact = np.repeat((1.0 / np.sqrt(widths))[:, None], 5, axis=1)
    assert ch01.bootstrap_slope_sd(widths, exact, np.random.default_rng(0), 50) < 1e-12
    noisy = exact * np.random.default_rng(1).lognormal(0.0, 0.3, size=exact.shape)
    sd = ch01.bootstrap_slope_sd(widths, noisy, np.random.default_rng(0), 200)
    assert 0.005 < sd < 0.2


# ---------------------------------------------------------------- ch03
def test_step_coefficients_against_quadrature_and_parseval():
    from scipy import integrate, special

    from actgram.book import ch03

    c = ch03.step_coefficients(12)
    # c_k = E[1{g > 0} He_k(g)] / sqrt(k!) by direct quadrature on (0, inf)
    for k in range(13):
        val = integrate.quad(lambda x, k=k: special.eval_hermitenorm(k, x)
                             * np.exp(-x * x / 2) / np.sqrt(2 * np.pi), 0, np.inf)[0]
        assert c[k] == pytest.approx(val / np.sqrt(special.factorial(k)), abs=1e-12)
    # Parseval: sum c_k^2 = E[step^2] = 1/2; the tail past K = 2000 is about
    # (2 pi)^-1 (2 / pi)^(1/2) K^(-1/2) = 2.3e-3 (the power law of chapter 2)
    total = np.sum(ch03.step_coefficients(2000) ** 2)
    assert 0.5 - 3e-3 < total < 0.5 - 1.5e-3


def test_relu2_coefficients_match_package():
    from actgram.book import ch03

    act = actgram.activation("relu_power", r=2)
    ref = actgram.hermite_coefficients(act, 150)
    assert np.max(np.abs(ch03.relu2_coefficients(150) - ref)) < 1e-13


def test_exponent_fits():
    from actgram.book import ch03

    d = np.geomspace(1e-3, 1e-1, 7)
    assert ch03.fitted_exponent(d, 3.0 * d**2.5) == pytest.approx(2.5, abs=1e-12)
    steps = np.geomspace(0.01, 0.3, 8)
    e = ch03.small_end_exponent([actgram.data.arc(4, s) for s in steps], "relu")
    assert abs(e - 1.0) < 0.1  # ReLU: lambda_min linear in the separation (chapter 3)
