"""The helpers of the companion chapters (actgram.book.ch12, ch13, ch14)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from actgram import book
from actgram.book import TEXT_WIDTH, ch12, ch13, ch14


# ---------------------------------------------------------------------------------------
# ch12
# ---------------------------------------------------------------------------------------
class _Net:
    def objective(self, X, y, beta):
        return 2.0 * len(X)

    def convex_objective(self, X, y, beta):
        return 1.0 * len(X)

    def accuracy(self, X, y):
        return 1.0 if len(X) == 4 else 0.75


def test_net_summary_divides_by_n():
    X, y = np.zeros((4, 2)), np.ones(4)
    assert ch12.net_summary(_Net(), X, y, np.zeros((8, 2)), np.ones(8), 0.1) == (
        2.0, 1.0, 1.0, 0.75)


def test_last_quarter_change():
    steps = np.arange(0, 101)
    res = SimpleNamespace(steps=steps, objective=np.where(steps < 80, 2.0, 1.0))
    # from step 75 on: 2.0 (steps 75..79) against the final 1.0
    assert ch12.last_quarter_change(res, 100) == pytest.approx(1.0)
    res = SimpleNamespace(steps=steps, objective=np.where(steps < 70, 2.0, 1.0))
    assert ch12.last_quarter_change(res, 100) == 0.0


def test_ste_table_rows():
    t = ch12.ste_table((0.0123, 0.0123, 1.0, 0.7165),
                       [("STE clipped, Adam 2000", (0.00585, 0.00564, 1.0, 0.7935), 0.08),
                        ("STE identity, SGD 1000", (0.4148, 0.02289, 1.0, 0.7745), None)])
    assert [r["method"] for r in t.rows][0] == "convex (Lasso)"
    assert t.rows[1]["last quarter"] == "8%" and t.rows[2]["last quarter"] == "-"
    assert t.rows[1]["Lasso form/n"] == "0.00564" and t.rows[0]["test acc"] == "0.7165"


@pytest.mark.parametrize("n", [1, 3, 6])
def test_all_patterns_are_every_nonzero_pattern(n):
    H = ch12.all_patterns(n)
    assert H.shape == (n, 2**n - 1)
    assert len({tuple(c) for c in H.T}) == 2**n - 1 and H.sum(axis=0).min() >= 1


def test_sweep_table_hides_gaps_below_the_stopping_rule():
    t = ch12.sweep_table([(10, 8, 5.7, 1e-14), (30, 23, 3.8, 2e-6)], 20)
    assert t.rows[0]["gap/n"] == "< 1e-12 P" and t.rows[1]["gap/n"] == "1.0e-07"
    assert t.rows[0]["P/n"] == "0.28500000"


# ---------------------------------------------------------------------------------------
# ch13
# ---------------------------------------------------------------------------------------
def test_below():
    assert book.below(3e-13, 1e-12) == "< 1e-12"
    assert book.below(0.0, 1e-8) == "< 1e-8"
    assert book.below(2.5e-3, 1e-12) == "2.5e-03"


def test_wrapped_keeps_items_and_width():
    items = [f"{v:.4f} x {m}" for v, m in zip(np.linspace(0, 3, 30), range(30), strict=True)]
    text = ch13.wrapped(items)
    assert all(len(line) <= TEXT_WIDTH and line.startswith("  ") for line in text.splitlines())
    assert " ".join(text.split()) == ", ".join(items)


def test_fit_line_exact_and_noisy():
    x = np.arange(6.0, 21.0)
    s, se, r = ch13.fit_line(x, 0.15 * x + 0.2)
    assert s == pytest.approx(0.15, abs=1e-12) and se < 1e-10 and r < 1e-10
    y = 0.15 * x + 0.2 + 0.01 * np.random.default_rng(0).standard_normal(x.size)
    s, se, r = ch13.fit_line(x, y)
    assert abs(s - 0.15) < 5 * se and 0 < se < 0.01 and 0 < r < 0.2


@pytest.mark.parametrize("k", range(6, 21))
def test_expected_multiplicities_count_to_k_squared(k):
    m = ch13.expected_multiplicities(k)
    assert len(m) == 12 and sum(m) == k * k and m == sorted(m)


def _point(k, d, slope):
    # d + 1 eigenvalues growing like slope * k (the largest like 2 slope * k) above a bulk
    # of dk - d - 1 at 0.1 whose top is 0.3 + 0.001 k
    grow = np.full(d + 1, slope * k)
    grow[-1] = 2 * slope * k
    eigs = np.concatenate([np.full(d * k - d - 2, 0.1), [0.3 + 0.001 * k], grow])
    return SimpleNamespace(k=k, d=d, eigs=np.sort(eigs), grad_norm=1e-13)


def test_scaling_fits_and_table():
    scan = {"d = k": [_point(k, k, 0.2) for k in range(6, 12)]}
    f = ch13.scaling_fits(scan)["d = k"]
    assert f["s_grow"] == pytest.approx(0.2) and f["s_top"] == pytest.approx(0.4)
    assert f["s_bulk"] == pytest.approx(0.001) and f["lam_min"] == 0.1
    assert f["r_grow"] < 1e-10 and f["r_top"] < 1e-10
    assert f["gap"] == pytest.approx(1.2 / 0.306) and f["grad"] == 1e-13
    cells = ch13.scaling_table({"d = k": f}).cells()
    assert cells[0][0] == "d = k" and cells[0][1] == "6..11" and "±" in cells[0][2]


def test_start_verdict_and_family_tables():
    res = [SimpleNamespace(verdict="global", loss=0.0)] * 3
    res += [SimpleNamespace(verdict="spurious", loss=0.0215081)]
    t = ch13.start_table({8: res}, 4)
    row = t.rows[0]
    assert (row["global"], row["spurious"], row["other"]) == (3, 1, 0)
    assert row["fraction spurious"] == f"0.25 ± {math.sqrt(0.25 * 0.75 / 4):.2f}"
    assert row["loss at the spurious minima"] == "0.021508"
    canon = {8: [SimpleNamespace(blocks=(1, 7), values=np.arange(5), defect=1e-12,
                                 W=np.eye(8))]}
    spur = {8: res[3:]}
    kt = ch13.symmetry_table(spur, canon)
    assert kt.rows[0]["count"] == 1 and kt.rows[0]["exact symmetry"] is True
    ta = ch13.delta_s_minima(spur, canon)
    assert len(ta[8]) == 1 and ch13.canonical_spread(ta) == {8: 0.0}
    fam = {k: SimpleNamespace(loss=0.02, grad_norm=1e-13, eigs=np.array([0.01, 1.0]),
                              theta=np.arange(5.0)) for k in range(5, 25)}
    ft = ch13.family_table(fam)
    assert [r["k = d"] for r in ft.rows] == [*range(5, 13), 16, 20, 24]
    assert ft.rows[0]["|grad|"] == "< 1e-11"


# ---------------------------------------------------------------------------------------
# ch14
# ---------------------------------------------------------------------------------------
def test_interval_bars():
    rates, (lo, hi) = ch14.interval_bars([(0.5, 0.4, 0.7), (1.0, 0.96, 1.0)])
    assert np.allclose(rates, [0.5, 1.0]) and np.allclose(lo, [0.1, 0.04])
    assert np.allclose(hi, [0.2, 0.0])


def test_gradient_error_is_small():
    rng = np.random.default_rng(0)
    v_star = np.eye(5)[0]
    a_star = rng.standard_normal(4)
    err = ch14.gradient_error(rng.standard_normal(5), rng.standard_normal(4), v_star, a_star)
    assert 0 <= err < 1e-7


def test_success_table_subsamples_fine_grids():
    phis = np.radians(np.arange(0.0, 180.01, 2.5))
    rate = {0.1: np.linspace(1, 0, phis.size)}
    t = ch14.success_table(phis, rate)
    assert t.rows[0]["angle (deg)"] == "0" and t.rows[1]["angle (deg)"] == "7"
    assert len(t.rows) <= 25 and t.columns == ["angle (deg)", "ball 0.1|a*|"]


def test_teacher_study_and_table():
    v_star = np.eye(4)[0]
    rows = ch14.teacher_study(4, 4, v_star, 1, (0.1,), n_plain=20, n_shortcut=10,
                              angles=np.radians([20.0, 160.0]), eta=1.0, steps=300)
    (row,) = rows
    assert row["seed"] == 1 and len(row[0.1]) == 2
    assert all(0 <= lo <= r <= hi <= 1 for r, lo, hi in [row["spur"], *row[0.1]])
    t = ch14.teacher_table(rows, (0.1,), [20.0, 160.0])
    assert t.columns[-1] == "ball 0.1: 20° / 160°"
