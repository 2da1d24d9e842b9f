"""Finite-width matrices, deep kernels, data sets."""

import math

import numpy as np
import pytest

import actgram as ag


def test_gram_init_definition():
    """G0 equals its definition, computed naively with loops over neurons."""
    X = ag.data.sphere(5, 3, seed=0)
    W = ag.sample_weights(7, 3, seed=1)
    act = ag.activation("tanh")
    naive = np.zeros((5, 5))
    for w in W:
        a = act.derivative(X @ w)
        naive += np.outer(a, a)
    naive = (X @ X.T) * naive / 7
    np.testing.assert_allclose(ag.gram_init(X, W, act), naive, atol=1e-15)
    K = ag.gram_init(X, W, act, kind="K")
    B = act.fn(X @ W.T)
    np.testing.assert_allclose(K, B @ B.T / 7, atol=1e-15)


def test_gram_init_converges_like_inverse_sqrt_m():
    """||G0 - Ginf||_F shrinks like m^{-1/2}: fitted log-log slope within 0.1 of -1/2."""
    X = ag.data.half_circle(8)
    G = ag.gram_inf(X, "relu")
    ms = np.array([250, 1000, 4000, 16000, 64000])
    errs = []
    for m in ms:
        e = [np.linalg.norm(ag.gram_init(X, ag.sample_weights(m, 2, seed=s), "relu") - G)
             for s in range(8)]
        errs.append(np.sqrt(np.mean(np.square(e))))
    slope = np.polyfit(np.log(ms), np.log(errs), 1)[0]
    assert abs(slope + 0.5) < 0.1


def test_sample_weights_reproducible_and_validated():
    np.testing.assert_array_equal(ag.sample_weights(4, 3, seed=7), ag.sample_weights(4, 3, seed=7))
    with pytest.raises(ValueError, match="width m"):
        ag.sample_weights(0, 3)
    with pytest.raises(TypeError, match="width m"):
        ag.sample_weights(2.5, 3)
    with pytest.raises(ValueError, match="columns"):
        ag.gram_init(ag.data.sphere(3, 2), np.ones((4, 3)), "relu")


def test_deep_depth_one_is_two_layer():
    X = ag.data.sphere(15, 4, seed=0)
    for name in ("relu", "tanh", "elu"):
        np.testing.assert_allclose(ag.deep_gram(X, name, 1), ag.gram_inf(X, name), atol=1e-15)
        np.testing.assert_allclose(ag.deep_gram(X, name, 1, kind="ntk"),
                                   ag.kernel_inf(X, name, "ntk"), atol=1e-15)


def test_deep_relu_closed_form():
    """ReLU, depth 2: the normalised arc-cosine map rho -> (sin t + (pi - t) cos t)/pi."""
    X = ag.data.half_circle(6)
    rho = X @ X.T
    t = np.arccos(np.clip(rho, -1, 1))
    rho1 = np.clip((np.sin(t) + (np.pi - t) * np.cos(t)) / np.pi, -1, 1)
    np.fill_diagonal(rho1, 1.0)
    t1 = np.arccos(rho1)
    expect = rho1 * (np.pi - t1) / (2 * np.pi)
    np.testing.assert_allclose(ag.deep_gram(X, "relu", 2), expect, atol=1e-12)


def test_deep_ntk_against_finite_width_net():
    """A depth-2 tanh net with wide random layers: its empirical NTK approaches the formula."""
    X = ag.data.sphere(4, 3, seed=0)
    m = 4000
    rng = np.random.default_rng(0)
    c = 1.0 / ag.dual_kernel("tanh", 0.0, "ff")
    W1 = rng.standard_normal((m, 3))
    W2 = rng.standard_normal((m, m))
    act = ag.activation("tanh")
    z1 = X @ W1.T
    h1 = math.sqrt(c / m) * act.fn(z1)
    z2 = h1 @ W2.T
    a = rng.choice([-1.0, 1.0], m)
    # gradient of f = m^{-1/2} a.phi(W2 h1) wrt W2 and W1
    d2 = act.derivative(z2) * a / math.sqrt(m)                      # (n, m)
    grad_w2 = np.einsum("ni,nj->nij", d2, h1).reshape(4, -1)
    back = (d2 @ W2) * math.sqrt(c / m) * act.derivative(z1)         # (n, m)
    grad_w1 = np.einsum("ni,nj->nij", back, X).reshape(4, -1)
    ntk_emp = grad_w2 @ grad_w2.T + grad_w1 @ grad_w1.T + act.fn(z2) @ act.fn(z2).T / m
    ntk = ag.deep_gram(X, "tanh", 2, kind="ntk")
    assert np.max(np.abs(ntk_emp - ntk)) < 0.05  # O(m^{-1/2}) fluctuations at m = 4000


def test_depth_separates_tanh():
    """phihat'(1) > 1 for tanh: correlations of near-duplicates fall with depth."""
    X = ag.data.half_circle(32)
    lam = [np.linalg.eigvalsh(ag.deep_gram(X, "tanh", L))[0] for L in (1, 5)]
    assert lam[1] > 100 * lam[0]


def test_dual_activation():
    assert ag.dual_activation("tanh", 1.0) == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(ValueError, match="rho"):
        ag.dual_activation("tanh", 1.5)


def test_data_shapes_and_norms():
    for X in (ag.data.sphere(10, 5), ag.data.subspace(10, 6, 2), ag.data.half_circle(7, d=4),
              ag.data.circle(6)):
        np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-15)
    Z = ag.data.subspace(50, 8, 3, seed=1)
    assert np.linalg.matrix_rank(Z, tol=1e-10) == 3


def test_separation():
    n = 10
    assert ag.data.separation(ag.data.half_circle(n)) == pytest.approx(2 * math.sin(math.pi / (2 * n)))
    d, (i, j, kind) = ag.data.separation(ag.data.circle(6), return_pair=True)
    assert kind == "antipodal" and d < 1e-15  # circle(6) has antipodal pairs
    with pytest.raises(ValueError, match="at least two"):
        ag.data.separation(ag.data.sphere(1, 3))
    with pytest.raises(ValueError, match="exceed"):
        ag.data.subspace(5, 2, 3)


def test_digits():
    X, y = ag.data.digits(dim=10, n=200)
    assert X.shape == (200, 10) and y.shape == (200,)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-14)


def test_arc():
    X = ag.data.arc(5, 0.01)
    assert ag.data.separation(X) == pytest.approx(2 * math.sin(0.005), rel=1e-12)
    with pytest.raises(ValueError, match="step"):
        ag.data.arc(5, 1.0)
