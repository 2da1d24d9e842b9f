"""The book's bounds: each on the right side of the measured eigenvalue."""

import numpy as np
import pytest

import actgram as ag


def test_tail_mass():
    t = ag.bounds.tail_mass("relu", 200)
    assert t[0] == pytest.approx(0.5, abs=1e-14)  # E[1{g > 0}] = 1/2
    assert np.all(np.diff(t) <= 1e-15)  # non-increasing up to rounding
    assert t[-1] > 0


@pytest.mark.parametrize("name", ["relu", "elu", "selu"])
def test_separation_bound_below_lambda_min(name):
    tail = ag.bounds.tail_mass(name, 400)
    for step in (0.05, 0.2, 0.35):
        X = ag.data.arc(8, step)
        lam = ag.lambda_min(X, name)
        b = ag.bounds.separation_bound(tail, 8, ag.data.separation(X))
        assert 0 <= b <= lam.lower


@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_correlation_and_pair_bounds_bracket_lambda_min(name):
    X = ag.data.sphere(40, 64, seed=0)
    lam = ag.lambda_min(X, name)
    low = ag.bounds.correlation_bound(X, name)
    crude = ag.bounds.correlation_bound(X, name, row_sums=False)
    assert 0 < crude <= low <= lam.lower
    assert lam.upper <= ag.bounds.pair_bound(X, name)


def test_harmonic_count_is_the_rank():
    for p in (2, 3, 4):
        G = ag.gram_inf(ag.data.subspace(60, 3, 3, seed=1), ag.activation("monomial", p=p))
        s = np.linalg.eigvalsh(G)
        assert int(np.sum(s > 1e-10 * s[-1])) == ag.bounds.harmonic_count(3, p)
    assert ag.bounds.harmonic_count(2, 3) == 4
    with pytest.raises(ValueError, match="d_span"):
        ag.bounds.harmonic_count(4, 2)


def test_bounds_normalize_and_validation():
    """normalize=True: the bounds of the normalised rows; the tail is checked as an array."""
    X = ag.data.sphere(12, 5, seed=2)
    scale = np.linspace(0.5, 3.0, 12)[:, None]
    # the normalised rows equal X to round-off (a division by norms of 1 +- ulps)
    assert ag.bounds.correlation_bound(scale * X, "tanh", normalize=True) == \
        pytest.approx(ag.bounds.correlation_bound(X, "tanh"), rel=1e-12)
    assert ag.bounds.pair_bound(scale * X, "tanh", normalize=True) == \
        pytest.approx(ag.bounds.pair_bound(X, "tanh"), rel=1e-12)
    np.testing.assert_allclose(ag.bounds.abs_correlations(scale * X, normalize=True),
                               ag.bounds.abs_correlations(X), rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="unit norm"):
        ag.bounds.pair_bound(scale * X, "tanh")
    with pytest.raises(ValueError, match="tail must be"):
        ag.bounds.separation_bound(np.ones((2, 2)), 5, 0.1)
