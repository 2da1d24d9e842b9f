"""The torch trainers: gradients against hand formulas and autograd, linearised dynamics, the deep
NTK against its infinite-width limit, determinism, bad input."""

import numpy as np
import pytest

import actgram as ag
from actgram.deep import ntk_inf_fixed_output
from actgram.training import train_deep


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


# ---------------------------------------------------------------------------------------------
# both layers, snapshots, determinism, the deep trainer


def _hand_two_layer_steps(X, y, act, W, a, eta, steps, train_second):
    """Plain numpy gradient descent written from the formulas (no torch): losses at 0..steps."""
    m = W.shape[0]
    W, a = W.copy(), a.copy()
    losses = []
    for t in range(steps + 1):
        Z = X @ W.T
        r = act.fn(Z) @ a / np.sqrt(m) - y
        losses.append(0.5 * r @ r)
        if t == steps:
            break
        gW = ((act.derivative(Z) * r[:, None]) * a[None, :]).T @ X / np.sqrt(m)
        ga = act.fn(Z).T @ r / np.sqrt(m)  # d/da_k = m^{-1/2} sum_i r_i phi(w_k . x_i)
        W = W - eta * gW
        if train_second:
            a = a - eta * ga
    return np.array(losses), W, a


@pytest.mark.parametrize("train_second", [False, True])
@pytest.mark.parametrize("name", ["relu", "tanh"])
def test_steps_against_hand_gradient(name, train_second):
    """Three steps of the torch trainer equal three steps of numpy GD written from the formulas
    (n = 3, d = 2, m = 4): same float64 arithmetic up to summation order, so 1e-12 relative."""
    X = ag.data.half_circle(3)
    y = np.array([0.5, -1.0, 0.25])
    act = ag.activation(name)
    m, seed, eta = 4, 7, 0.05
    W = ag.sample_weights(m, 2, seed=seed)
    a = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m)
    hand, W3, a3 = _hand_two_layer_steps(X, y, act, W, a, eta, 3, train_second)
    r = ag.train_two_layer(X, y, act, m, steps=3, eta=eta, seed=seed, train_second=train_second,
                           snapshot_steps=[0, 3])
    np.testing.assert_allclose(r.loss, hand, rtol=1e-12)
    # the Gram matrix at step 3, written out: (X X^T) o (sum_k a_k^2 phi' phi') / m (+ K if both layers)
    A = act.derivative(X @ W3.T) * a3
    G3 = (X @ X.T) * (A @ A.T) / m
    if train_second:
        B = act.fn(X @ W3.T)
        G3 = G3 + B @ B.T / m
    np.testing.assert_allclose(r.snapshots[3], G3, rtol=1e-12, atol=1e-15)
    # at step 0 the snapshot is H0 and the eigenpairs are those of H0
    H0 = ag.gram_init(X, W, act, kind="ntk" if train_second else "G")
    np.testing.assert_allclose(r.snapshots[0], H0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r.eigvals, np.linalg.eigvalsh(H0), rtol=1e-12, atol=1e-15)
    assert r.info["train_second"] is train_second and r.info["m"] == m and r.info["dtype"] == "float64"
    assert r.info["lambda_max"] == pytest.approx(np.linalg.eigvalsh(H0)[-1], rel=1e-12)


def test_hand_checked_one_neuron():
    """Closed form: one point x, one neuron w with w.x = z, phi = tanh, a = +-1, y = 0. Then
    u0 = a tanh(z), G0 = tanh'(z)^2, K0 = tanh(z)^2, and with eta the first step gives
    u1 = a tanh(z - eta a u0 tanh'(z)) (first layer only)."""
    X = np.array([[1.0, 0.0]])
    y = np.zeros(1)
    r = ag.train_two_layer(X, y, "tanh", 1, steps=1, eta=0.3, seed=2)
    w = ag.sample_weights(1, 2, seed=2)[0]
    a = np.random.default_rng(3).choice([-1.0, 1.0], size=1)[0]
    z = w[0]
    u0 = a * np.tanh(z)
    u1 = a * np.tanh(z - 0.3 * a * u0 * (1 - np.tanh(z) ** 2))
    assert r.loss[0] == pytest.approx(0.5 * u0 ** 2, rel=1e-14)
    assert r.loss[1] == pytest.approx(0.5 * u1 ** 2, rel=1e-12)
    assert r.eigvals[0] == pytest.approx((1 - np.tanh(z) ** 2) ** 2, rel=1e-14)
    r2 = ag.train_two_layer(X, y, "tanh", 1, steps=0, seed=2, train_second=True)
    assert r2.eigvals[0] == pytest.approx((1 - np.tanh(z) ** 2) ** 2 + np.tanh(z) ** 2, rel=1e-14)


