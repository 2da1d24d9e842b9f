"""The torch trainer: gradient, linearised dynamics, bad input."""

import numpy as np
import pytest

import actgram as ag


def _loss(X, y, W, a, act):
    m = W.shape[0]
    u = act.fn(X @ W.T) @ a / np.sqrt(m)
    return 0.5 * np.sum((u - y) ** 2)


@pytest.mark.parametrize("name", ["relu", "tanh", "swish", "elu"])
def test_first_step_is_the_gradient(name):
    """One GD step moves W by -eta * grad L; check the loss change against a finite-difference
    directional derivative (central differences, h = 1e-6: error ~1e-10)."""
    X = ag.data.sphere(6, 3, seed=0)
    y = np.linspace(-1, 1, 6)
    act = ag.activation(name)
    m = 50
    r = ag.train_two_layer(X, y, act, m, steps=1, eta=1e-3, seed=4)
    W = ag.sample_weights(m, 3, seed=4)
    a = np.random.default_rng(5).choice([-1.0, 1.0], size=m)
    rng = np.random.default_rng(0)
    D = rng.standard_normal(W.shape)
    h = 1e-6
    dd = (_loss(X, y, W + h * D, a, act) - _loss(X, y, W - h * D, a, act)) / (2 * h)
    # recompute the analytic gradient the trainer uses
    Z = X @ W.T
    res = act.fn(Z) @ a / np.sqrt(m) - y
    grad = ((act.derivative(Z) * res[:, None]) * a[None, :]).T @ X / np.sqrt(m)
    assert np.sum(grad * D) == pytest.approx(dd, rel=1e-6, abs=1e-9)
    assert r.loss[0] == pytest.approx(_loss(X, y, W, a, act), rel=1e-12)


def test_linearised_dynamics_wide_net():
    """At width 20 000 the residual follows (1 - eta lambda_i)^t along each eigenvector of G0
    to within 5 % of |r_0| over 300 steps (the deviation is O(m^{-1/2}))."""
    X = ag.data.half_circle(8)
    y = np.random.default_rng(0).choice([-1.0, 1.0], 8)
    r = ag.train_two_layer(X, y, "tanh", 20_000, steps=300, record_every=50)
    dev = np.abs(r.projections - r.predicted).max() / np.abs(r.projections[0]).max()
    assert dev < 0.05
    assert r.loss[-1] < r.loss[0]
    assert r.weight_change < 0.1


def test_bad_input():
    X = ag.data.half_circle(5)
    y = np.zeros(5)
    with pytest.raises(ValueError, match="unstable"):
        ag.train_two_layer(X, y, "tanh", 100, steps=5, eta=100.0)
    with pytest.raises(ValueError, match="shape"):
        ag.train_two_layer(X, np.zeros(4), "tanh", 100, steps=5)
    with pytest.raises(ValueError, match="width m"):
        ag.train_two_layer(X, y, "tanh", 0, steps=5)
    with pytest.raises(ValueError, match="derivative zero"):
        ag.train_two_layer(X, y, "step", 10, steps=5)
    with pytest.raises(ValueError, match="dtype"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, dtype="float16")
