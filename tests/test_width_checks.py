"""Tests of actgram.width_checks: the independent finite-width Monte Carlo estimates."""

import numpy as np
import pytest

import actgram as ag
from actgram.width_checks import (
    deep_gram_monte_carlo,
    deep_gram_monte_carlo_stats,
    layer_constant,
)

RELU = (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))
TANH = (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2)


def test_layer_constant_closed_forms():
    # E[g^2] = 1 (exact for a polynomial), E[relu(g)^2] = 1/2 (kinked: algebraic rate)
    assert layer_constant(lambda z: z) == pytest.approx(1.0, rel=1e-14)
    assert layer_constant(RELU[0]) == pytest.approx(2.0, rel=1e-4)
    # E[tanh(g)^2] against the package's dual kernel at theta = 0 (a different method)
    ff = float(ag.dual_kernel("tanh", np.zeros(1), "function")[0])
    assert layer_constant(np.tanh) == pytest.approx(1.0 / ff, rel=1e-12)


def test_linear_activation_gives_the_correlations():
    # phi(z) = z: every layer keeps H H^T ~ X X^T and phi' = 1, so G ~ X X^T at any depth
    X = ag.data.half_circle(6)
    mean, se = deep_gram_monte_carlo_stats(X, lambda z: z, np.ones_like, 3, 20000, 16)
    z = np.abs(mean - X @ X.T) / se
    assert z.max() < 6


def test_depth_one_relu_matches_the_arccos_closed_form():
    X = ag.data.half_circle(8)
    rho = np.clip(X @ X.T, -1, 1)
    closed = rho * (np.pi - np.arccos(rho)) / (2 * np.pi)
    mean, se = deep_gram_monte_carlo_stats(X, *RELU, 1, 20000, 16)
    assert np.abs(mean - closed).max() < 6 * se.max()
    # power: an error of 1e-2 in the kernel (a wrong formula) would be seen
    assert 6 * se.max() < 1e-2


def test_depth_two_tanh_matches_deep_gram_and_differs_from_depth_one():
    X = ag.data.half_circle(8)
    mean, se = deep_gram_monte_carlo_stats(X, *TANH, 2, 20000, 16)
    G2, G1 = ag.deep_gram(X, "tanh", 2), ag.deep_gram(X, "tanh", 1)
    assert (np.abs(mean - G2) / se).max() < 6
    assert (np.abs(mean - G1) / se).max() > 20  # the check can tell depth 2 from depth 1


def test_reproducible_and_validated():
    X = ag.data.half_circle(4)
    a = deep_gram_monte_carlo(X, *TANH, 2, 100, seed=3)
    assert np.array_equal(a, deep_gram_monte_carlo(X, *TANH, 2, 100, seed=3))
    assert np.allclose(a, a.T, atol=1e-15)
    with pytest.raises(ValueError, match="unit rows"):
        deep_gram_monte_carlo(2 * X, *TANH, 1, 10, seed=0)
    with pytest.raises(ValueError, match=">= 1"):
        deep_gram_monte_carlo(X, *TANH, 0, 10, seed=0)
    with pytest.raises(ValueError, match="repeats"):
        deep_gram_monte_carlo_stats(X, *TANH, 1, 10, 1)


def test_normalize_and_argument_checks():
    """normalize=True: the estimate for the normalised rows (same draws, same numbers)."""
    X = ag.data.half_circle(4)
    scale = np.array([[0.5], [2.0], [3.0], [1.0]])
    # (the normalised rows equal X to round-off)
    np.testing.assert_allclose(deep_gram_monte_carlo(scale * X, *TANH, 2, 50, seed=1, normalize=True),
                               deep_gram_monte_carlo(X, *TANH, 2, 50, seed=1), rtol=0, atol=1e-13)
    m1, s1 = deep_gram_monte_carlo_stats(scale * X, *TANH, 1, 50, 3, normalize=True)
    m2, s2 = deep_gram_monte_carlo_stats(X, *TANH, 1, 50, 3)
    np.testing.assert_allclose(np.stack([m1, s1]), np.stack([m2, s2]), rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="normalize=True"):
        deep_gram_monte_carlo_stats(scale * X, *TANH, 1, 50, 3)
    with pytest.raises(TypeError, match="width must be an integer"):
        deep_gram_monte_carlo(X, *TANH, 1, 10.5, seed=0)
    with pytest.raises(ValueError, match="X must be an \\(n, d\\) array"):
        deep_gram_monte_carlo(X[0], *TANH, 1, 10, seed=0)
