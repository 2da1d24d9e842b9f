r"""Training dynamics over several seeds: linearised predictions, intervals, activation flips.

The two-layer net of :mod:`actgram.training`, :math:`f(x) = m^{-1/2}\sum_k a_k\phi(w_k\cdot x)`
(first layer trained by full-batch gradient descent on :math:`\tfrac12\|u - y\|^2`), trained for
several seeds at once, with what a chapter needs to judge the infinite-width picture:

* the linearised prediction. Near initialisation the residual :math:`r_t = u_t - y` obeys
  :math:`r_{t+1} \approx (I - \eta G^0) r_t`, so its projection on the eigenvector :math:`v_i` of
  :math:`G^0` is :math:`p_i(t) \approx (1 - \eta\lambda_i)^t p_i(0)` and the loss is

  .. math::  L(t) \approx \tfrac12\sum_i (1 - \eta\lambda_i)^{2t}\, p_i(0)^2 ;

* how far the run left that regime: the fraction of activation patterns
  :math:`\mathrm{sign}(w_k\cdot x_i)` that flipped since initialisation (for ReLU a flip changes
  :math:`\phi'(w_k\cdot x_i)` from 0 to 1: the neuron's hyperplane crossed the point :math:`x_i`),
  the drift :math:`\|G(t) - G^0\|_2` of the Gram matrix at the current weights, its smallest
  eigenvalue :math:`\lambda_{\min}(G(t))`, and the relative weight change;
* Student-t intervals over seeds.

The weights are drawn exactly as :func:`actgram.training.train_two_layer` draws them
(``sample_weights(m, d, seed)`` and signs from ``default_rng(seed + 1)``), so one seed of
:func:`train_seeds` is the run ``train_two_layer(..., seed=seed)`` (same losses up to
round-off of the summation order, about :math:`10^{-13}` relative).

Accuracy: steps in float64 torch; eigenpairs of :math:`G^0` and :math:`G(t)` from dense float64
``eigh``, resolved only down to about :math:`\varepsilon\|G\|_2` (use
:func:`actgram.lambda_min` for the small end); predictions with eigenvalues below that floor
are the prediction "this direction does not move", which is what such a direction does over
any horizon :math:`t \ll 1/(\eta\varepsilon\|G\|_2)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ._validate import as_data, positive_int, real_scalar
from .activations import SELU_ALPHA, SELU_SCALE, Activation, activation
from .finite import gram_init, sample_weights
from .training import _torch_pair

__all__ = [
    "SeedRuns",
    "interval",
    "linearised_projections",
    "predicted_loss",
    "random_labels",
    "train_linear_model",
    "train_seeds",
]


def random_labels(n: int, seed: int) -> np.ndarray:
    r"""Labels :math:`y_i = \pm1` with equal probability, shape (n,), from ``default_rng([seed, n, 15])``.

    A stream of its own (not the weights' ``seed`` / ``seed + 1``), so that labels and weights of
    one seed are independent.
    """
    n = positive_int(n, "n")
    return np.random.default_rng([int(seed), n, 15]).choice([-1.0, 1.0], size=n)


def interval(samples, *, level: float = 0.95, log: bool = False, axis: int = 0
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Mean and two-sided Student-t interval over ``axis`` (the seeds).

    ``(mean, lower, upper)`` with half-width :math:`t_{(1+\mathrm{level})/2,\,S-1}\, s/\sqrt S`
    (``s`` the sample standard deviation of the ``S`` samples). With ``log=True`` the interval is
    computed for :math:`\log x` and mapped back (a geometric mean and a multiplicative interval,
    for positive quantities spanning decades, such as loss ratios). Exact coverage for normal
    (log-normal) samples; with ``S = 5`` seeds the half-width is :math:`2.78\,s/\sqrt5`.
    """
    x = np.asarray(samples, dtype=np.float64)
    S = x.shape[axis]
    if S < 2:
        raise ValueError(f"an interval needs at least 2 samples along axis {axis}; got {S}")
    level = real_scalar(level, "level")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1); got {level}")
    if log:
        if np.any(x <= 0):
            raise ValueError("log=True needs positive samples")
        x = np.log(x)
    mean = x.mean(axis=axis)
    half = stats.t.ppf(0.5 + level / 2, S - 1) * x.std(axis=axis, ddof=1) / math.sqrt(S)
    lo, hi = mean - half, mean + half
    if log:
        return np.exp(mean), np.exp(lo), np.exp(hi)
    return mean, lo, hi


