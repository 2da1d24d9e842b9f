r"""The two-layer net of Du, Zhai, Poczos and Singh: first layer or both trained."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .._validate import TRAINING_ADVICE, as_activation, require_derivative
from ..finite import gram_init, sample_weights
from . import _loop
from ._loop import TrainResult


def first_draw(m: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``W = sample_weights(m, d, seed)``, signs ``a`` by ``default_rng(seed + 1)``."""
    W0 = sample_weights(m, d, seed)
    a = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m)
    return W0, a


def writable(D, *others):
    """``D`` itself if it may be changed in place (fresh and dense), else a copy."""
    import torch

    if D.is_contiguous() and D.data_ptr() not in {o.data_ptr() for o in others}:
        return D
    return D.clone(memory_format=torch.contiguous_format)


class TwoLayerNet:
    r""":math:`f(x) = m^{-1/2}\sum_k a_k\phi(w_k\cdot x)`, ``W`` trained (and ``a``)."""

    batch = ()

    def __init__(self, X, y, W0, a, act, *, train_second: bool, dtype: str, dev, snaps):
        import torch

        self.torch, self.device = torch, dev
        tdt = getattr(torch, dtype)
        self.phi, self.dphi = act.torch_forms()
        self.Xt = torch.as_tensor(X, dtype=tdt, device=dev)
        self.yt = torch.as_tensor(y, dtype=tdt, device=dev)
        self.at = torch.as_tensor(
            a, dtype=tdt, device=dev
        ).clone()  # trained if train_second
        self.W = torch.as_tensor(W0, dtype=tdt, device=dev).clone()
        self.m = W0.shape[0]
        self.scale = 1.0 / math.sqrt(self.m)
        self.train_second = train_second
        self.XX = self.Xt @ self.Xt.T if snaps else None
        self.work = X.shape[0] * self.m
        n = X.shape[0]
        self.Z = torch.empty((n, self.m), dtype=tdt, device=dev)  # reused every step
        self.start = (W0, a)

    def weights(self) -> tuple[list, list]:
        """The trained weights now and at the start (numpy)."""
        W0, a = self.start
        if self.train_second:
            return [self.W.cpu().numpy(), self.at.cpu().numpy()], [W0, a]
        return [self.W.cpu().numpy()], [W0]

    def forward(self):
        self.torch.matmul(self.Xt, self.W.T, out=self.Z)
        P = self.phi(self.Z)
        u = self.scale * (P @ self.at)
        return u - self.yt, P

    def loss(self, r) -> float:
        return 0.5 * float(r @ r)

    def observe(self, j, P) -> None:
        pass

    def snapshot(self, P) -> np.ndarray:
        A = self.dphi(self.Z) * self.at[None, :]
        Gt = self.XX * (A @ A.T) / self.m
        if self.train_second:
            Gt = Gt + (P @ P.T) / self.m
        return _loop.sym(Gt)

    def step(self, r, P, eta: float) -> None:
        # scale * ((phi'(Z) * r) * a), built in place in one n x m buffer (fewer fresh
        # allocations per step; the same operations in the same order as the plain
        # expression, so the same bits)
        D = writable(self.dphi(self.Z, P), self.Z, P)
        D.mul_(r[:, None]).mul_(self.at[None, :]).mul_(self.scale)
        grad = D.T @ self.Xt
        if self.train_second:
            grad_a = self.scale * (P.T @ r)
            self.at -= eta * grad_a
        self.W -= eta * grad


def train_two_layer(X, y, act, m: int, *, steps: int, eta: float | None = None,
                    seed: int = 0, record_every: int = 1, dtype: str = "float64",
                    device: str | None = None, progress: bool | None = None,
                    train_second: bool = False,
                    snapshot_steps: Sequence[int] = ()) -> TrainResult:
    r"""Full-batch gradient descent on the DZXP two-layer net (first layer or both).

    Parameters
    ----------
    X : array of shape (n, d)
        Unit rows.
    y : array of shape (n,)
        Targets.
    act : activation
        Name, callable or :class:`Activation`; its torch forms (``act.torch_forms()``)
        drive every step.
    m : int
        Width.
    steps : int
        Number of gradient steps.
    eta : float, optional
        Step size; default :math:`1/\lambda_{max}(H^0)` (stable: below
        :math:`2/\lambda_{max}`), with :math:`H^0 = G^0` or, if ``train_second``,
        :math:`G^0 + K^0`.
    seed : int
        Draws ``W`` (``sample_weights(m, d, seed)``) and the signs ``a`` (``seed + 1``).
    record_every : int
        Keep the residual every this many steps (and at the last).
    dtype : str
        Torch dtype name, ``"float64"`` or ``"float32"``.
    device : str, optional
        Torch device (default CUDA when available, else CPU).
    progress : bool, optional
        Tqdm bar; ``None`` = only in an interactive terminal outside CI.
    train_second : bool
        Also train the second layer ``a`` (initialised at :math:`\pm1`, same ``eta``,
        :math:`\partial L/\partial a_k = m^{-1/2}\sum_i r_i\phi(w_k\cdot x_i)`);
        eigen-quantities then refer to :math:`H^0 = G^0 + K^0`,
        :math:`K^0 = \phi(XW^\top)\phi(XW^\top)^\top/m`.
    snapshot_steps : sequence of int
        Steps ``t`` in ``0..steps`` at which to store the Gram matrix at the current
        weights, :math:`G(t)_{ij} = (x_i\cdot x_j)\,m^{-1}\sum_k a_k^2\phi'(w_k\cdot
        x_i) \phi'(w_k\cdot x_j)` (plus :math:`K(t)` if ``train_second``), in
        ``TrainResult.snapshots[t]``.

    Raises
    ------
    ValueError
        If ``eta >= 2 / lambda_max(H0)`` (unstable from the first step), or if the
        activation has no torch form (a numpy-only callable).
    FloatingPointError
        Naming ``eta`` and :math:`\lambda_{max}(H^0)`, if the loss becomes non-finite or
        grows a thousandfold during the run.
    """
    act = as_activation(act)
    require_derivative(act, "training", TRAINING_ADVICE)
    X, y, m, steps, record_every, snaps = _loop.check_common(
        X, y, m, steps, record_every, dtype, snapshot_steps
    )
    if not isinstance(train_second, (bool, np.bool_)):
        raise TypeError(f"train_second must be True or False; got {train_second!r}")
    what = "G0 + K0" if train_second else "G0"
    W0, a = first_draw(m, X.shape[1], seed)
    H0 = gram_init(X, W0, act, kind="ntk" if train_second else "G")
    lam, V = np.linalg.eigh(H0)
    lam_max = float(lam[-1])
    eta = _loop.check_eta(eta, lam_max, what)
    net = TwoLayerNet(X, y, W0, a, act, train_second=bool(train_second), dtype=dtype,
                      dev=_loop.torch_device(device), snaps=snaps)
    info = {"dtype": dtype, "m": m, "train_second": bool(train_second)}
    return _loop.fit(net, lam, V, eta, what, steps=steps, record_every=record_every,
                     snaps=snaps, progress=progress, info=info)
