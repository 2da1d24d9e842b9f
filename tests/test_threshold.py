"""Tests for actgram.companions.threshold (seeded, fast)."""

import numpy as np
import pytest

from actgram.companions import threshold as th


def test_threshold_activation_hand_case():
    assert np.array_equal(th.threshold([-1.0, 0.0, 2.0], s=3.0), [0.0, 3.0, 3.0])


def test_arrangement_patterns_shapes_distinct_nonzero():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((15, 3))
    P = th.arrangement_patterns(X, 300, seed=2)
    assert P.H.shape == (15, P.count) and P.G.shape == (4, P.count)
    assert P.H.any(axis=0).all()  # no zero column
    assert np.unique(P.H, axis=1).shape[1] == P.count  # distinct
    assert np.array_equal((th.add_bias(X) @ P.G >= 0).astype(float), P.H)  # directions realise the columns
    # nested: more directions with the same seed give a superset of patterns
    Q = th.arrangement_patterns(X, 600, seed=2)
    big = {c.tobytes() for c in Q.H.T}
    assert all(c.tobytes() in big for c in P.H.T)


def test_exhaustive_2d_count_and_sampling_limit():
    # Cover: n points in general position in the plane have n^2 - n + 2 affine dichotomies;
    # without the empty one, n^2 - n + 1.
    rng = np.random.default_rng(1)
    n = 7
    X = rng.standard_normal((n, 2))
    E = th.exhaustive_patterns_2d(X)
    assert E.count == n * n - n + 1
    assert np.array_equal((th.add_bias(X) @ E.G >= 0).astype(float), E.H)
    S = th.arrangement_patterns(X, 200_000, seed=0)
    assert {c.tobytes() for c in S.H.T} <= {c.tobytes() for c in E.H.T}


