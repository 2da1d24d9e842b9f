r"""Training the two-layer net of Du, Zhai, Poczos and Singh in torch.

The net is :math:`f(x) = m^{-1/2}\sum_k a_k\,\phi(w_k\cdot x)` with :math:`a_k = \pm1` fixed and
only :math:`W` trained by full-batch gradient descent on
:math:`L(W) = \tfrac12\sum_i (f(x_i) - y_i)^2`. The gradient is written out,

.. math::  \nabla_{w_k} L = m^{-1/2} a_k \sum_i (u_i - y_i)\,\phi'(w_k\cdot x_i)\,x_i,

so the same activation object (with its exact derivative) drives the kernels and the training.
Near initialisation the residual follows :math:`r_{t+1} \approx (I - \eta G^0) r_t`, i.e.
:math:`(1 - \eta\lambda_i)^t` along the eigenvector :math:`v_i` of :math:`G^0`.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from ._validate import as_data, as_real_array, positive_int, real_scalar
from .activations import Activation, activation
from .finite import gram_init, sample_weights

_TORCH_FNS = {
    # name: (phi, phi') as torch expressions
    "relu": (lambda t, z: t.relu(z), lambda t, z: (z > 0).to(z.dtype)),
    "tanh": (lambda t, z: t.tanh(z), lambda t, z: 1.0 - t.tanh(z) ** 2),
    "sigmoid": (lambda t, z: t.sigmoid(z), lambda t, z: t.sigmoid(z) * (1 - t.sigmoid(z))),
    "softplus": (lambda t, z: t.nn.functional.softplus(z), lambda t, z: t.sigmoid(z)),
    "swish": (lambda t, z: z * t.sigmoid(z),
              lambda t, z: t.sigmoid(z) * (1 + z * (1 - t.sigmoid(z)))),
    "erf": (lambda t, z: t.erf(z), lambda t, z: 2.0 / math.sqrt(math.pi) * t.exp(-z * z)),
    "sin": (lambda t, z: t.sin(z), lambda t, z: t.cos(z)),
    "gelu": (lambda t, z: z * 0.5 * t.erfc(-z / math.sqrt(2.0)),
             lambda t, z: 0.5 * t.erfc(-z / math.sqrt(2.0))
             + z * t.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)),
}


def _torch_pair(act: Activation):
    """(phi, phi') acting on torch tensors: native for common built-ins, numpy otherwise."""
    import torch

    if act.builtin and act.name in _TORCH_FNS:
        f, df = _TORCH_FNS[act.name]
        return (lambda z: f(torch, z)), (lambda z: df(torch, z))

    def wrap(g):
        def h(z):
            out = np.asarray(g(z.detach().cpu().numpy()), dtype=np.float64)
            return torch.as_tensor(out, dtype=z.dtype, device=z.device)
        return h

    return wrap(act.fn), wrap(act.derivative)


@dataclass
class TrainResult:
    """What :func:`train_two_layer` records.

    ``loss[t]`` is :math:`\\tfrac12\\|u_t - y\\|^2` for ``t = 0..steps``; ``residuals`` has the
    residual :math:`u_t - y` at the steps in ``record_steps``; ``eigvals`` / ``eigvecs`` are the
    eigenpairs of :math:`G^0` at initialisation (ascending); ``projections[j, i]`` is
    :math:`v_i^\\top r_t` at ``record_steps[j]`` and ``predicted[j, i]`` the linearised
    prediction :math:`(1 - \\eta\\lambda_i)^t v_i^\\top r_0`; ``weight_change`` is
    :math:`\\|W_T - W_0\\|_F / \\|W_0\\|_F`.
    """

    loss: np.ndarray
    record_steps: np.ndarray
    residuals: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray
    projections: np.ndarray
    predicted: np.ndarray
    eta: float
    weight_change: float
    info: dict = field(default_factory=dict)


def _progress(total: int, enabled: bool | None):
    if enabled is None:  # quiet in notebooks, under nbval and in CI; on in a terminal
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="gradient descent", leave=False)