def linearised_projections(eigvals, p0, eta: float, steps) -> np.ndarray:
    r"""The linearised projections :math:`(1 - \eta\lambda_i)^t\, p_i(0)`, shape (len(steps), n).

    ``eigvals`` (n,) and ``p0`` (n,) = :math:`V^\top r_0` in the same order. Exact for the linear
    model :math:`r_{t+1} = (I - \eta G) r_t` (see :func:`train_linear_model`).
    """
    lam = np.asarray(eigvals, dtype=np.float64)
    p0 = np.asarray(p0, dtype=np.float64)
    t = np.asarray(steps, dtype=np.float64)
    return (1.0 - eta * lam)[None, :] ** t[:, None] * p0[None, :]


def predicted_loss(eigvals, p0, eta: float, steps) -> np.ndarray:
    r""":math:`\tfrac12\sum_i (1 - \eta\lambda_i)^{2t} p_i(0)^2` at every ``t`` in ``steps``, shape (len(steps),)."""
    return 0.5 * np.sum(linearised_projections(eigvals, p0, eta, steps) ** 2, axis=1)


def train_linear_model(G, r0, eta: float, steps: int) -> np.ndarray:
    r"""Gradient descent on the linear model: :math:`r_{t+1} = r_t - \eta G r_t`, rows ``t = 0..steps``.

    The model the linearised prediction is exact for (shape (steps + 1, n)); a reference for tests.
    """
    G = np.asarray(G, dtype=np.float64)
    r = np.asarray(r0, dtype=np.float64).copy()
    out = np.empty((positive_int(steps, "steps", minimum=0) + 1, r.size))
    out[0] = r
    for t in range(1, steps + 1):
        r = r - eta * (G @ r)
        out[t] = r
    return out


def _torch_fns(act: Activation):
    """(phi, phi') on torch tensors: native for ELU / SELU too (the package's fallback is numpy)."""
    import torch

    name = act.name
    if act.builtin and name.startswith("elu("):
        al = float(act.params["alpha"])
        # for z <= 0, phi'(z) = alpha e^z = phi(z) + alpha: reuse p = phi(z) when given
        return (lambda z: torch.where(z > 0, z, al * torch.expm1(torch.clamp(z, max=0.0))),
                lambda z, p=None: torch.where(z > 0, torch.ones_like(z),
                                              al * torch.exp(torch.clamp(z, max=0.0)) if p is None
                                              else p + al))
    if act.builtin and name == "selu":
        lam, al = SELU_SCALE, SELU_ALPHA
        return (lambda z: lam * torch.where(z > 0, z, al * torch.expm1(torch.clamp(z, max=0.0))),
                lambda z, p=None: (lam * torch.where(z > 0, torch.ones_like(z),
                                                     al * torch.exp(torch.clamp(z, max=0.0)))
                                   if p is None else torch.where(z > 0, lam, p + lam * al)))
    return _torch_pair(act)


