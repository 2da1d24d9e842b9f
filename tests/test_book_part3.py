"""Helpers of chapters 8-11 (actgram.book.ch08 ... ch11): summaries and formatting."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actgram.book import ch09, ch10, ch11  # noqa: E402
from actgram.dynamics import interval  # noqa: E402


def test_resolved_needs_every_seed_above_100_eps_lambda_max():
    eps = np.finfo(float).eps
    ev = np.array([[1e-20, 1e-10, 1.0],
                   [1e-10, 1e-10, 1.0]])
    # first eigenvalue: resolved in the second seed only -> not resolved
    assert ch09.resolved(ev).tolist() == [False, True, True]
    # exactly at 100 eps lambda_max is not above it
    edge = np.array([[100 * eps, 1.0], [1.0, 1.0]])
    assert ch09.resolved(np.sort(edge, axis=1)).tolist() == [False, True]


def test_interval_text_rounds_to_significant_digits():
    assert ch09.interval_text((0.0641234, 0.0291, 0.14049)) == "0.064 [0.029, 0.14]"
    assert ch09.interval_text((112.3, 63.1, 190.2)) == "1.1e+02 [63, 1.9e+02]"
    assert ch09.interval_text((0.96, 0.944, 0.978), 3) == "0.96 [0.944, 0.978]"


def _seed_runs(S=4, R=3, n=5, seed=0):
    rng = np.random.default_rng(seed)
    ev = np.sort(rng.uniform(0.1, 2.0, size=(S, n)), axis=1)
    proj = rng.normal(size=(S, R, n))
    pred = proj * 0.9
    loss = np.abs(rng.normal(size=(S, R))) + 1.0
    return SimpleNamespace(
        eigvals=ev, projections=proj, predicted=pred, loss=loss,
        predicted_loss=loss * 0.5, residuals=rng.normal(size=(S, R, n)),
        flip_fraction=rng.uniform(size=(S, R)), lambda_min_t=ev[:, :1] * np.ones((S, R)),
        gram_drift=rng.uniform(size=(S, R)), loss_ratio=loss[:, -1] / loss[:, 0])


def test_diagnose_matches_its_definition_and_zeroes_below_floor():
    r = _seed_runs()
    d = ch09.diagnose(r, 10)
    assert np.allclose(d["crossings per neuron"], 10 * r.flip_fraction[:, -1])
    assert np.allclose(d["lmin(G(T)) / lmin(G0)"], 1.0)
    assert np.allclose(d["measured / predicted loss"], 2.0)
    r.lambda_min_t[0, -1] = 1e-18  # below 100 eps lambda_max: counted as 0
    assert ch09.diagnose(r, 10)["lmin(G(T)) / lmin(G0)"][0] == 0.0
    assert list(d) == ["crossings per neuron", "lmin(G(T)) / lmin(G0)",
                       "||G(T)-G0|| / lmin(G0)", "measured / predicted loss"]


def test_eigendirection_errors_and_paired():
    r = _seed_runs()
    e = ch09.eigendirection_errors(r)
    p0 = r.projections[:, 0, 0]
    want = interval(np.abs(r.predicted[:, -1, 0] / p0))
    assert np.allclose(e["bottom predicted"], want)
    r0 = np.linalg.norm(r.residuals[:, 0], axis=1)
    assert np.allclose(e["all"], interval(np.abs(0.1 * r.projections).max(axis=(1, 2)) / r0))
    other = _seed_runs(seed=1)
    g, lo, hi = ch09.paired({(5, "a"): r, (5, "b"): other}, "a", "b", 5)
    assert np.isclose(g, np.exp(np.mean(np.log(r.loss_ratio / other.loss_ratio))))
    assert lo < g < hi


def test_slow_share_and_slow_part():
    r = SimpleNamespace(eta=0.1, eigvals=np.array([[0.01, 0.1, 10.0]]),
                        projections=np.array([[[1.0, 1.0, 2.0]]]))
    # T = 100: eta lambda T = 0.1, 1, 100 -> only the first direction is slow
    assert ch10.slow_share(r, 100) == pytest.approx(1 / 6)
    part = (1 - 0.1 * np.array([0.01, 0.1, 10.0])) ** 200 * np.array([1, 1, 4])
    assert ch10.slow_part(r, 100) == pytest.approx(part[0] / part.sum())
    runs = {(3, "relu", s): SimpleNamespace(v=s) for s in range(3)}
    assert ch10.per_seed(runs, 3, "relu", range(3), lambda q: q.v).tolist() == [0, 1, 2]


def test_num_formatter_passes_strings_and_none():
    f = ch11.num(".4g")
    assert f(7.66412) == "7.664" and f(None) == "-" and f("not computable") == "not computable"


def test_plot_helpers_draw_within_the_column():
    from actgram import book

    book.setup(quiet=True)
    r = _seed_runs(S=3, R=4, n=10)
    r.record_steps = np.arange(4)
    r.m, r.eta = 100, 0.1
    fig, axes = book.figure(2, 1)
    ch09.plot_eigendirections(axes, {(10, "tanh"): r, (10, "relu"): r}, 10, ("tanh", "relu"))
    assert fig.get_size_inches()[0] <= book.COLUMN_WIDTH_IN
    assert axes[0].get_ylim()[0] == pytest.approx(ch09.CLIP)
    one = SimpleNamespace(projections=r.projections[0], predicted=r.predicted[0],
                          eigvals=r.eigvals[0], record_steps=r.record_steps)
    fig, ax = book.figure()
    ch11.plot_projections(ax, one, [1, 10])
    assert ax.get_ylim()[0] == pytest.approx(ch11.CLIP)
    labels = [t.get_label() for t in ax.get_lines()]
    assert labels[0].startswith("$i = 1$") and "lambda_{1}" in labels[0]
