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
