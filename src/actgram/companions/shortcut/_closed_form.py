r"""Closed forms of the one-filter convolutional net: kernel, loss, gradient, angle.

:math:`L(u, a) = \tfrac12 (a - a^*)^\top A\,(a - a^*) + (\tfrac12 -
\kappa(\theta))\,a\cdot a^*` with :math:`\kappa(\theta) = J_1(\theta)/(2\pi)`
(:func:`actgram.activations.arccos_J`) and the angle from
:func:`actgram._guards.direction_angles`; :func:`sample_loss` is the independent Monte
Carlo check.
"""

from __future__ import annotations

import math

import numpy as np

from ..._guards import direction_angles
from ..._validate import check_array, positive_int
from ...activations import arccos_J

_BETA = 1.0 / (2.0 * math.pi)  # E[relu(g)]^2 for g ~ N(0, 1)
_ALPHA = 0.5 - _BETA  # E[relu(g)^2] - E[relu(g)]^2
_VECTORS = "a vector (dim,) or a stack of vectors (..., dim)"


def _vec(x, name: str, *, unit: bool = False) -> np.ndarray:
    """``x`` as a finite float64 vector or stack of vectors; ``unit``: rows of norm 1
    (renormalised to the last bit), the teacher filter and the shortcut being
    directions."""
    A = check_array(x, name, what=_VECTORS)
    if A.ndim == 0:
        raise ValueError(f"{name} must be {_VECTORS}; got a scalar")
    if unit:
        norms = np.linalg.norm(A, axis=-1)
        if np.any(norms == 0):
            raise ValueError(f"{name} has a zero vector; a filter needs a direction "
                             "(pass a nonzero vector)")
        if np.max(np.abs(norms - 1.0)) > 1e-8:
            raise ValueError(
                f"{name} must have unit norm (the teacher filter and the shortcut are "
                f"directions); got norms in [{norms.min():.6g}, {norms.max():.6g}]. "
                "Divide by np.linalg.norm first."
            )
        A = A / norms[..., None]
    return A


def _filters(u, v_star):
    """Checked filter ``u`` (nonzero, any length) and unit teacher filter ``v_star``."""
    u = _vec(u, "u")
    v_star = _vec(v_star, "v_star", unit=True)
    if u.shape[-1] != v_star.shape[-1]:
        raise ValueError(
            "u and v_star must have the same patch dimension p (last axis); "
            f"got {u.shape[-1]} and {v_star.shape[-1]}"
        )
    norms = np.linalg.norm(u, axis=-1)
    if np.any(norms == 0):
        raise ValueError("u has a zero vector: weight normalisation v = u/||u|| is "
                         "undefined there")
    return u, v_star


def _layers(a, a_star):
    """Checked second layers ``a`` and ``a_star`` (same number of patches k)."""
    a = _vec(a, "a")
    a_star = _vec(a_star, "a_star")
    if a.shape[-1] != a_star.shape[-1]:
        raise ValueError(
            "a and a_star must have the same number of patches k (last axis); "
            f"got {a.shape[-1]} and {a_star.shape[-1]}"
        )
    return a, a_star


def _single(a_star) -> np.ndarray:
    """``a_star`` as one vector of shape (k,)."""
    a_star = _vec(a_star, "a_star")
    if a_star.ndim != 1:
        raise ValueError("a_star must be a single vector of shape (k,)")
    return a_star


def _angles(theta, name: str) -> np.ndarray:
    """Angles in [0, pi] (finite) as a float64 array."""
    t = check_array(theta, name, what="an angle or array of angles in [0, pi]")
    if np.any(t < 0) or np.any(t > math.pi):
        raise ValueError(f"{name} must lie in [0, pi] (an angle between two filters)")
    return t


def kappa(theta) -> np.ndarray:
    r"""Arc-cosine kernel of degree 1 for unit filters at angle ``theta`` (same patch).

    :math:`\kappa(\theta) = \mathbb E[\mathrm{relu}(v\cdot z)\,\mathrm{relu}(v^*\cdot
    z)] = (\sin\theta + (\pi - \theta)\cos\theta)/(2\pi)`, :math:`z \sim N(0, I_p)`;
    ``theta`` in :math:`[0, \pi]`. Exact closed form, float64 round-off only.
    """
    return arccos_J(1, _angles(theta, "theta")) / (2.0 * math.pi)


def _half_minus_kappa(t: np.ndarray) -> np.ndarray:
    # 1/2 - kappa(theta) = (pi (1 - cos t) - (sin t - t cos t)) / (2 pi), with
    # 1 - cos t = 2 sin^2(t/2): no cancellation of the leading pi t^2 / 2 term near 0.
    return ((2.0 * math.pi * np.sin(0.5 * t) ** 2 - (np.sin(t) - t * np.cos(t)))
            / (2.0 * math.pi))


def moment_matrix(k: int) -> np.ndarray:
    r"""The matrix :math:`A = \tfrac{\pi-1}{2\pi}I_k + \tfrac1{2\pi}\mathbf 1\mathbf
    1^\top` of second moments.

    :math:`A_{ij} = \mathbb E[\mathrm{relu}(v\cdot Z_i)\,\mathrm{relu}(v\cdot Z_j)]` for
    a unit filter :math:`v` and independent :math:`N(0, I_p)` patches. Exact.
    """
    k = positive_int(k, "k")
    return _ALPHA * np.eye(k) + _BETA * np.ones((k, k))


