r"""A deep fully connected net with every hidden layer trained (output fixed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .._validate import TRAINING_ADVICE, as_activation, positive_int, require_derivative
from ..deep import layer_norm_constant
from . import _loop
from ._loop import TrainResult
from ._two_layer import first_draw


class DeepNet:
    r""":math:`h^{(l)} = \sqrt{c/m}\,\phi(W^{(l)}h^{(l-1)})`, :math:`f = m^{-1/2}a\cdot
    \phi(W^{(L)}h^{(L-1)})`; every :math:`W^{(l)}` trained, ``a`` fixed."""

    batch = ()

    def __init__(self, X, y, W0: list, a, act, *, c: float, dtype: str, dev):
        import torch

        self.device = dev
        tdt = getattr(torch, dtype)
        self.phi, self.dphi = act.torch_forms()
        self.Xt = torch.as_tensor(X, dtype=tdt, device=dev)
        self.yt = torch.as_tensor(y, dtype=tdt, device=dev)
        self.at = torch.as_tensor(a, dtype=tdt, device=dev)
        self.Ws = [torch.as_tensor(w, dtype=tdt, device=dev).clone() for w in W0]
        self.W0 = W0
        m = W0[0].shape[0]
        self.out_scale = 1.0 / math.sqrt(m)
        self.hid_scale = math.sqrt(c / m)
        self.work = X.shape[0] * m * max(1, (len(W0) - 1) * min(m, 64))

    def weights(self) -> tuple[list, list]:
        """The trained weights now and at the start (numpy)."""
        return [w.cpu().numpy() for w in self.Ws], self.W0

    def forward_backward(self):
        """Outputs u (n,), inputs h^{(l-1)} of every layer, deltas du/dz^{(l)}."""
        Ws, phi, dphi = self.Ws, self.phi, self.dphi
        hs, zs = [self.Xt], []
        for li, Wl in enumerate(Ws):
            z = hs[-1] @ Wl.T
            zs.append(z)
            if li < len(Ws) - 1:
                hs.append(self.hid_scale * phi(z))
        u = self.out_scale * (phi(zs[-1]) @ self.at)
        deltas = [None] * len(Ws)
        deltas[-1] = self.out_scale * dphi(zs[-1]) * self.at[None, :]
        for li in range(len(Ws) - 1, 0, -1):
            deltas[li - 1] = self.hid_scale * dphi(zs[li - 1]) * (deltas[li] @ Ws[li])
        return u, hs, deltas

    @staticmethod
    def ntk(hs, deltas):
        """The empirical NTK
        :math:`\\sum_l (\\delta^{(l)}\\delta^{(l)\\top})\\circ(h^{(l-1)}
        h^{(l-1)\\top})`."""
        return sum((dl @ dl.T) * (h @ h.T) for dl, h in zip(deltas, hs, strict=True))

    def initial_ntk(self) -> np.ndarray:
        """The empirical NTK at initialisation, in float64."""
        import torch

        with torch.no_grad():
            _, hs, deltas = self.forward_backward()
            H0 = self.ntk(
                [h.to(torch.float64) for h in hs],
                [dl.to(torch.float64) for dl in deltas],
            )
        return _loop.sym(H0)

    def forward(self):
        u, hs, deltas = self.forward_backward()
        return u - self.yt, (hs, deltas)

    def loss(self, r) -> float:
        return 0.5 * float(r @ r)

    def observe(self, j, state) -> None:
        pass

    def snapshot(self, state) -> np.ndarray:
        return _loop.sym(self.ntk(*state))

    def step(self, r, state, eta: float) -> None:
        hs, deltas = state
        grads = [(dl * r[:, None]).T @ h for dl, h in zip(deltas, hs, strict=True)]
        for Wl, g in zip(self.Ws, grads, strict=True):
            Wl -= eta * g


def train_deep(X, y, act, m: int, depth: int, *, steps: int, eta: float | None = None,
               seed: int = 0, record_every: int = 1, dtype: str = "float64",
               device: str | None = None, progress: bool | None = None,
               snapshot_steps: Sequence[int] = ()) -> TrainResult:
    r"""Full-batch gradient descent on all hidden layers of a deep fully connected net.

    ``depth`` counts hidden layers, as in :func:`actgram.deep_gram` (``depth = 1`` is
    the DZXP net of :func:`train_two_layer`, with the same weights for the same seed).
    With :math:`h^{(0)} = x`, :math:`L` = ``depth`` and width ``m`` everywhere:

    .. math::  z^{(l)} = W^{(l)} h^{(l-1)},\quad
               h^{(l)} = \sqrt{c/m}\,\phi(z^{(l)})\ (l < L),
               \quad f(x) = m^{-1/2}\, a\cdot\phi(z^{(L)}),

    :math:`c = 1/\mathbb{E}[\phi(g)^2]` (so hidden representations keep unit norm as in
    :mod:`actgram.deep`), all :math:`W^{(l)}` standard normal and trained, :math:`a =
    \pm1` fixed. Gradients by explicit back-propagation, :math:`\partial f/\partial
    W^{(l)} = \delta^{(l)} h^{(l-1)\top}` with :math:`\delta^{(L)} = m^{-1/2}
    a\circ\phi'(z^{(L)})`, :math:`\delta^{(l-1)} = \sqrt{c/m}\,\phi'(z^{(l-1)})\circ
    W^{(l)\top}\delta^{(l)}`. Eigen-quantities refer to the empirical NTK at
    initialisation, :math:`\Theta^0 = \sum_l
    (\delta^{(l)}\delta^{(l)\top})\circ(h^{(l-1)}h^{(l-1)\top})` (per-example
    gradients, shape (n, n)); it tends to :func:`actgram.deep.ntk_inf_fixed_output` as
    :math:`m\to\infty`.
    ``snapshot_steps`` stores the same kernel at later steps. Other arguments as in
    :func:`train_two_layer`; ``W^{(1)}`` and ``a`` are drawn as there, ``W^{(l)}`` for
    ``l >= 2`` from ``numpy.random.default_rng([seed, l])``; default ``eta = 1 /
    lambda_max(Theta0)``. Accuracy: as :func:`train_two_layer`.
    """
    act = as_activation(act)
    require_derivative(act, "training", TRAINING_ADVICE)
    depth = positive_int(
        depth, "depth (number of hidden layers, 1 = the two-layer net)"
    )
    X, y, m, steps, record_every, snaps = _loop.check_common(
        X, y, m, steps, record_every, dtype, snapshot_steps
    )
    c = layer_norm_constant(act) if depth > 1 else 1.0
    W1, a = first_draw(m, X.shape[1], seed)
    W0 = [W1] + [
        np.random.default_rng([seed, layer]).standard_normal((m, m))
        for layer in range(2, depth + 1)
    ]
    net = DeepNet(X, y, W0, a, act, c=c, dtype=dtype, dev=_loop.torch_device(device))
    lam, V = np.linalg.eigh(net.initial_ntk())
    eta = _loop.check_eta(eta, float(lam[-1]), "NTK0")
    info = {"dtype": dtype, "m": m, "train_second": False, "depth": depth, "c": c}
    return _loop.fit(net, lam, V, eta, "NTK0", steps=steps, record_every=record_every,
                     snaps=snaps, progress=progress, info=info)
