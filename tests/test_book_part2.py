"""Helpers of chapters 4-7 (actgram.book.ch04 ... ch07): formatting, bookkeeping, figures."""

import matplotlib

matplotlib.use("Agg")

from types import SimpleNamespace  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import actgram as ag  # noqa: E402
from actgram import book  # noqa: E402
from actgram.book import ch04, ch05, ch06, ch07  # noqa: E402


def test_ch04_phi_parity():
    assert ch04.phi_parity("tanh") == "even"  # tanh' = sech^2
    assert ch04.phi_parity("swish") == "const+odd"  # swish' = 1/2 + odd
    assert ch04.phi_parity("softplus") == "const+odd"  # sigmoid = 1/2 + odd
    assert ch04.phi_parity("relu") == "neither"  # step: 0 and 1


def test_ch04_antipodal_counts_small_circle():
    # n = 8 points of the full circle: tanh has n/2 = 4 zero eigenvalues (four antipodal pairs)
    spectra = {("tanh", 8): ag.smallest_eigenvalues(ag.data.circle(8), "tanh", 8)}
    c = ch04.antipodal_counts(spectra, {"tanh": "even"})
    row = c.iloc[0]
    assert row.predicted == 4 and row.fourier == 4 and row.dense == 4
    assert row.row_dev <= 3e-14 and bool(row.separated)


def test_ch04_plot_floor_draws_every_series():
    sweep = pd.DataFrame({"n": [8, 16, 24], "f64": [1e-3, 1e-9, -1e-16],
                          "f32": [1e-3, -1e-8, 2e-8], "value": [1e-3, 1e-9, 1e-20],
                          "lower": [1e-3, 1e-9, 0.0], "upper": [1e-3, 1e-9, 1e-19],
                          "resolved": [True, True, False], "floor": [1e-16] * 3,
                          "floor32": [1e-7] * 3})
    fig, ax = book.figure()
    ch04.plot_floor(ax, sweep)
    labels = ax.get_legend_handles_labels()[1]
    assert "ag.lambda_min: upper bound (not resolved)" in labels
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_ch05_upper_text_and_resolved_points():
    r = SimpleNamespace(value=1.234e-5, upper=1.3e-5, resolved=True)
    u = SimpleNamespace(value=1e-30, upper=2.2e-24, resolved=False)
    assert ch05.upper_text(r) == "1.23e-05" and ch05.upper_text(u) == "<2e-24"
    n, y = ch05.resolved_points({8: r, 16: u, 24: r})
    assert n.tolist() == [8.0, 24.0] and np.allclose(y, np.log(1.234e-5))


def test_ch05_cubic_spectrum_index_ascending():
    b = SimpleNamespace(value=np.array([1e-17, 1e-16, 0.2, 1.0]), upper=np.full(4, 1e-15),
                        resolved=np.array([False, False, True, True]), norm=1.0)
    fig, ax = book.figure()
    ch05.plot_cubic_spectrum(ax, {2: b}, {2: 2}, {2: 4}, ["C0"])
    xs = ax.lines[0].get_xdata()  # resolved points: the two largest, indices 3 and 4
    assert list(xs) == [3, 4]
    plt.close(fig)


def test_ch06_geo_mean_and_seeds_text():
    assert ch06.geo_mean([1e-2, 1e2]) == pytest.approx(1.0)
    assert np.isnan(ch06.geo_mean([0.0, 1.0]))
    g = pd.DataFrame({"value": [0.011, 0.017], "lower": [0.011, 0.017],
                      "upper": [0.011, 0.017], "resolved": [True, True]})
    assert ch06.seeds_text(g) == "0.011 - 0.017"
    g2 = g.assign(resolved=[True, False], lower=[7e-29, 1e-28], upper=[1e-28, 4e-25])
    assert ch06.seeds_text(g2) == "in [7e-29, 4e-25]"
    assert ch06.seeds_text(g2.assign(lower=[0.0, 1e-28])) == "<= 4e-25"


def test_ch07_slopes_agree_and_relu_is_one():
    assert ch07.slope_series("tanh") == pytest.approx(ch07.slope_exact("tanh"), abs=1e-6)
    assert ch07.slope_exact("relu") == pytest.approx(1.0, abs=1e-14)  # E[step^2] = E[relu^2]


def test_ch07_dense_lmin_and_depth_needed():
    G = np.diag([1e-3, 1.0])
    val, floor, top, ok = ch07.dense_lmin(G, 2)
    assert val == pytest.approx(1e-3) and top == pytest.approx(1.0) and ok
    assert not ch07.dense_lmin(np.diag([1e-14, 1.0]), 2)[3]  # below 10 n 1e-13
    vals = [np.nan, 1e-6, 1e-3, 1e-1]
    assert ch07.depth_needed(vals, 1e-4) == 3.0 and np.isnan(ch07.depth_needed(vals, 1.0))