def angle(u, v_star) -> np.ndarray:
    r"""Angle :math:`\theta \in [0, \pi]` between ``u`` (any nonzero length) and unit
    ``v_star``.

    Computed as :math:`2\,\mathrm{atan2}(\|v - v^*\|, \|v + v^*\|)` with :math:`v =
    u/\|u\|` (:func:`actgram._guards.direction_angles`), which keeps full relative
    accuracy near :math:`0` and :math:`\pi`. Shapes broadcast over leading axes.
    """
    u, v_star = _filters(u, v_star)
    return direction_angles(u / np.linalg.norm(u, axis=-1, keepdims=True), v_star)


def _quad(x: np.ndarray) -> np.ndarray:
    # x^T A x along the last axis, A = alpha I + beta 1 1^T
    return _ALPHA * np.sum(x * x, axis=-1) + _BETA * np.sum(x, axis=-1) ** 2


def _loss(u, a, v_star, a_star) -> np.ndarray:
    v = u / np.linalg.norm(u, axis=-1, keepdims=True)
    t = direction_angles(v, v_star)
    return 0.5 * _quad(a - a_star) + _half_minus_kappa(t) * np.sum(a * a_star, axis=-1)


def convnet_loss(u, a, v_star, a_star) -> np.ndarray:
    r"""Closed-form population loss :math:`L = \tfrac12\mathbb E_Z (f(Z; u, a) -
    f^*(Z))^2`.

    :math:`L = \tfrac12 (a - a^*)^\top A (a - a^*) + (\tfrac12 - \kappa(\theta))\,a\cdot
    a^*` (module docstring). ``u``: (..., p) any nonzero length (weight normalisation);
    ``a``: (..., k); ``v_star``: (p,) or (..., p) unit; ``a_star``: (k,) or (..., k).
    Returns shape (...,). Exact up to float64 round-off relative to the size of the two
    terms.
    """
    u, v_star = _filters(u, v_star)
    a, a_star = _layers(a, a_star)
    return _loss(u, a, v_star, a_star)


def loss_gradient(u, a, v_star, a_star) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient :math:`(\nabla_u L, \nabla_a L)` of :func:`convnet_loss` (closed form).

    :math:`\nabla_a L = A(a - a^*) + (\tfrac12 - \kappa(\theta))a^*` and :math:`\nabla_u
    L = -(a\cdot a^*)\,\tfrac{\pi-\theta}{2\pi}\,(v^* - (v\cdot v^*)v)/\|u\|`. Shapes as
    in :func:`convnet_loss`; returns arrays shaped like ``u`` and ``a`` (broadcast).
    """
    u, v_star = _filters(u, v_star)
    a, a_star = _layers(a, a_star)
    return _gradient(u, a, v_star, a_star)


def _gradient(u, a, v_star, a_star):
    nu = np.linalg.norm(u, axis=-1, keepdims=True)
    v = u / nu
    t = direction_angles(v, v_star)
    d = a - a_star
    grad_a = (_ALPHA * d + _BETA * np.sum(d, axis=-1, keepdims=True)
              + _half_minus_kappa(t)[..., None] * a_star)
    rho = np.sum(v * v_star, axis=-1, keepdims=True)
    coef = (-np.sum(a * a_star, axis=-1, keepdims=True) * (math.pi - t[..., None])
            / (2.0 * math.pi))
    grad_u = coef * (v_star - rho * v) / nu
    return grad_u, grad_a


def sample_loss(u, a, v_star, a_star, n_samples: int,
                rng: np.random.Generator) -> tuple[float, float]:
    r"""Monte Carlo estimate of the population loss and its standard error.

    An independent check of :func:`convnet_loss`: draws ``n_samples`` inputs of
    :math:`k` Gaussian patches, evaluates both nets and returns ``(mean,
    standard_error)`` of :math:`\tfrac12(f - f^*)^2`. Single (unstacked) parameters
    only: ``u``, ``v_star`` of shape (p,), ``a``, ``a_star`` of shape (k,). Error
    :math:`O(n^{-1/2})`.
    """
    u, v_star = _filters(u, v_star)
    a, a_star = _layers(a, a_star)
    if u.ndim != 1 or a.ndim != 1 or v_star.ndim != 1 or a_star.ndim != 1:
        raise ValueError("sample_loss takes single parameters: u, v_star of shape "
                         "(p,), a, a_star of shape (k,)")
    n = positive_int(n_samples, "n_samples", minimum=2)
    _check_rng(rng)
    v = u / np.linalg.norm(u)
    k, p = a.size, v.size
    vals = np.empty(n)
    chunk = 20000
    for start in range(0, n, chunk):
        Z = rng.standard_normal((min(chunk, n - start), k, p))
        f = np.maximum(Z @ v, 0.0) @ a
        g = np.maximum(Z @ v_star, 0.0) @ a_star
        vals[start:start + Z.shape[0]] = 0.5 * (f - g) ** 2
    return float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(n))


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator, e.g. np.random.default_rng(0)")
