r"""Initialisations of the plain and the shortcut net, and full-batch gradient descent
on the closed-form population loss, vectorised over trials (:class:`ShortcutRun`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..._guards import direction_angles
from ..._validate import positive_int, real_scalar
from ._closed_form import (
    _angles,
    _check_rng,
    _filters,
    _gradient,
    _layers,
    _single,
    _vec,
    convnet_loss,
)


def _ball(n: int, k: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    g = rng.standard_normal((n, k))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return radius * rng.random((n, 1)) ** (1.0 / k) * g


def plain_init(n_trials: int, p: int, k: int, radius: float, rng: np.random.Generator):
    r"""Random initialisation of the plain net: ``u`` uniform on the unit sphere of
    :math:`\mathbb R^p`, ``a`` uniform in the ball of the given radius in
    :math:`\mathbb R^k`. Returns ``(u, a)`` of shapes (n_trials, p), (n_trials, k)."""
    n = positive_int(n_trials, "n_trials")
    p = positive_int(p, "p", minimum=2)
    k = positive_int(k, "k")
    r = real_scalar(radius, "radius", positive=True)
    _check_rng(rng)
    u = rng.standard_normal((n, p))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return u, _ball(n, k, r, rng)


def _min_dim(A: np.ndarray, name: str) -> np.ndarray:
    if A.shape[-1] < 2:
        raise ValueError(f"{name} must have at least 2 entries along its last axis; "
                         f"got shape {A.shape}")
    return A


def shortcut_init(n_trials: int, s, k: int, radius: float, rng: np.random.Generator):
    r"""Initialisation of the shortcut net: ``w = 0``, so the effective filter is
    ``u = s + w = s``; ``a`` uniform in the ball of the given radius. ``s``: (p,) or
    (n_trials, p) unit shortcut direction(s). Returns ``(u, a)`` of shapes (n_trials,
    p), (n_trials, k)."""
    n = positive_int(n_trials, "n_trials")
    s = _min_dim(_vec(s, "s", unit=True), "s")
    if s.ndim > 2 or (s.ndim == 2 and s.shape[0] != n):
        raise ValueError(f"s must have shape (p,) or (n_trials, p) = ({n}, p); "
                         f"got {s.shape}")
    k = positive_int(k, "k")
    r = real_scalar(radius, "radius", positive=True)
    _check_rng(rng)
    u = np.broadcast_to(s, (n, s.shape[-1])).copy()  # s + w with w = 0
    return u, _ball(n, k, r, rng)


def direction_at_angle(v_star, phi) -> np.ndarray:
    r"""Unit vectors at angle ``phi`` (scalar or (m,)) from unit ``v_star`` (p,), p >=
    2.

    Rotates :math:`v^*` by :math:`\varphi` in the plane of :math:`v^*` and a fixed
    orthogonal direction (the first coordinate axis made orthogonal to :math:`v^*`).
    Returns (m, p).
    """
    v_star = _min_dim(_vec(v_star, "v_star", unit=True), "v_star")
    if v_star.ndim != 1:
        raise ValueError("v_star must be a single vector of shape (p,)")
    phi = np.atleast_1d(_angles(phi, "phi"))
    if phi.ndim != 1:
        raise ValueError(f"phi must be an angle or a 1-D array of angles; got shape "
                         f"{phi.shape}")
    e = np.zeros_like(v_star)
    e[int(np.argmin(np.abs(v_star)))] = 1.0
    e -= (e @ v_star) * v_star
    e /= np.linalg.norm(e)
    return np.cos(phi)[:, None] * v_star + np.sin(phi)[:, None] * e


@dataclass
class ShortcutRun:
    """Outcome of :func:`train` for a batch of trials.

    ``u``, ``a``: final parameters (n, p), (n, k); ``steps``: the recorded step numbers
    (m,); ``angles``: angle to the teacher filter at those steps (m, n); ``losses``:
    population loss at those steps (m, n).
    """

    u: np.ndarray
    a: np.ndarray
    steps: np.ndarray
    angles: np.ndarray
    losses: np.ndarray


def _check_eta(eta, k: int) -> float:
    eta = real_scalar(eta, "eta", positive=True)
    if eta >= 4.0 * math.pi / (k + math.pi - 1.0):
        raise ValueError(
            f"eta = {eta:g} is too large: gradient descent on the second layer "
            f"diverges for eta >= 2 / lambda_max(A) = "
            f"{4 * math.pi / (k + math.pi - 1):.4g}; use a smaller step"
        )
    return eta


def train(u0, a0, v_star, a_star, *, eta: float = 0.5, steps: int = 4000,
          record_every: int = 50) -> ShortcutRun:
    r"""Full-batch gradient descent on the population loss, vectorised over trials.

    :math:`u \leftarrow u - \eta\nabla_u L`, :math:`a \leftarrow a - \eta\nabla_a L`
    (closed-form gradients of :func:`loss_gradient`), both layers with the same step.
    ``u0``: (n, p), ``a0``: (n, k), ``v_star``: (p,) or (n, p) unit, ``a_star``: (k,).
    Deterministic (no sampling): float64 round-off only. For stability :math:`\eta`
    should stay below :math:`2/\lambda_{\max}(A) = 4\pi/(k + \pi - 1)`; larger values
    are refused.
    """
    u, v_star = _filters(u0, v_star)
    a, a_star = _layers(a0, a_star)
    if u.ndim != 2 or a.ndim != 2 or u.shape[0] != a.shape[0]:
        raise ValueError(f"u0 and a0 must be stacks (n, p) and (n, k) with the same n; "
                         f"got {u.shape} and {a.shape}")
    a_star = _single(a_star)
    eta = _check_eta(eta, a.shape[1])
    steps = positive_int(steps, "steps")
    record_every = positive_int(record_every, "record_every")
    u, a = u.copy(), a.copy()
    rec_steps, rec_angles, rec_losses = [], [], []

    def record(i):
        rec_steps.append(i)
        v = u / np.linalg.norm(u, axis=-1, keepdims=True)
        rec_angles.append(direction_angles(v, v_star))
        # the public form (it renormalises v_star once more): the recorded bits stay
        rec_losses.append(convnet_loss(u, a, v_star, a_star))

    record(0)
    for i in range(1, steps + 1):
        gu, ga = _gradient(u, a, v_star, a_star)
        u -= eta * gu
        a -= eta * ga
        if i % record_every == 0 or i == steps:
            record(i)
    return ShortcutRun(u, a, np.array(rec_steps), np.array(rec_angles),
                       np.array(rec_losses))
