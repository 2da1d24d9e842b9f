r"""The two-layer net trained for several seeds at once, with flip and drift records."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._validate import (
    TRAINING_ADVICE,
    as_activation,
    as_data,
    check_array,
    positive_int,
    real_scalar,
    require_derivative,
)
from ..finite import gram_init
from . import _loop
from ._two_layer import first_draw


@dataclass
class SeedRuns(_loop.Run):
    r"""What :func:`train_seeds` records for ``S`` seeds (first axis) of one activation.

    ``loss`` (S, steps + 1); at the ``R`` steps ``record_steps``: ``residuals`` (S, R,
    n), ``projections`` (S, R, n) = :math:`V^\top r_t` on the eigenvectors of
    :math:`G^0` (``eigvals`` (S, n) ascending, ``eigvecs`` (S, n, n)), ``predicted`` (S,
    R, n) = the linearised :math:`(1 - \eta\lambda_i)^t p_i(0)`, ``predicted_loss`` (S,
    R), ``flip_fraction`` (S, R) = fraction of pairs :math:`(i, k)` with
    :math:`\mathrm{sign}(w_k(t)\cdot x_i) \ne \mathrm{sign}(w_k(0)\cdot x_i)`,
    ``flipped_neurons`` (S, R) = fraction of neurons with at least one such pair,
    ``gram_drift`` (S, R) = :math:`\|G(t) - G^0\|_2`, ``lambda_min_t`` (S, R) =
    :math:`\lambda_{\min}(G(t))` (dense float64: meaningful above
    :math:`\varepsilon\|G\|_2`), ``weight_change`` (S, R) = :math:`\|W_t - W_0\|_F /
    \|W_0\|_F`. A record of its own (not a :class:`TrainResult`): every field has the
    seed axis, and the flip and drift records exist only here.
    """

    act: str
    seeds: np.ndarray
    m: int
    predicted_loss: np.ndarray
    flip_fraction: np.ndarray
    flipped_neurons: np.ndarray
    gram_drift: np.ndarray
    lambda_min_t: np.ndarray
    weight_change: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def loss_ratio(self) -> np.ndarray:
        """Final loss over initial loss, per seed (S,)."""
        return self.loss[:, -1] / self.loss[:, 0]

    def recorded_loss(self) -> np.ndarray:
        """Measured loss at ``record_steps``, (S, R)."""
        return self.loss[:, self.record_steps]


class SeedsNet:
    """``S`` two-layer nets (first layer trained) as one batch, with flips and drift."""

    def __init__(self, X, Y, W0, a0, act, *, R: int, track: bool, dev):
        import torch

        self.torch, self.device, self.track = torch, dev, track
        tdt = self.tdt = torch.float64
        S, m = W0.shape[0], W0.shape[1]
        self.phi, self.dphi = act.torch_forms()
        self.Xt = torch.as_tensor(X, dtype=tdt, device=dev)
        self.XX = self.Xt @ self.Xt.T
        self.Yt = torch.as_tensor(Y, dtype=tdt, device=dev)
        self.at = torch.as_tensor(a0, dtype=tdt, device=dev)
        self.W = torch.as_tensor(W0, dtype=tdt, device=dev).clone()
        self.W0t = self.W.clone()
        self.m, self.scale = m, 1.0 / math.sqrt(m)
        self.batch, self.work = (S,), S * X.shape[0] * m
        self.flips, self.fneur, self.drift, self.lmin_t = (
            np.full((S, R), np.nan) for _ in range(4)
        )
        self.wchange = np.empty((S, R))
        self.norm0 = torch.linalg.vector_norm(self.W0t.reshape(S, -1), dim=1)
        self.G0t = self.sign0 = None

    def forward(self):
        Z = self.Xt @ self.W.transpose(1, 2)  # (S, n, m)
        P = self.phi(Z)
        u = self.scale * (P @ self.at[:, :, None])[:, :, 0]
        return u - self.Yt, (Z, P)

    def loss(self, r) -> np.ndarray:
        return (0.5 * (r * r).sum(dim=1)).cpu().numpy()

    def observe(self, j: int, state) -> None:
        torch, S = self.torch, self.batch[0]
        self.wchange[:, j] = (
            (
                torch.linalg.vector_norm((self.W - self.W0t).reshape(S, -1), dim=1)
                / self.norm0
            )
            .cpu()
            .numpy()
        )
        if not self.track:
            return
        Z = state[0]
        sgn = Z > 0
        if self.sign0 is None:
            self.sign0 = sgn
        fl = sgn != self.sign0
        self.flips[:, j] = fl.to(self.tdt).mean(dim=(1, 2)).cpu().numpy()
        self.fneur[:, j] = fl.any(dim=1).to(self.tdt).mean(dim=1).cpu().numpy()
        A = self.dphi(Z) * self.at[:, None, :]
        Gt = self.XX[None] * (A @ A.transpose(1, 2)) / self.m
        Gt = 0.5 * (Gt + Gt.transpose(1, 2))
        if self.G0t is None:
            self.G0t = Gt
        self.drift[:, j] = torch.linalg.matrix_norm(Gt - self.G0t, ord=2).cpu().numpy()
        self.lmin_t[:, j] = torch.linalg.eigvalsh(Gt)[:, 0].cpu().numpy()

    def snapshot(self, state) -> np.ndarray:
        raise NotImplementedError("train_seeds records G(t) through track=True")

    def step(self, r, state, eta: float) -> None:
        Z, P = state
        # grad_k = m^{-1/2} a_k sum_i r_i phi'(w_k . x_i) x_i: one (m, n) x (n, d)
        # product per seed instead of three elementwise passes over the (n, m) array
        rX = r[:, :, None] * self.Xt[None]  # (S, n, d)
        grad = self.dphi(Z, P).transpose(1, 2) @ rX  # (S, m, d)
        self.W -= (eta * self.scale) * (self.at[:, :, None] * grad)


def _check_seeds(X, Y, seeds, record_steps, steps):
    """Clean data, seeds, labels (S, n) and the recorded steps."""
    X = as_data(X)
    n = X.shape[0]
    seeds = np.asarray([int(s) for s in seeds])
    S = seeds.size
    if S == 0:
        raise ValueError("seeds must name at least one seed")
    what = f"labels of shape ({S}, {n}) (one row per seed) or ({n},)"
    Y = check_array(Y, "Y", ndim=(1, 2), what=what)
    if Y.shape == (n,):
        Y = np.broadcast_to(Y, (S, n)).copy()
    if Y.shape != (S, n):
        raise ValueError(f"Y must be {what}; got shape {Y.shape}")
    if record_steps is None:
        record_steps = np.linspace(0, steps, 21).round().astype(int)
    rec = np.array(sorted({int(t) for t in record_steps} | {0, steps}))
    if rec[0] < 0 or rec[-1] > steps:
        raise ValueError(f"record_steps must lie in 0..{steps}")
    return X, Y, seeds, rec


def train_seeds(
    X,
    Y,
    act,
    m: int,
    *,
    seeds: Sequence[int],
    steps: int,
    eta: float,
    record_steps: Sequence[int] | None = None,
    track: bool = True,
    device: str = "cpu",
    progress: bool | None = None,
) -> SeedRuns:
    r"""Full-batch gradient descent on the first layer, for several seeds at once.

    Parameters
    ----------
    X : array of shape (n, d)
        Unit rows, shared by all seeds.
    Y : array of shape (S, n) or (n,)
        Labels, one row per seed (or one row for every seed).
    act : activation
        Name, callable or :class:`Activation`; its torch forms drive the steps.
    m : int
        Width.
    seeds : sequence of int
        S seeds; seed ``s`` draws ``W = sample_weights(m, d, s)`` and the signs
        ``a = default_rng(s + 1).choice([-1, 1], m)`` as :func:`train_two_layer`.
    steps : int
        Number of gradient steps.
    eta : float
        Common step size (below :math:`2/\lambda_{\max}(G^0)` of every seed).
    record_steps : sequence of int, optional
        Steps at which residuals and diagnostics are kept (default 21 equally spaced
        steps from 0 to ``steps``); 0 and ``steps`` are always included.
    track : bool
        Compute flips, :math:`G(t)`, its drift and smallest eigenvalue at the recorded
        steps (costs :math:`O(S n^2 m)` per recorded step; ``False`` leaves them NaN).
    device : str
        Torch device.
    progress : bool, optional
        Tqdm bar; ``None`` = only in an interactive terminal outside CI.

    Notes
    -----
    One seed is the run ``train_two_layer(..., seed=seed)`` up to the summation order of
    the batched products (about :math:`10^{-13}` relative). Raises ``ValueError`` for an
    unstable ``eta`` and ``FloatingPointError`` if a loss becomes non-finite or grows a
    thousandfold.
    """
    import torch

    act = as_activation(act)
    require_derivative(act, "training", TRAINING_ADVICE)
    m = positive_int(m, "width m")
    steps = positive_int(steps, "steps", minimum=0)
    X, Y, seeds, rec = _check_seeds(X, Y, seeds, record_steps, steps)
    eta = real_scalar(eta, "step size eta", positive=True)
    n, d = X.shape
    draws = [first_draw(m, d, int(s)) for s in seeds]
    W0 = np.stack([w for w, _ in draws])  # (S, m, d)
    a0 = np.stack([a for _, a in draws])
    lam = np.empty((seeds.size, n))
    V = np.empty((seeds.size, n, n))
    for j in range(seeds.size):
        lam[j], V[j] = np.linalg.eigh(gram_init(X, W0[j], act))
    lam_max = float(lam[:, -1].max())
    eta = _loop.check_eta(eta, lam_max, "G0")
    dev = torch.device(device)
    net = SeedsNet(X, Y, W0, a0, act, R=rec.size, track=track, dev=dev)
    losses, res, _ = _loop.run(
        net,
        steps=steps,
        record=rec,
        eta=eta,
        lam_max=lam_max,
        what="G0",
        progress=progress,
    )
    res = np.ascontiguousarray(np.moveaxis(res, 0, 1))  # (S, R, n)
    proj = np.einsum("srn,snk->srk", res, V)
    pred = (1.0 - eta * lam)[:, None, :] ** rec[None, :, None] * proj[:, :1, :]
    return SeedRuns(
        act=act.name, seeds=seeds, m=m, eta=float(eta), loss=losses, record_steps=rec,
        residuals=res, eigvals=lam, eigvecs=V, projections=proj, predicted=pred,
        predicted_loss=0.5 * np.sum(pred**2, axis=2), flip_fraction=net.flips,
        flipped_neurons=net.fneur, gram_drift=net.drift, lambda_min_t=net.lmin_t,
        weight_change=net.wchange, info={"n": n, "d": d, "device": str(dev)})
