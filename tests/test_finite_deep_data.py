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
    c = 1.0 / ag.dual_kernel("tanh", 0.0, "function")
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


def test_fixed_output_ntk_is_deep_gram_without_output_term():
    """ntk_inf_fixed_output (depth = hidden layers): G^inf at depth 1, and deep_gram's NTK minus
    the output layer's kappa_phi(Sigma^(L-1)) at depth 3 (the same recursion, to round-off)."""
    from actgram.deep import deep_gram, ntk_inf_fixed_output

    X = ag.data.half_circle(8)
    np.testing.assert_array_equal(ntk_inf_fixed_output(X, "tanh", 1), ag.gram_inf(X, "tanh"))
    assert np.array_equal(deep_gram(X, "tanh", 2, "ntk", output_trained=False),
                          ntk_inf_fixed_output(X, "tanh", 2))
    sig = np.clip(X @ X.T, -1, 1)
    for _ in range(2):
        sig = np.clip(ag.dual_activation("tanh", sig), -1, 1)
        np.fill_diagonal(sig, 1.0)
    out_term = ag.dual_kernel("tanh", np.arccos(sig), "function")
    np.testing.assert_allclose(ntk_inf_fixed_output(X, "tanh", 3),
                               deep_gram(X, "tanh", 3, kind="ntk") - out_term, atol=1e-13)
    with pytest.raises(ValueError, match="kind must be one of 'G', 'ntk'"):
        deep_gram(X, "tanh", 2, kind="trained")
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ntk_inf_fixed_output(X, "step", 2)


def test_deep_kernels_use_stable_first_layer_angles():
    """Two rows 1e-9 rad apart: arccos(x.y) would put the angle off by about 1e-8, so ReLU's
    kappa_phi'(theta) = (pi - theta)/(2 pi) would be off by about 1e-9; the stable angle gives
    the exact entry cos(t) (pi - t) / (2 pi) to round-off, at depth 1 in all three kernels."""
    from actgram.deep import deep_gram, ntk_inf_fixed_output

    t = 1e-9
    X = np.array([[1.0, 0.0], [math.cos(t), math.sin(t)]])
    exact = math.cos(t) * (math.pi - t) / (2 * math.pi)
    for K in (deep_gram(X, "relu", 1), ntk_inf_fixed_output(X, "relu", 1)):
        assert abs(K[0, 1] - exact) < 1e-16
    k_exact = (math.sin(t) + (math.pi - t) * math.cos(t)) / (2 * math.pi)
    assert abs(deep_gram(X, "relu", 1, "ntk")[0, 1] - (exact + k_exact)) < 2e-16
    # depth 2, fixed output, rows 1e-9 from antipodal (before the move it took arccos(x.y),
    # which rounds to pi here: the entry was off by 8e-11)
    import mpmath

    X = np.array([[1.0, 0.0], [math.cos(math.pi - t), math.sin(math.pi - t)]])
    with mpmath.workdps(40):
        tt = mpmath.atan2(mpmath.mpf(X[1, 1]), mpmath.mpf(X[1, 0]))  # the rows' exact angle
        s1 = (mpmath.sin(tt) + (mpmath.pi - tt) * mpmath.cos(tt)) / mpmath.pi  # c = 2
        ntk1 = 2 * (mpmath.pi - tt) / (2 * mpmath.pi) * mpmath.cos(tt) + s1
        ref = float((mpmath.pi - mpmath.acos(s1)) / (2 * mpmath.pi) * ntk1)
    assert abs(ntk_inf_fixed_output(X, "relu", 2)[0, 1] - ref) < 1e-15


def test_deep_normalize():
    """normalize=True: the kernel of the normalised rows."""
    from actgram.deep import ntk_inf_fixed_output

    X = ag.data.half_circle(6)
    np.testing.assert_array_equal(ag.deep_gram(3 * X, "tanh", 2, normalize=True),
                                  ag.deep_gram(X, "tanh", 2))
    np.testing.assert_array_equal(ntk_inf_fixed_output(3 * X, "tanh", 2, normalize=True),
                                  ntk_inf_fixed_output(X, "tanh", 2))
    with pytest.raises(ValueError, match="unit norm"):
        ag.deep_gram(3 * X, "tanh", 2)


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
    X = ag.data.half_circle(n)
    assert ag.data.separation(3.0 * X, normalize=True) == pytest.approx(ag.data.separation(X), rel=1e-14)
    with pytest.raises(ValueError, match="unit norm"):
        ag.data.separation(3.0 * X)
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


def test_features_checks_of_and_refuses_the_steps_derivative():
    """features(of=...): phi' or phi by the one vocabulary; phi' of the step is refused in the
    package's one wording; gram_init's kind is checked by check_kind."""
    X = ag.data.sphere(4, 3, seed=0)
    W = ag.sample_weights(5, 3, seed=1)
    np.testing.assert_allclose(ag.features(X, W, "tanh", of="function"), np.tanh(X @ W.T),
                               rtol=1e-13, atol=0)
    with pytest.raises(ValueError, match="of must be one of 'function', 'derivative'"):
        ag.features(X, W, "tanh", of="phi")
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.features(X, W, "step")
    with pytest.raises(ValueError, match="kind must be one of 'G', 'K', 'ntk'"):
        ag.gram_init(X, W, "tanh", kind="trained")