@dataclass
class SeedRuns:
    r"""What :func:`train_seeds` records for ``S`` seeds (first axis) of one activation.

    ``loss`` (S, steps + 1); at the ``R`` steps ``record_steps``: ``residuals`` (S, R, n),
    ``projections`` (S, R, n) = :math:`V^\top r_t` on the eigenvectors of :math:`G^0`
    (``eigvals`` (S, n) ascending, ``eigvecs`` (S, n, n)), ``predicted`` (S, R, n) = the linearised
    :math:`(1 - \eta\lambda_i)^t p_i(0)`, ``predicted_loss`` (S, R), ``flip_fraction`` (S, R) =
    fraction of pairs :math:`(i, k)` with :math:`\mathrm{sign}(w_k(t)\cdot x_i) \ne
    \mathrm{sign}(w_k(0)\cdot x_i)`, ``flipped_neurons`` (S, R) = fraction of neurons with at least
    one such pair, ``gram_drift`` (S, R) = :math:`\|G(t) - G^0\|_2`, ``lambda_min_t`` (S, R) =
    :math:`\lambda_{\min}(G(t))` (dense float64: meaningful above :math:`\varepsilon\|G\|_2`),
    ``weight_change`` (S, R) = :math:`\|W_t - W_0\|_F / \|W_0\|_F`.
    """

    act: str
    seeds: np.ndarray
    m: int
    eta: float
    loss: np.ndarray
    record_steps: np.ndarray
    residuals: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray
    projections: np.ndarray
    predicted: np.ndarray
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