def test_determinism_with_seed():
    X = ag.data.sphere(6, 4, seed=1)
    y = np.linspace(-1, 1, 6)
    kw = dict(steps=15, seed=5, train_second=True, snapshot_steps=[15])
    r1 = ag.train_two_layer(X, y, "swish", 64, **kw)
    r2 = ag.train_two_layer(X, y, "swish", 64, **kw)
    assert np.array_equal(r1.loss, r2.loss) and np.array_equal(r1.residuals, r2.residuals)
    assert np.array_equal(r1.snapshots[15], r2.snapshots[15])
    r3 = ag.train_two_layer(X, y, "swish", 64, **{**kw, "seed": 6})
    assert not np.array_equal(r1.loss, r3.loss)
    d1 = train_deep(X, y, "tanh", 32, 2, steps=5, seed=5)
    d2 = train_deep(X, y, "tanh", 32, 2, steps=5, seed=5)
    assert np.array_equal(d1.loss, d2.loss) and np.array_equal(d1.eigvals, d2.eigvals)


def test_train_second_linearised_wide_net():
    """Both layers at width 20 000: the residual follows (1 - eta lambda_i(H0))^t with
    H0 = G0 + K0 within 5 % of |r_0| over 200 steps (deviation O(m^{-1/2}), as for one layer)."""
    X = ag.data.half_circle(8)
    y = np.random.default_rng(0).choice([-1.0, 1.0], 8)
    r = ag.train_two_layer(X, y, "relu", 20_000, steps=200, record_every=50, train_second=True)
    dev = np.abs(r.projections - r.predicted).max() / np.abs(r.projections[0]).max()
    assert dev < 0.05
    assert r.loss[-1] < 0.5 * r.loss[0]


def test_deep_depth1_is_the_two_layer_net():
    """depth = 1 (one hidden layer) is the DZXP net with the same weights: same losses, eigenvalues and step size
    (explicit back-propagation vs the two-layer formula: equal up to summation order, 1e-12)."""
    X = ag.data.half_circle(7)
    y = np.sin(np.arange(7.0))
    r2 = ag.train_two_layer(X, y, "gelu", 300, steps=25, seed=4)
    rd = train_deep(X, y, "gelu", 300, 1, steps=25, seed=4)
    np.testing.assert_allclose(rd.loss, r2.loss, rtol=1e-12)
    np.testing.assert_allclose(rd.eigvals, r2.eigvals, rtol=1e-12, atol=1e-14)
    assert rd.eta == pytest.approx(r2.eta, rel=1e-12)
    assert rd.weight_change == pytest.approx(r2.weight_change, rel=1e-10)
    np.testing.assert_allclose(ntk_inf_fixed_output(X, "gelu", 1), ag.gram_inf(X, "gelu"), atol=1e-15)