def train_two_layer(
    X,
    y,
    act,
    m: int,
    *,
    steps: int,
    eta: float | None = None,
    seed: int = 0,
    record_every: int = 1,
    dtype: str = "float64",
    device: str | None = None,
    progress: bool | None = None,
) -> TrainResult:
    r"""Full-batch gradient descent on the first layer of the DZXP two-layer net.

    Parameters
    ----------
    X : (n, d) unit rows; y : (n,) targets; act : activation; m : width.
    steps : number of gradient steps.
    eta : step size; default :math:`1/\lambda_{max}(G^0)` (stable: below :math:`2/\lambda_{max}`).
    seed : draws ``W`` (``sample_weights(m, d, seed)``) and the signs ``a`` (``seed + 1``).
    record_every : keep the residual every this many steps (and at the last).
    dtype, device : torch dtype name and device (default CUDA when available, else CPU).
    progress : tqdm bar; ``None`` = only in an interactive terminal outside CI.

    Raises ``ValueError`` if ``eta >= 2 / lambda_max(G0)`` (unstable from the first step) and
    ``FloatingPointError`` naming ``eta`` and :math:`\lambda_{max}(G^0)` if the loss becomes
    non-finite or grows a thousandfold during the run.
    """
    import torch

    act = act if isinstance(act, Activation) else activation(act)
    if not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere: gradient descent "
                         "on the first layer cannot move it")
    X = as_data(X)
    y = as_real_array(y, "y", "a real array of shape (n,)")
    n, d = X.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf")
    m = positive_int(m, "width m")
    steps = positive_int(steps, "steps", minimum=0)
    record_every = positive_int(record_every, "record_every")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    W0 = sample_weights(m, d, seed)
    a = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m)
    G0 = gram_init(X, W0, act)
    lam, V = np.linalg.eigh(G0)
    lam_max = float(lam[-1])
    if eta is None:
        eta = 1.0 / lam_max
    eta = real_scalar(eta, "step size eta", positive=True)
    if eta >= 2.0 / lam_max:
        raise ValueError(
            f"step size eta = {eta:.3g} is unstable for this net: lambda_max(G0) = {lam_max:.3g}, "
            f"and gradient descent near initialisation converges only for eta < 2 / lambda_max = "
            f"{2.0 / lam_max:.3g}; leave eta=None for 1 / lambda_max"
        )

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    tdt = getattr(torch, dtype)
    phi, dphi = _torch_pair(act)
    Xt = torch.as_tensor(X, dtype=tdt, device=dev)
    yt = torch.as_tensor(y, dtype=tdt, device=dev)
    at = torch.as_tensor(a, dtype=tdt, device=dev)
    W = torch.as_tensor(W0, dtype=tdt, device=dev).clone()
    scale = 1.0 / math.sqrt(m)

    record = sorted(set(range(0, steps + 1, record_every)) | {steps})
    losses = np.empty(steps + 1)
    res = []
    bar = _progress(steps, progress)
    with torch.no_grad():
        for t in range(steps + 1):
            Z = Xt @ W.T
            u = scale * (phi(Z) @ at)
            r = u - yt
            loss = 0.5 * float(r @ r)
            losses[t] = loss
            if not math.isfinite(loss) or loss > 1e3 * max(losses[0], 1e-300):
                raise FloatingPointError(
                    f"gradient descent diverged at step {t} (loss {loss:.3g}): step size eta = "
                    f"{eta:.3g} against lambda_max(G0) = {lam_max:.3g}; linearised GD is stable only "
                    f"for eta < 2 / lambda_max = {2 / lam_max:.3g}"
                )
            if t in record:
                res.append(r.cpu().numpy().astype(np.float64))
            if t == steps:
                break
            grad = scale * ((dphi(Z) * r[:, None]) * at[None, :]).T @ Xt
            W -= eta * grad
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    R = np.array(res)
    proj = R @ V
    steps_arr = np.array(record)
    pred = (1.0 - eta * lam)[None, :] ** steps_arr[:, None] * proj[0][None, :]
    change = float(np.linalg.norm(W.cpu().numpy() - W0) / np.linalg.norm(W0))
    return TrainResult(losses, steps_arr, R, lam, V, proj, pred, float(eta), change,
                       {"device": str(dev), "dtype": dtype, "m": m, "lambda_max": lam_max})