def test_exhaustive_2d_tiny_hand_case():
    # three points of a triangle: every non-empty subset is cut off by a line: 2^3 - 1 = 7 = 9 - 3 + 1
    E = th.exhaustive_patterns_2d([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert E.count == 7


def test_lasso_hand_case_one_column():
    # H = ones(2, 1), y = (1, 1): minimise (1 - u)^2 + beta |u| -> u = 1 - beta / 2, P = beta - beta^2 / 4
    H, y, beta = np.ones((2, 1)), np.ones(2), 0.5
    r = th.solve_lasso_fista(H, y, beta, tol=1e-14)
    assert r.u[0] == pytest.approx(1 - beta / 2, abs=1e-12)
    assert r.objective == pytest.approx(beta - beta**2 / 4, abs=1e-14)
    assert -1e-15 <= r.gap <= 1e-13


def test_fista_and_lbfgsb_agree_within_certificates():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    y = np.where(rng.standard_normal(30) > 0, 1.0, -1.0)
    P = th.arrangement_patterns(X, 200, seed=4)
    beta = 0.3
    f = th.solve_lasso_fista(P.H, y, beta, tol=1e-11)
    g = th.solve_lasso_lbfgsb(P.H, y, beta)
    assert f.converged
    assert f.gap >= -1e-14 and g.gap >= -1e-14  # weak duality (rounding allowed)
    assert abs(f.objective - g.objective) <= max(f.gap, g.gap) + 1e-13
    # KKT: |H^T r| <= beta everywhere, = beta with the sign of u on the support (to the gap's accuracy)
    c = P.H.T @ (y - P.H @ f.u)
    assert np.max(np.abs(c)) <= beta * (1 + 1e-4)
    S = f.support
    big = np.abs(f.u[S]) > 1e-6
    assert np.allclose(c[S][big], beta * np.sign(f.u[S][big]), rtol=1e-4)


def test_network_from_lasso_reproduces_objective():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((25, 3))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    P = th.arrangement_patterns(X, 150, seed=6)
    beta = 0.2
    r = th.solve_lasso_fista(P.H, y, beta)
    net = th.network_from_lasso(P, r.u)
    assert net.width == r.support.size
    assert net.objective(X, y, beta) == pytest.approx(r.objective, rel=1e-12)
    assert net.convex_objective(X, y, beta) == pytest.approx(r.objective, rel=1e-12)


def test_convex_objective_merges_and_balances():
    # two units with the same pattern and an unbalanced amplitude: J > convex form
    X = np.array([[1.0], [-1.0]])
    W = np.array([[1.0, 2.0], [0.0, 0.0]])  # both units: pattern (1, 0)
    net = th.ThresholdNet(W, np.array([2.0, 1.0]), np.array([0.25, -0.5]))  # u = (0.5, -0.5): cancel
    y = np.array([1.0, -1.0])
    beta = 0.1
    assert net.convex_objective(X, y, beta) == pytest.approx(0.5 * 2.0, abs=1e-15)  # f = 0, merged u = 0
    assert net.objective(X, y, beta) > net.convex_objective(X, y, beta)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shattering_closed_form_vs_slsqp(seed):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(40)
    for beta in (0.05, 0.7, 5.0):
        d, v = th.shattering_closed_form(y, beta)
        d2, v2 = th.shattering_generic(y, beta)
        assert v <= v2 + 1e-12  # the closed form is the minimum
        assert v2 - v <= 1e-8 * max(1.0, v)


def test_shattering_pm1_formula_and_exhaustive_lasso():
    # labels +-1, n_+ = 3, n_- = 2: value sum_c (beta - beta^2 / (2 n_c)) for beta <= n_c
    y = np.array([1.0, 1.0, -1.0, 1.0, -1.0])
    beta = 0.4
    _, v = th.shattering_closed_form(y, beta)
    assert v == pytest.approx(2 * beta - beta**2 / 6 - beta**2 / 4, abs=1e-15)
    # the same value as the Lasso over all 2^n - 1 non-zero 0/1 patterns (a shattering layer)
    n = y.size
    H = np.array([[(k >> i) & 1 for k in range(1, 2**n)] for i in range(n)], dtype=float)
    r = th.solve_lasso_fista(H, y, beta, tol=1e-13)
    assert abs(r.objective - v) <= r.gap + 1e-13
    # beta above a class size: that class contributes n_c / 2
    _, v_big = th.shattering_closed_form(y, 2.5)
    assert v_big == pytest.approx((2.5 - 2.5**2 / 6) + 1.0, abs=1e-15)


def test_tanh_teacher_data_shapes_and_labels():
    X, y, Xt, yt = th.tanh_teacher_data(10, 3, 20, seed=0)
    assert X.shape == (10, 3) and Xt.shape == (20, 3) and y.shape == (10,) and yt.shape == (20,)
    assert set(np.unique(np.concatenate([y, yt]))) <= {-1.0, 1.0}
    X2, y2, _, _ = th.tanh_teacher_data(10, 3, 20, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


@pytest.mark.parametrize("backward", sorted(th.STE_BACKWARDS))
def test_ste_runs_decrease_objective_and_bound_by_convex(backward):
    X, y, _, _ = th.tanh_teacher_data(20, 3, 5, seed=1)
    beta = 0.02
    res = th.train_ste(X, y, beta, width=50, backward=backward, steps=200, seed=0)
    assert res.objective[-1] < res.objective[0]
    n = X.shape[0]
    assert res.objective[-1] == pytest.approx(res.net.objective(X, y, beta) / n, rel=1e-10)
    assert res.net.convex_objective(X, y, beta) <= res.net.objective(X, y, beta) + 1e-12


def test_bad_inputs():
    with pytest.raises(ValueError, match="2-D"):
        th.arrangement_patterns(np.ones(5), 10)
    with pytest.raises(ValueError, match="NaN"):
        th.arrangement_patterns(np.array([[np.nan, 1.0]]), 10)
    with pytest.raises(ValueError, match=">= 1"):
        th.arrangement_patterns(np.ones((3, 2)), 0)
    with pytest.raises(ValueError, match="shape"):
        th.solve_lasso_fista(np.ones((3, 2)), np.ones(4), 0.1)
    with pytest.raises(ValueError, match="positive"):
        th.solve_lasso_fista(np.ones((3, 2)), np.ones(3), -1.0)
    with pytest.raises(ValueError, match="plane"):
        th.exhaustive_patterns_2d(np.ones((4, 3)))
    with pytest.raises(ValueError, match="collinear"):
        th.exhaustive_patterns_2d([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="coincide"):
        th.exhaustive_patterns_2d([[0.0, 0.0], [0.0, 0.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="backward"):
        th.train_ste(np.ones((3, 2)), np.ones(3), 0.1, width=4, backward="sigmoid")
    with pytest.raises(ValueError, match="features"):
        th.ThresholdNet(np.ones((3, 2)), np.ones(2), np.ones(2)).predict(np.ones((4, 5)))
    with pytest.raises(TypeError, match="Patterns"):
        th.network_from_lasso(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"y must have at least an entry; got 0"):
        th.shattering_closed_form([], 0.1)
    with pytest.raises(TypeError, match="complex"):
        th.solve_lasso_fista(np.ones((3, 2)) * 1j, np.ones(3), 0.1)


def test_ste_learning_rate_schedule():
    """Linear warm-up to lr, then cosine decay to 0 at the last step; the defaults are constant."""
    assert th.ste_learning_rate(0, 0.1, 100) == 0.1 and th.ste_learning_rate(99, 0.1, 100) == 0.1
    assert th.ste_learning_rate(0, 0.1, 100, warmup=10) == pytest.approx(0.01)
    assert th.ste_learning_rate(9, 0.1, 100, warmup=10, decay="none") == pytest.approx(0.1)
    assert th.ste_learning_rate(50, 0.1, 100, warmup=10, decay="cosine") == pytest.approx(0.05)
    assert th.ste_learning_rate(100, 0.1, 100, warmup=10, decay="cosine") == pytest.approx(0.0, abs=1e-18)


def test_ste_defaults_unchanged_and_adam_schedule():
    """The new keywords at their defaults give the same bits as before (plain SGD, no schedule);
    Adam with warm-up and cosine decay lowers the objective and never rises above the start."""
    X, y, _, _ = th.tanh_teacher_data(20, 3, 5, seed=1)
    a = th.train_ste(X, y, 0.02, width=50, backward="identity", steps=100, seed=0)
    b = th.train_ste(X, y, 0.02, width=50, backward="identity", steps=100, seed=0, optimizer="sgd",
                     warmup=0, decay="none")
    assert np.array_equal(a.objective, b.objective) and np.array_equal(a.net.W, b.net.W)
    c = th.train_ste(X, y, 0.02, width=50, backward="identity", steps=300, seed=0, optimizer="adam",
                     lr=1e-2, warmup=15, decay="cosine")
    assert c.objective[-1] < 0.5 * c.objective[0]
    assert c.objective.max() <= c.objective[0] * (1 + 1e-12)
    with pytest.raises(ValueError, match="optimizer"):
        th.train_ste(X, y, 0.02, width=5, backward="identity", optimizer="rmsprop")
    with pytest.raises(ValueError, match="decay"):
        th.train_ste(X, y, 0.02, width=5, backward="identity", decay="linear")


def test_patterns_with_nets_makes_net_feasible():
    """The Lasso over the sampled patterns plus a trained net's patterns is at most the net's
    Lasso form (the net is a feasible point), and the original columns come first."""
    X, y, _, _ = th.tanh_teacher_data(20, 3, 5, seed=1)
    beta = 0.02
    pats = th.arrangement_patterns(X, 10, seed=0)
    net = th.train_ste(X, y, beta, width=50, backward="identity", steps=200, seed=0).net
    both = th.patterns_with_nets(pats, X, [net])
    assert np.array_equal(both.H[:, : pats.count], pats.H) and both.count >= pats.count
    assert both.H.any(axis=0).all() and np.unique(both.H, axis=1).shape[1] == both.count
    res = th.solve_lasso_fista(both.H, y, beta, tol=1e-10)
    assert res.objective <= net.convex_objective(X, y, beta) + res.gap + 1e-12
    with pytest.raises(TypeError, match="Patterns"):
        th.patterns_with_nets(pats.H, X, [net])


def test_checked_inputs_name_argument_and_expectation():
    """The one array checker (_validate.check_array): every message names the argument, what
    it got and what it must be; the choices are listed by _validate.check_choice."""
    with pytest.raises(ValueError, match=r"y must be an array of shape \(3\); got shape \(4,\)"):
        th.lasso_objective(np.ones((3, 2)), np.ones(4), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match=r"u must be an array of shape \(2\); got shape \(3,\)"):
        th.lasso_dual_bound(np.ones((3, 2)), np.ones(3), np.zeros(3), 0.1)
    with pytest.raises(ValueError, match=r"H must be a 2-D real array; got a 1-D array"):
        th.solve_lasso_lbfgsb(np.ones(3), np.ones(3), 0.1)
    with pytest.raises(ValueError, match=r"delta contains NaN or inf"):
        th.shattering_objective([np.nan, 1.0], [1.0, -1.0], 0.1)
    with pytest.raises(ValueError, match=r"backward must be one of 'clipped', 'identity', 'leaky', "
                                         r"'relu'"):
        th.train_ste(np.ones((3, 2)), np.ones(3), 0.1, width=4, backward="sign")
    # threshold() takes any real array, inf included (no finiteness check on z)
    assert np.array_equal(th.threshold([-np.inf, np.inf]), [0.0, 1.0])
