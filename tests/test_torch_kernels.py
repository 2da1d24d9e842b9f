"""The torch backend (actgram.torch_kernels) agrees with the numpy path; runs on the CPU, on CUDA when present."""

import numpy as np
import pytest

import actgram as ag
from actgram import torch_kernels as tk

torch = pytest.importorskip("torch")


def _data(n=120, d=3, seed=1):
    X = ag.data.sphere(n, d, seed=seed)
    X[5] = X[4]                                   # duplicate
    X[7] = -X[6]                                  # antipode
    X[9] = ag.data.normalize_rows(X[8:9] + 1e-9 * X[10:11])[0]  # near-duplicate
    return X


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "abs", "relu_power", "erf", "sin", "tanh", "elu",
                                  "swish", "gelu", "polynomial", "monomial"])
@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
def test_torch_kernel_matches_numpy(name, kind):
    # same formulas in float64: entries differ only by rounding (measured <= 1.4e-15 relative)
    X = _data()
    A = ag.kernel_inf(X, name, kind)
    B = tk.kernel_inf_torch(X, name, kind, device="cpu").numpy()
    assert np.max(np.abs(A - B) / np.maximum(1.0, np.abs(A))) < 1e-14
    assert np.array_equal(B, B.T)


def test_relu_closed_form_by_hand():
    # two orthogonal unit vectors: G_12 = rho * (pi - theta) / (2 pi) = 0, G_11 = 1/2
    X = np.eye(2)
    G = tk.gram_inf_torch(X, "relu", device="cpu").numpy()
    assert np.allclose(G, [[0.5, 0.0], [0.0, 0.5]], atol=1e-16)
    # K for ReLU at theta = pi/2: J_1 / (2 pi) = 1 / (2 pi)
    K = tk.kernel_inf_torch(X, "relu", "K", device="cpu").numpy()
    assert abs(K[0, 1] - 1.0 / (2.0 * np.pi)) < 1e-16


def test_table_reuses_coefficients():
    # the torch Clenshaw evaluation of the tanh table equals the numpy table to rounding
    from actgram.kernels import theta_table

    th = np.linspace(0.0, np.pi, 1001)
    ref = theta_table(ag.activation("tanh"))(th)
    f = tk.torch_dual("tanh", "derivative", device="cpu")
    got = f(torch.as_tensor(th, dtype=torch.float64)).numpy()
    assert np.max(np.abs(got - ref)) < 1e-15


@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
def test_dense_torch_matches_dense(kind):
    X = ag.data.sphere(300, 10, seed=0)
    lm = ag.lambda_min(X, "relu", kind=kind, method="dense", device="cpu")
    ref = ag.lambda_min(X, "relu", kind=kind, method="dense")
    assert abs(lm.value - ref.value) < 1e-12
    assert lm.lower <= ref.value <= lm.upper
    assert lm.method == "dense-torch" and lm.kind == kind and ref.method == "dense"
    # the same Weyl radius formula (actgram._guards.dense_radius) on both paths
    assert lm.radius == pytest.approx(ref.radius, rel=1e-12)


def test_eigvalsh_torch_closed_form():
    G = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    assert torch.allclose(tk.eigvalsh_torch(G), torch.tensor([1.0, 3.0], dtype=torch.float64), atol=1e-15)


def test_bad_inputs():
    with pytest.raises(ValueError, match="kind must be"):
        tk.kernel_inf_torch(np.eye(2), "relu", "H", device="cpu")
    with pytest.raises(ValueError, match="of must be"):
        tk.torch_dual("relu", "xx")
    with pytest.raises(ValueError, match="derivative zero"):
        tk.torch_dual("step", "derivative")
    with pytest.raises(ValueError, match="derivative zero"):
        tk.gram_inf_torch(np.eye(2), "step", device="cpu")
    with pytest.raises(ValueError, match="unit norm"):
        tk.gram_inf_torch(2.0 * np.eye(2), "relu", device="cpu")
    with pytest.raises(ValueError, match="device"):
        tk.resolve_device("no-such-device")
    with pytest.raises(ValueError, match="square torch tensor"):
        tk.eigvalsh_torch(np.eye(2))


def test_trainer_on_explicit_device():
    # the trainer is device-aware; float64 on the CPU device reproduces the default run
    X = ag.data.sphere(20, 5, seed=0)
    y = np.sign(X[:, 0])
    a = ag.train_two_layer(X, y, "relu", 200, steps=5, device="cpu")
    b = ag.train_two_layer(X, y, "relu", 200, steps=5)
    assert a.info["device"] == "cpu"
    if b.info["device"] == "cpu":
        assert np.array_equal(a.loss, b.loss)


def test_step_K_on_torch_and_closed_forms_from_the_activation():
    # the step has phi only: its K runs in torch (closed form from the Activation), G refused
    X = _data(40)
    A = ag.kernel_inf(X, "step", "K")
    B = tk.kernel_inf_torch(X, "step", "K", device="cpu").numpy()
    assert np.max(np.abs(A - B)) < 1e-14
    # torch_dual takes the Activation's own closed form (no lookup by name): same values as
    # act.dual_form in the torch namespace, and as the numpy closed form to a few ulp
    from actgram._xp import torch_ops

    th = torch.linspace(0.0, np.pi, 201, dtype=torch.float64)
    for name in ("relu", "erf", "sin", "leaky_relu", "abs"):
        act = ag.activation(name)
        for of in ("function", "derivative"):
            got = tk.torch_dual(act, of, device="cpu")(th)
            assert torch.equal(got, act.dual_form(of, torch_ops())(th))
            ref = ag.kernels.dual_kernel(act, th.numpy(), of)
            assert np.max(np.abs(got.numpy() - ref)) < 1e-15
