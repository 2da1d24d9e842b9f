r"""Training dynamics: linearised predictions, the linear model, random labels, intervals.

The statistics and reference helpers for the runs of :mod:`actgram.training` (the runs
themselves, one seed or several at once, come from :func:`actgram.training.train_two_layer`,
:func:`~actgram.training.train_deep` and :func:`~actgram.training.train_seeds`):

* the linearised prediction. Near initialisation the residual :math:`r_t = u_t - y` obeys
  :math:`r_{t+1} \approx (I - \eta G^0) r_t`, so its projection on the eigenvector
  :math:`v_i` of :math:`G^0` is :math:`p_i(t) \approx (1 - \eta\lambda_i)^t p_i(0)` and the
  loss is

  .. math::  L(t) \approx \tfrac12\sum_i (1 - \eta\lambda_i)^{2t}\, p_i(0)^2 ;

* gradient descent on the linear model itself (the reference the prediction is exact for);
* random labels with a stream of their own;
* Student-t intervals over seeds.

Accuracy: the predictions are float64 closed forms; with eigenvalues below the dense floor
:math:`\varepsilon\|G\|_2` they are the prediction "this direction does not move", which is
what such a direction does over any horizon :math:`t \ll 1/(\eta\varepsilon\|G\|_2)`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ._validate import positive_int, real_scalar

__all__ = [
    "interval",
    "linearised_projections",
    "predicted_loss",
    "random_labels",
    "train_linear_model",
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
