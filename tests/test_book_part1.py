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


# ---------------------------------------------------------------- ch02
def test_fit_exponent_and_local_slopes_on_exact_power_law():
    from actgram.book import ch02

    k = np.arange(ch02.KMAX + 1, dtype=float)
    c2 = np.where(k > 0, 0.3 * np.maximum(k, 1) ** -2.5, 1.0)
    assert ch02.fit_exponent(c2, 0) == pytest.approx(-2.5, abs=1e-10)
    assert ch02.fit_exponent(c2, 1) == pytest.approx(-2.5, abs=1e-10)
    s = ch02.local_slopes(c2, 1, [50, 100, 150])
    assert np.allclose(s, -2.5, atol=1e-10)
    # below the resolution limit a window is not fitted
    c2_small = c2 * 1e-30
    assert np.all(np.isnan(ch02.local_slopes(c2_small, 1, [50, 100])))


def test_main_parity_and_classes():
    from actgram.book import ch02

    assert ch02.main_parity(actgram.activation("relu")) == 1
    assert ch02.main_parity(actgram.activation("elu", alpha=1.0)) == 0
    assert ch02.main_parity(actgram.activation("tanh")) == 0  # tanh' even
    assert ch02.main_parity(actgram.activation("softplus")) == 1
    assert ch02.decay_class(actgram.activation("monomial", p=3)) == "vanishes for k >= 3"
    assert ch02.decay_class(actgram.activation("tanh")) == "faster than any power"
    assert ch02.measured_decay(actgram.activation("relu")).startswith("exponent -1.5")


def test_jump_size_and_leading_term_for_relu():
    from actgram.book import ch02

    relu = actgram.activation("relu")
    assert ch02.jump_size(relu, 1) == pytest.approx(1.0, abs=1e-12)
    elu1 = actgram.activation("elu", alpha=1.0)
    assert ch02.jump_size(elu1, 2) == pytest.approx(-1.0, abs=1e-4)  # phi'' 0 vs 1
    # ReLU's derivative is the step: its c_k^2 equals the leading term exactly (odd k)
    c = actgram.hermite_coefficients(relu, 61)
    assert c[61] ** 2 == pytest.approx(ch02.leading_term(1.0, 1, 61), rel=1e-10)


def test_step_closed_form_and_tail_exponent():
    from actgram.book import ch02, ch03

    # two independent closed forms of the same coefficients
    assert np.max(np.abs(ch02.step_closed_form(300) - ch03.step_coefficients(300))) < 1e-15
    relu = actgram.activation("relu")
    c2 = actgram.hermite_coefficients(relu, ch02.KMAX) ** 2
    assert ch02.tail_exponent(relu, c2) == pytest.approx(-1.5, abs=0.02)
    assert ch02.shown(1e-14) == "below 1e-13"
    assert ch02.shown(2e-12) == "2.0e-12"


def test_sqrt_rate_and_excess():
    from actgram.book import ch02

    k = np.arange(20, 200, 2, dtype=float)
    assert ch02.sqrt_rate(k, 5.0 * np.exp(-2.0 * np.sqrt(k))) == pytest.approx(2.0)
    assert ch02.log10_excess(100, -np.pi * 5 - np.log(10) * 3) == pytest.approx(3.0)


# ---------------------------------------------------------------- conclusion (thesis figure)
def test_thesis_data_small_sizes():
    from actgram.book import conclusion

    data = conclusion.thesis_data(sizes=(8, 16), activations=("relu", "tanh"))
    assert data.sizes == (8, 16)
    # independent route for the dense, well-resolved ReLU values: eigvalsh of gram_inf
    for i, n in enumerate(data.sizes):
        ref = np.linalg.eigvalsh(actgram.gram_inf(actgram.data.half_circle(n), "relu"))[0]
        assert data.lam["relu"][i] == pytest.approx(ref, rel=1e-8)
        assert data.floor[i] > 0
    # the dichotomy on these points: tanh's lambda_min is far below ReLU's and falls faster
    assert np.all(data.lam["tanh"] < 0.1 * data.lam["relu"])
    assert data.lam["tanh"][1] / data.lam["tanh"][0] < data.lam["relu"][1] / data.lam["relu"][0]
    assert np.all(np.isnan(data.upper["relu"]))  # resolved, so no upper ends drawn


def test_draw_thesis_labels_and_legend_entries():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from actgram.book import conclusion

    data = conclusion.ThesisData(
        sizes=(8, 16), lam={"relu": np.array([1e-2, 5e-3]), "swish": np.array([1e-5, np.nan])},
        upper={"relu": np.array([np.nan, np.nan]), "swish": np.array([np.nan, 1e-20])},
        floor=np.array([1e-15, 2e-15]), methods={"relu": ["dense"] * 2, "swish": ["fourier"] * 2})
    ax = Figure().add_subplot()
    conclusion.draw_thesis(ax, data)
    labels = ax.get_legend_handles_labels()[1]
    assert labels[:2] == ["relu", "swish"] and "swish: upper end (not resolved)" in labels
    assert ax.get_yscale() == "log"