def train_seeds(X, Y, act, m: int, *, seeds: Sequence[int], steps: int, eta: float,
                record_steps: Sequence[int] | None = None, track: bool = True,
                device: str = "cpu") -> SeedRuns:
    r"""Full-batch gradient descent on the first layer, for several seeds at once (batched).

    Parameters
    ----------
    X : (n, d) unit rows, shared by all seeds.
    Y : (S, n) labels, one row per seed (or (n,): the same labels for every seed).
    act : activation (name, callable or :class:`Activation`).
    m : width.
    seeds : S seeds; seed ``s`` draws ``W = sample_weights(m, d, s)`` and the signs
        ``a = default_rng(s + 1).choice([-1, 1], m)`` as :func:`actgram.training.train_two_layer`.
    steps : number of gradient steps.
    eta : common step size (must be below :math:`2/\lambda_{\max}(G^0)` of every seed).
    record_steps : steps at which residuals and diagnostics are kept (default 21 equally spaced
        steps from 0 to ``steps``); 0 and ``steps`` are always included.
    track : compute flips, :math:`G(t)`, its drift and smallest eigenvalue at the recorded steps
        (costs :math:`O(S n^2 m)` per recorded step; ``False`` leaves them NaN).
    device : torch device.

    Raises ``ValueError`` for an unstable ``eta`` and ``FloatingPointError`` if a loss becomes
    non-finite or grows a thousandfold.
    """
    import torch

    act = act if isinstance(act, Activation) else activation(act)
    X = as_data(X)
    n, d = X.shape
    seeds = np.asarray([int(s) for s in seeds])
    S = seeds.size
    if S == 0:
        raise ValueError("seeds must name at least one seed")
    Y = np.asarray(Y, dtype=np.float64)
    if Y.shape == (n,):
        Y = np.broadcast_to(Y, (S, n)).copy()
    if Y.shape != (S, n):
        raise ValueError(f"Y must have shape ({S}, {n}) (one label row per seed) or ({n},); got {Y.shape}")
    m = positive_int(m, "width m")
    steps = positive_int(steps, "steps", minimum=0)
    eta = real_scalar(eta, "step size eta", positive=True)
    if record_steps is None:
        record_steps = np.linspace(0, steps, 21).round().astype(int)
    rec = np.array(sorted({int(t) for t in record_steps} | {0, steps}))
    if rec[0] < 0 or rec[-1] > steps:
        raise ValueError(f"record_steps must lie in 0..{steps}")
    rec_set = {int(t): j for j, t in enumerate(rec)}

    W0 = np.stack([sample_weights(m, d, int(s)) for s in seeds])  # (S, m, d)
    a0 = np.stack([np.random.default_rng(int(s) + 1).choice([-1.0, 1.0], size=m) for s in seeds])
    lam = np.empty((S, n))
    V = np.empty((S, n, n))
    for j in range(S):
        lam[j], V[j] = np.linalg.eigh(gram_init(X, W0[j], act))
    if eta >= 2.0 / lam[:, -1].max():
        raise ValueError(f"step size eta = {eta:.3g} is unstable: 2 / max lambda_max(G0) = "
                         f"{2.0 / lam[:, -1].max():.3g}")

    dev = torch.device(device)
    tdt = torch.float64
    phi, dphi = _torch_fns(act)
    Xt = torch.as_tensor(X, dtype=tdt, device=dev)
    XX = Xt @ Xt.T
    Yt = torch.as_tensor(Y, dtype=tdt, device=dev)
    at = torch.as_tensor(a0, dtype=tdt, device=dev)
    W = torch.as_tensor(W0, dtype=tdt, device=dev).clone()
    W0t = W.clone()
    scale = 1.0 / math.sqrt(m)
    R = rec.size
    losses = np.empty((S, steps + 1))
    res = np.empty((S, R, n))
    flips = np.full((S, R), np.nan)
    fneur = np.full((S, R), np.nan)
    drift = np.full((S, R), np.nan)
    lmin_t = np.full((S, R), np.nan)
    wchange = np.empty((S, R))
    norm0 = torch.linalg.vector_norm(W0t.reshape(S, -1), dim=1)
    G0t = None
    sign0 = None
    threads = torch.get_num_threads()
    if dev.type == "cpu" and S * n * m < 4_000_000:
        torch.set_num_threads(1)
    try:
        with torch.no_grad():
            for t in range(steps + 1):
                Z = Xt @ W.transpose(1, 2)  # (S, n, m)
                P = phi(Z)
                u = scale * (P @ at[:, :, None])[:, :, 0]
                r = u - Yt
                lo = 0.5 * (r * r).sum(dim=1)
                losses[:, t] = lo.cpu().numpy()
                if not np.all(np.isfinite(losses[:, t])) or np.any(losses[:, t] > 1e3 * losses[:, 0]):
                    raise FloatingPointError(f"gradient descent diverged at step {t} with eta = {eta:.3g}")
                j = rec_set.get(t)
                if j is not None:
                    res[:, j] = r.cpu().numpy()
                    wchange[:, j] = (torch.linalg.vector_norm((W - W0t).reshape(S, -1), dim=1)
                                     / norm0).cpu().numpy()
                    if track:
                        sgn = Z > 0
                        if sign0 is None:
                            sign0 = sgn
                        fl = sgn != sign0
                        flips[:, j] = fl.to(tdt).mean(dim=(1, 2)).cpu().numpy()
                        fneur[:, j] = fl.any(dim=1).to(tdt).mean(dim=1).cpu().numpy()
                        A = dphi(Z) * at[:, None, :]
                        Gt = XX[None] * (A @ A.transpose(1, 2)) / m
                        Gt = 0.5 * (Gt + Gt.transpose(1, 2))
                        if G0t is None:
                            G0t = Gt
                        drift[:, j] = torch.linalg.matrix_norm(Gt - G0t, ord=2).cpu().numpy()
                        lmin_t[:, j] = torch.linalg.eigvalsh(Gt)[:, 0].cpu().numpy()
                if t == steps:
                    break
                # grad_k = m^{-1/2} a_k sum_i r_i phi'(w_k . x_i) x_i: one (m, n) x (n, d) product
                # per seed instead of three elementwise passes over the (n, m) array
                rX = r[:, :, None] * Xt[None]  # (S, n, d)
                grad = dphi(Z, P).transpose(1, 2) @ rX  # (S, m, d)
                W -= (eta * scale) * (at[:, :, None] * grad)
    finally:
        torch.set_num_threads(threads)
    proj = np.einsum("srn,snk->srk", res, V)
    pred = (1.0 - eta * lam)[:, None, :] ** rec[None, :, None] * proj[:, :1, :]
    return SeedRuns(act=act.name, seeds=seeds, m=m, eta=float(eta), loss=losses, record_steps=rec,
                    residuals=res, eigvals=lam, eigvecs=V, projections=proj, predicted=pred,
                    predicted_loss=0.5 * np.sum(pred ** 2, axis=2), flip_fraction=flips,
                    flipped_neurons=fneur, gram_drift=drift, lambda_min_t=lmin_t,
                    weight_change=wchange, info={"n": n, "d": d, "device": str(dev)})
