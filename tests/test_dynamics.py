"""Tests of actgram.dynamics: seed loops, linearised predictions, intervals, activation flips."""

import numpy as np
import pytest

import actgram as ag
from actgram.dynamics import (
    interval,
    linearised_projections,
    predicted_loss,
    random_labels,
    train_linear_model,
)
from actgram.training import train_seeds, train_two_layer


def test_linearised_prediction_equals_linear_model_training():
    # the closed form (1 - eta lambda_i)^t v_i^T r_0 is exact for GD on the linear model
    # r_{t+1} = (I - eta G) r_t: agreement to round-off over 200 steps
    rng = np.random.default_rng(3)
    B = rng.standard_normal((6, 6))
    G = B @ B.T + 0.01 * np.eye(6)
    lam, V = np.linalg.eigh(G)
    eta = 1.0 / lam[-1]
    r0 = rng.standard_normal(6)
    steps = np.arange(201)
    traj = train_linear_model(G, r0, eta, 200)
    pred = linearised_projections(lam, V.T @ r0, eta, steps)
    assert np.max(np.abs(traj @ V - pred)) < 1e-12 * np.linalg.norm(r0)
    np.testing.assert_allclose(predicted_loss(lam, V.T @ r0, eta, steps),
                               0.5 * np.sum(traj ** 2, axis=1), rtol=1e-11, atol=1e-14)


def test_wrong_prediction_is_detected():
    # mutation: a prediction with the step size off by 10 % must miss the linear model's
    # trajectory by far more than round-off (the comparison is not vacuous)
    rng = np.random.default_rng(4)
    B = rng.standard_normal((5, 5))
    G = B @ B.T + 0.1 * np.eye(5)
    lam, V = np.linalg.eigh(G)
    eta = 1.0 / lam[-1]
    r0 = rng.standard_normal(5)
    traj = train_linear_model(G, r0, eta, 100)
    wrong = linearised_projections(lam, V.T @ r0, 1.1 * eta, np.arange(101))
    assert np.max(np.abs(traj @ V - wrong)) > 1e-3 * np.linalg.norm(r0)


@pytest.mark.parametrize("act", ["relu", "elu", "selu", "tanh", "gelu"])
def test_one_seed_is_train_two_layer(act):
    # same weight draw, same update: the batched trainer reproduces the package's trainer
    X = ag.data.half_circle(6)
    Y = np.stack([random_labels(6, s) for s in (0, 3)])
    runs = train_seeds(X, Y, act, 300, seeds=[0, 3], steps=40, eta=0.2, record_steps=[0, 20, 40])
    for j, s in enumerate((0, 3)):
        ref = train_two_layer(X, Y[j], act, 300, steps=40, eta=0.2, seed=s, record_every=20)
        np.testing.assert_allclose(runs.loss[j], ref.loss, rtol=1e-12)
        np.testing.assert_allclose(runs.eigvals[j], ref.eigvals, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(runs.predicted[j], ref.predicted, rtol=1e-9, atol=1e-12)


def test_frozen_net_has_no_flips_and_no_drift():
    # eta tiny: the weights hardly move, so no activation pattern flips, G(t) = G0 and the
    # measured residual is the linearised one
    X = ag.data.half_circle(8)
    runs = train_seeds(X, random_labels(8, 0), "relu", 500, seeds=[0, 1], steps=5, eta=1e-12)
    assert np.all(runs.flip_fraction == 0) and np.all(runs.flipped_neurons == 0)
    assert np.all(runs.gram_drift < 1e-12)
    np.testing.assert_allclose(runs.lambda_min_t[:, -1], runs.eigvals[:, 0], rtol=1e-9)
    np.testing.assert_allclose(runs.projections, runs.predicted, atol=1e-10)


def test_flips_are_counted():
    # mutation of the weights between the two sign patterns: moving every hyperplane far
    # (large eta, ReLU, dense points) must register flips and a drift of G
    X = ag.data.half_circle(20)
    runs = train_seeds(X, random_labels(20, 1), "relu", 200, seeds=[1], steps=200, eta=0.2)
    assert runs.flip_fraction[0, -1] > 0.001
    assert runs.flipped_neurons[0, -1] >= runs.flip_fraction[0, -1]
    assert runs.gram_drift[0, -1] > 1e-6
    # the flip fraction is a fraction
    assert np.all((runs.flip_fraction >= 0) & (runs.flip_fraction <= 1))


def test_interval_coverage_and_log():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(2000):
        lo, hi = interval(rng.normal(1.0, 2.0, size=5))[1:]
        hits += lo <= 1.0 <= hi
    assert abs(hits / 2000 - 0.95) < 0.02  # Student-t: exact coverage for normal samples
    g, lo, hi = interval([1e-3, 1e-2, 1e-1], log=True)
    assert abs(g - 1e-2) < 1e-15 and lo < g < hi
    with pytest.raises(ValueError):
        interval([1.0])
    with pytest.raises(ValueError):
        interval([1.0, -1.0], log=True)


def test_bad_input():
    X = ag.data.half_circle(5)
    with pytest.raises(ValueError, match="unstable"):
        train_seeds(X, random_labels(5, 0), "relu", 100, seeds=[0], steps=1, eta=100.0)
    with pytest.raises(ValueError, match="shape"):
        train_seeds(X, np.ones((3, 5)), "relu", 100, seeds=[0, 1], steps=1, eta=0.1)