@pytest.mark.parametrize("depth", [2, 3])
def test_deep_step_and_ntk_against_autograd(depth):
    """Explicit back-propagation against torch autograd on the same net (n = 4, m = 6): the
    loss after one step (weights moved by -eta * autograd gradient) and the empirical NTK
    J J^T from per-example autograd gradients, both to 1e-12 relative (float64 round-off)."""
    import torch

    X = ag.data.sphere(4, 3, seed=2)
    y = np.array([1.0, -0.5, 0.2, 0.7])
    m, seed, eta = 6, 3, 0.02
    act = ag.activation("tanh")
    c = 1.0 / float(ag.dual_kernel(act, np.zeros(1), "function")[0])
    Ws = [torch.tensor(ag.sample_weights(m, 3, seed=seed), requires_grad=True)]
    for layer in range(2, depth + 1):
        Ws.append(torch.tensor(np.random.default_rng([seed, layer]).standard_normal((m, m)), requires_grad=True))
    a = torch.tensor(np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m))
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def f(Ws):
        h = Xt
        for W in Ws[:-1]:
            h = np.sqrt(c / m) * torch.tanh(h @ W.T)
        return torch.tanh(h @ Ws[-1].T) @ a / np.sqrt(m)

    loss0 = 0.5 * ((f(Ws) - yt) ** 2).sum()
    grads = torch.autograd.grad(loss0, Ws)
    with torch.no_grad():
        loss1 = 0.5 * ((f([W - eta * g for W, g in zip(Ws, grads, strict=True)]) - yt) ** 2).sum()
    J = []
    for i in range(4):
        gi = torch.autograd.grad(f(Ws)[i], Ws)
        J.append(torch.cat([g.reshape(-1) for g in gi]))
    J = torch.stack(J).numpy()
    r = train_deep(X, y, act, m, depth, steps=1, eta=eta, seed=seed)
    assert r.loss[0] == pytest.approx(loss0.item(), rel=1e-12)
    assert r.loss[1] == pytest.approx(loss1.item(), rel=1e-12)
    np.testing.assert_allclose(r.eigvals, np.linalg.eigvalsh(J @ J.T), rtol=1e-10, atol=1e-13)


def test_deep_ntk_matches_deep_gram_at_large_width():
    """The infinite-width kernel of train_deep is deep_gram's NTK without its output-layer term
    kappa_phi(Sigma^(L-1)) (same recursion: agreement to 1e-12); and the empirical NTK at
    width 4000 is within 10 % of it in spectral norm (a Monte Carlo estimate whose error is
    O(m^{-1/2}) per layer: measured about 4 % at this seed, 6 % at m = 1000)."""
    X = ag.data.half_circle(8)
    y = np.zeros(8)
    depth = 2  # hidden layers
    K = ntk_inf_fixed_output(X, "tanh", depth)
    sig = np.clip(X @ X.T, -1, 1)
    for _ in range(depth - 1):
        sig = np.clip(ag.dual_activation("tanh", sig), -1, 1)
        np.fill_diagonal(sig, 1.0)
    out_term = ag.dual_kernel("tanh", np.arccos(sig), "function")
    np.testing.assert_allclose(K, ag.deep_gram(X, "tanh", depth, kind="ntk") - out_term, atol=1e-12)
    r = train_deep(X, y, "tanh", 4000, depth, steps=0, snapshot_steps=[0])
    rel = np.linalg.norm(r.snapshots[0] - K, 2) / np.linalg.norm(K, 2)
    assert rel < 0.1, rel
    np.testing.assert_allclose(r.snapshots[0], r.eigvecs @ np.diag(r.eigvals) @ r.eigvecs.T, atol=1e-12)


def test_bad_input_new_arguments():
    X = ag.data.half_circle(5)
    y = np.zeros(5)
    with pytest.raises(ValueError, match="beyond the last step"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, snapshot_steps=[6])
    with pytest.raises(ValueError, match="snapshot_steps"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, snapshot_steps=[-1])
    with pytest.raises(TypeError, match="snapshot_steps"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, snapshot_steps=[1.5])
    with pytest.raises(TypeError, match="snapshot_steps"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, snapshot_steps=3)
    with pytest.raises(TypeError, match="train_second"):
        ag.train_two_layer(X, y, "tanh", 10, steps=5, train_second="yes")
    with pytest.raises(ValueError, match="depth"):
        train_deep(X, y, "tanh", 10, 0, steps=5)
    with pytest.raises(ValueError, match="shape"):
        train_deep(X, np.zeros(3), "tanh", 10, 2, steps=5)
    with pytest.raises(ValueError, match="2-D"):
        train_deep(X[0], y, "tanh", 10, 2, steps=5)
    with pytest.raises(ValueError, match="unstable"):
        train_deep(X, y, "tanh", 10, 2, steps=5, eta=1e3)
    with pytest.raises(ValueError, match="derivative zero"):
        train_deep(X, y, "step", 10, 2, steps=5)
    with pytest.raises(ValueError, match="beyond the last step"):
        train_deep(X, y, "tanh", 10, 2, steps=5, snapshot_steps=[9])
    with pytest.raises(ValueError, match="depth"):
        ntk_inf_fixed_output(X, "tanh", 0)
