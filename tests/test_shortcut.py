"""Tests of actgram.companions.shortcut (the shortcut-connection companion, our reconstruction)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actgram.companions import shortcut as sc

BETA = 1.0 / (2.0 * math.pi)


def teacher(k=5, p=4, seed=1):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(p)
    return v / np.linalg.norm(v), rng.standard_normal(k)


# ------------------------------------------------------------------ closed forms
def test_kappa_hand_values():
    # kappa(0) = E[relu(g)^2] = 1/2; kappa(pi/2) = E[relu(g)]^2 = 1/(2 pi); kappa(pi) = 0 (disjoint supports)
    np.testing.assert_allclose(sc.kappa([0.0, math.pi / 2, math.pi]), [0.5, BETA, 0.0], atol=1e-16)


def test_kappa_monte_carlo():
    # E[relu(x) relu(y)] for standard normals of correlation cos(theta); 4e5 samples, 5 standard errors
    rng = np.random.default_rng(0)
    n = 400_000
    for theta in (0.3, 1.2, 2.5):
        x = rng.standard_normal(n)
        y = math.cos(theta) * x + math.sin(theta) * rng.standard_normal(n)
        prod = np.maximum(x, 0) * np.maximum(y, 0)
        assert abs(prod.mean() - float(sc.kappa(theta))) < 5 * prod.std() / math.sqrt(n)


def test_moment_matrix_is_same_filter_loss():
    # Hand-checked: k = 1, p = 2, a = a* = 1 at theta = pi/2: L = (1/2) E[(relu(x) - relu(y))^2] with x, y
    # independent standard normals = 1/2 - 1/(2 pi).
    L = sc.convnet_loss([0.0, 1.0], [1.0], [1.0, 0.0], [1.0])
    assert pytest.approx(0.5 - BETA, rel=1e-15) == L
    A = sc.moment_matrix(3)
    np.testing.assert_allclose(A, (math.pi - 1) / (2 * math.pi) * np.eye(3) + BETA, rtol=1e-15)


def test_loss_against_monte_carlo():
    # Closed form against direct sampling of the two nets: within 5 standard errors (seeded).
    v_star, a_star = teacher()
    rng = np.random.default_rng(2)
    for _ in range(3):
        u = rng.standard_normal(4) * 2.0  # any length: weight normalisation
        a = rng.standard_normal(5)
        mean, se = sc.sample_loss(u, a, v_star, a_star, 200_000, rng)
        assert abs(mean - float(sc.convnet_loss(u, a, v_star, a_star))) < 5 * se


def test_gradient_against_finite_differences():
    # Central differences, h = 1e-6: truncation O(h^2) ~ 1e-12 and round-off ~ 1e-16 / h ~ 1e-10, so 1e-7
    # relative to the gradient's size is a generous but discriminating tolerance.
    v_star, a_star = teacher()
    rng = np.random.default_rng(3)
    h = 1e-6
    for _ in range(3):
        u = rng.standard_normal(4)
        a = rng.standard_normal(5)
        gu, ga = sc.loss_gradient(u, a, v_star, a_star)
        fd_u = np.array([(sc.convnet_loss(u + h * e, a, v_star, a_star)
                          - sc.convnet_loss(u - h * e, a, v_star, a_star)) / (2 * h) for e in np.eye(4)])
        fd_a = np.array([(sc.convnet_loss(u, a + h * e, v_star, a_star)
                          - sc.convnet_loss(u, a - h * e, v_star, a_star)) / (2 * h) for e in np.eye(5)])
        scale = np.linalg.norm(np.concatenate([gu, ga]))
        assert np.max(np.abs(gu - fd_u)) < 1e-7 * scale
        assert np.max(np.abs(ga - fd_a)) < 1e-7 * scale


def test_weight_normalisation():
    v_star, a_star = teacher()
    rng = np.random.default_rng(4)
    u, a = rng.standard_normal(4), rng.standard_normal(5)
    assert sc.convnet_loss(3.7 * u, a, v_star, a_star) == pytest.approx(sc.convnet_loss(u, a, v_star, a_star),
                                                                           rel=1e-14)
    gu, _ = sc.loss_gradient(u, a, v_star, a_star)
    assert abs(gu @ u) < 1e-14 * np.linalg.norm(gu) * np.linalg.norm(u)  # scale-invariant loss: gradient _|_ u


def test_batched_matches_single():
    v_star, a_star = teacher()
    rng = np.random.default_rng(5)
    U, Aa = rng.standard_normal((6, 4)), rng.standard_normal((6, 5))
    Lb = sc.convnet_loss(U, Aa, v_star, a_star)
    gu, ga = sc.loss_gradient(U, Aa, v_star, a_star)
    for i in range(6):
        assert Lb[i] == pytest.approx(float(sc.convnet_loss(U[i], Aa[i], v_star, a_star)), rel=1e-14)
        np.testing.assert_allclose(gu[i], sc.loss_gradient(U[i], Aa[i], v_star, a_star)[0], rtol=1e-13)
        np.testing.assert_allclose(ga[i], sc.loss_gradient(U[i], Aa[i], v_star, a_star)[1], rtol=1e-13)


def test_global_optimum_has_zero_loss():
    v_star, a_star = teacher()
    # zero up to round-off: 5 v*/||5 v*|| differs from v* by ~1e-16, which the loss sees squared
    assert sc.convnet_loss(5.0 * v_star, a_star, v_star, a_star) < 1e-30
    gu, ga = sc.loss_gradient(v_star, a_star, v_star, a_star)
    assert np.max(np.abs(gu)) < 1e-15 and np.max(np.abs(ga)) < 1e-15
    # and the loss is positive elsewhere
    assert sc.convnet_loss(v_star, a_star + 1e-3, v_star, a_star) > 0


def test_angle_accuracy_near_zero_and_pi():
    v_star = np.array([1.0, 0.0])
    for eps in (1e-9, 1e-5):
        u = np.array([math.cos(eps), math.sin(eps)])
        assert sc.angle(u, v_star) == pytest.approx(eps, rel=1e-12)
        assert math.pi - sc.angle(-u, v_star) == pytest.approx(eps, rel=1e-6)  # pi - theta loses digits of pi


# ------------------------------------------------------------------ the spurious point
def test_spurious_point_is_critical_and_matches_linear_solve():
    v_star, a_star = teacher()
    v_sp, a_sp = sc.spurious_point(v_star, a_star)
    np.testing.assert_allclose(v_sp, -v_star, rtol=1e-15)  # v_star is renormalised on input
    A = sc.moment_matrix(5)
    B_pi = A - 0.5 * np.eye(5)  # B(theta) = A - (1/2 - kappa(theta)) I, kappa(pi) = 0
    np.testing.assert_allclose(a_sp, np.linalg.solve(A, B_pi @ a_star), rtol=1e-13, atol=1e-15)
    gu, ga = sc.loss_gradient(v_sp, a_sp, v_star, a_star)
    assert np.max(np.abs(gu)) == 0.0  # factor (pi - theta) is exactly zero
    assert np.max(np.abs(ga)) < 1e-14 * np.linalg.norm(a_star)


def test_spurious_point_local_min_iff_margin_positive():
    rng = np.random.default_rng(6)
    p = 4
    for a_star, expect_min in ((np.array([1.0, -1.0, 0.5, 0.2]), True), (np.ones(4), False)):
        v_star = np.eye(p)[0]
        assert (sc.spurious_margin(a_star) > 0) == expect_min
        v_sp, a_sp = sc.spurious_point(v_star, a_star)
        L0 = float(sc.convnet_loss(v_sp, a_sp, v_star, a_star))
        du = 0.05 * rng.standard_normal((2000, p))
        da = 1e-4 * rng.standard_normal((2000, 4))
        L = sc.convnet_loss(v_sp + du, a_sp + da, v_star, a_star)
        if expect_min:
            assert np.all(L > L0)
        else:  # moving the filter off -v* lowers the loss when a_sp . a* > 0
            assert np.any(L < L0)


def test_spurious_margin_closed_form():
    a_star = np.array([2.0, -1.0, 0.5])
    _, a_sp = sc.spurious_point(np.array([1.0, 0.0]), a_star)
    assert sc.spurious_margin(a_star) == pytest.approx(-float(a_sp @ a_star), rel=1e-14)


def test_critical_angles():
    # S = 0: both frozen-filter roots are pi/2 exactly (kappa(pi/2) = 1/(2 pi))
    a0 = np.array([1.0, -1.0, 2.0, -2.0])
    assert sc.critical_angle(a0) == pytest.approx(math.pi / 2, abs=1e-12)
    assert sc.critical_angle(a0, "early") == pytest.approx(math.pi / 2, abs=1e-12)
    # general teacher: the roots solve their defining equations
    a_star = np.array([1.0, -0.5, 0.8, -1.2, 0.3, 0.9])
    A = sc.moment_matrix(6)
    for phase in ("settled", "early"):
        phi = sc.critical_angle(a_star, phase)
        B = A - (0.5 - float(sc.kappa(phi))) * np.eye(6)
        val = a_star @ (np.linalg.solve(A, B @ a_star) if phase == "settled" else B @ a_star)
        assert abs(val) < 1e-12 * (a_star @ a_star)


def test_zero_ball_threshold_symmetric_teacher():
    # S = 0 and a = 0: by the symmetry (v - component along v*) the threshold is pi/2; bisection tol 1e-4 rad
    thr = sc.zero_ball_threshold(np.array([1.0, -1.0, 1.0, -1.0]), steps=2000, tol=1e-4)
    assert thr == pytest.approx(math.pi / 2, abs=2e-4)


# ------------------------------------------------------------------ training
def test_training_decreases_loss_and_reaches_both_points():
    v_star, a_star = np.eye(3)[0], np.array([1.0, -0.5, 0.8, -1.2])
    rng = np.random.default_rng(7)
    u0, a0 = sc.plain_init(200, 3, 4, 0.5, rng)
    res = sc.train(u0, a0, v_star, a_star, eta=0.5, steps=2000, record_every=10)
    assert np.all(np.diff(res.losses, axis=0) <= 1e-15)  # small step: monotone descent, every trial
    labels = sc.classify(res.u, res.a, v_star, a_star)
    assert set(labels) == {"global", "spurious"}
    g = labels == "global"
    assert np.max(res.losses[-1, g]) < 1e-12
    assert np.all(res.angles[-1, ~g] > math.pi - 0.05)


def test_shortcut_at_teacher_and_opposite():
    v_star, a_star = np.eye(3)[0], np.array([1.0, -0.5, 0.8, -1.2])
    s = sc.direction_at_angle(v_star, [0.0, 0.3, math.pi])
    np.testing.assert_allclose(sc.angle(s, v_star), [0.0, 0.3, math.pi], atol=1e-15)
    u0, a0 = sc.shortcut_init(3, s, 4, 0.1, np.random.default_rng(8))
    np.testing.assert_array_equal(u0, s)  # w = 0: effective filter is the shortcut
    res = sc.train(u0, a0, v_star, a_star, eta=1.0, steps=1500)
    assert list(sc.classify(res.u, res.a, v_star, a_star)) == ["global", "global", "spurious"]


def test_success_interval():
    rate, lo, hi = sc.success_interval(100, 100)
    assert rate == 1.0 and hi == 1.0
    assert lo == pytest.approx(0.025 ** (1 / 100), rel=1e-10)  # Clopper-Pearson, all successes: (alpha/2)^(1/n)
    rate, lo, hi = sc.success_interval(0, 50)
    assert rate == 0.0 and lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 50), rel=1e-10)
    rate, lo, hi = sc.success_interval(30, 100)
    assert lo < 0.3 < hi


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: sc.convnet_loss([1.0, 0.0], [1.0], [2.0, 0.0], [1.0]), ValueError, "unit norm"),
        (lambda: sc.convnet_loss([0.0, 0.0], [1.0], [1.0, 0.0], [1.0]), ValueError, "zero vector"),
        (lambda: sc.convnet_loss([1.0, 0.0, 0.0], [1.0], [1.0, 0.0], [1.0]), ValueError, "patch dimension"),
        (lambda: sc.convnet_loss([1.0, 0.0], [1.0, 2.0], [1.0, 0.0], [1.0]), ValueError, "number of patches"),
        (lambda: sc.convnet_loss([1.0, np.nan], [1.0], [1.0, 0.0], [1.0]), ValueError, "NaN"),
        (lambda: sc.convnet_loss([1.0, 1j], [1.0], [1.0, 0.0], [1.0]), TypeError, "complex"),
        (lambda: sc.convnet_loss(1.0, [1.0], [1.0, 0.0], [1.0]), ValueError, "scalar"),
        (lambda: sc.kappa(4.0), ValueError, r"\[0, pi\]"),
        (lambda: sc.moment_matrix(0), ValueError, ">= 1"),
        (lambda: sc.sample_loss([1.0, 0.0], [1.0], [1.0, 0.0], [1.0], 10, 0), TypeError, "Generator"),
        (lambda: sc.critical_angle(np.ones(4)), ValueError, "no critical angle"),
        (lambda: sc.critical_angle([1.0, -1.0], "late"), ValueError, "phase"),
        (lambda: sc.plain_init(10, 3, 2, -1.0, np.random.default_rng(0)), ValueError, "positive"),
        (lambda: sc.shortcut_init(3, np.ones((2, 2)) / math.sqrt(2), 2, 0.1, np.random.default_rng(0)),
         ValueError, "n_trials"),
        (lambda: sc.train(np.ones((2, 2)), np.ones((2, 4)), [1.0, 0.0], np.ones(4), eta=3.0), ValueError, "too large"),
        (lambda: sc.train(np.ones((2, 2)), np.ones((3, 4)), [1.0, 0.0], np.ones(4)), ValueError, "same n"),
        (lambda: sc.direction_at_angle([1.0, 0.0], [4.0]), ValueError, r"\[0, pi\]"),
        (lambda: sc.success_interval(11, 10), ValueError, "successes"),
        (lambda: sc.success_interval(1, 10, 1.5), ValueError, "confidence"),
        (lambda: sc.classify(np.ones((1, 2)), np.ones((1, 2)), [1.0, 0.0], np.ones(2), angle_tol=0), ValueError,
         "positive"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------ layout and names (issue 17)
def test_distinct_names_and_run_type():
    """shortcut's loss is convnet_loss (hessian keeps population_loss), its run type is
    ShortcutRun (training keeps TrainResult)."""
    from actgram.companions import hessian as hs

    assert not hasattr(sc, "population_loss") and not hasattr(sc, "TrainResult")
    assert hasattr(hs, "population_loss")
    v_star, a_star = np.eye(3)[0], np.array([1.0, -0.5, 0.8, -1.2])
    u0, a0 = sc.plain_init(4, 3, 4, 0.5, np.random.default_rng(0))
    res = sc.train(u0, a0, v_star, a_star, eta=0.5, steps=20, record_every=5)
    assert isinstance(res, sc.ShortcutRun)
    # the recorded loss is the public closed form at the recorded state, bit for bit
    assert np.array_equal(res.losses[-1], sc.convnet_loss(res.u, res.a, v_star, a_star))
    np.testing.assert_array_equal(res.angles[-1], sc.angle(res.u, v_star))


def test_kappa_and_angle_bits():
    """kappa is activations.arccos_J(1, .) / (2 pi) and the angle _guards.direction_angles:
    both keep the bits of the formulas written out."""
    from actgram._guards import direction_angles

    t = np.linspace(0.0, math.pi, 101)
    assert np.array_equal(sc.kappa(t), (np.sin(t) + (math.pi - t) * np.cos(t)) / (2.0 * math.pi))
    rng = np.random.default_rng(12)
    u, v = rng.standard_normal((7, 5)), rng.standard_normal(5)
    v /= np.linalg.norm(v)
    w = u / np.linalg.norm(u, axis=-1, keepdims=True)
    v = v / np.linalg.norm(v)  # angle() renormalises the unit v_star it is given
    literal = 2.0 * np.arctan2(np.linalg.norm(w - v, axis=-1), np.linalg.norm(w + v, axis=-1))
    assert np.array_equal(sc.angle(u, v), literal)
    assert np.array_equal(direction_angles(w, v), literal)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sc.kappa([0.1, np.nan]), "theta contains NaN or inf"),
        (lambda: sc.angle([1.0, 0.0], [[1.0, 0.0], [0.0, 2.0]]), "v_star must have unit norm"),
        (lambda: sc.direction_at_angle([1.0], [0.1]), "at least 2 entries along its last axis"),
        (lambda: sc.shortcut_init(2, [[1.0], [1.0]], 2, 0.1, np.random.default_rng(0)),
         "at least 2 entries along its last axis"),
    ],
)
def test_checked_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
