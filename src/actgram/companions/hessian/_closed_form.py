r"""Closed-form population loss, gradient and Hessian of the student-teacher ReLU net.

:math:`L(W) = \tfrac12\big(\sum_{ij} f(w_i, w_j) - 2\sum_{ij} f(w_i, v_j)
+ \sum_{ij} f(v_i, v_j)\big)` with the arc-cosine kernel
:math:`f(w, u) = |w||u|\,J_1(\theta)/(2\pi)` (:func:`actgram.activations.arccos_J`); the
angles come from :func:`actgram._guards.direction_angles` (full relative accuracy near
0 and :math:`\pi`).
"""

from __future__ import annotations

import math

import numpy as np

from ..._guards import direction_angles
from ..._validate import check_array, positive_int, real_scalar
from ...activations import arccos_J

_TWO_PI = 2.0 * math.pi


def teacher(k: int, d: int | None = None) -> np.ndarray:
    r"""The target :math:`V = [I_k \mid 0]`, shape ``(k, d)`` (``V = I_k`` when ``d =
    k``).

    Needs ``d >= k``.
    """
    k = positive_int(k, "k")
    d = k if d is None else positive_int(d, "d")
    if d < k:
        raise ValueError(f"the teacher [I_k | 0] needs d >= k; got k = {k}, d = {d}. "
                         "Use d >= k.")
    return np.eye(k, d)


def _weights(W, name: str = "W", *, allow_zero_rows: bool = False) -> np.ndarray:
    """``W`` as a finite, non-empty (k, d) float64 matrix; zero rows refused unless
    allowed."""
    A = check_array(W, name, ndim=2, min_size=1,
                    what="a 2-D array of shape (k, d), one neuron's weights per row")
    if not allow_zero_rows:
        norms = np.linalg.norm(A, axis=1)
        if np.any(norms == 0):
            i = int(np.argmin(norms))
            raise ValueError(
                f"row {i} of {name} is zero: the loss is not differentiable where a "
                "neuron vanishes (relu(0 . x) has no direction); perturb that row or "
                "remove the neuron"
            )
    return np.ascontiguousarray(A)


def _pair(W, V, *, allow_zero_rows: bool = False):
    """Checked student ``W`` and target ``V`` (default :func:`teacher`), same
    columns."""
    W = _weights(W, allow_zero_rows=allow_zero_rows)
    V = teacher(W.shape[0], W.shape[1]) if V is None else _weights(V, "V")
    if V.shape[1] != W.shape[1]:
        raise ValueError(
            "W and V must have the same input dimension (columns); "
            f"got W {W.shape} and V {V.shape}"
        )
    return W, V


def _geometry(W: np.ndarray, U: np.ndarray):
    """Norms, unit vectors and angles of all pairs (w_i, u_j); leading batch axes
    allowed."""
    nw = np.linalg.norm(W, axis=-1)
    nu = np.linalg.norm(U, axis=-1)
    wb = W / nw[..., None]
    ub = U / nu[..., None]
    theta = direction_angles(wb[..., :, None, :], ub[..., None, :, :])
    return nw, nu, wb, ub, theta


def _kernel(nw, nu, theta):
    return nw[..., :, None] * nu[..., None, :] / _TWO_PI * arccos_J(1, theta)


def arccos_kernel(W, U) -> np.ndarray:
    r"""Matrix of :math:`\mathbb{E}[\mathrm{relu}(w_i\cdot x)\,\mathrm{relu}(u_j\cdot
    x)]`.

    :math:`x\sim N(0,I_d)`, :math:`f(w,u) = \frac{|w||u|}{2\pi}(\sin\theta +
    (\pi-\theta)\cos\theta)`, shape ``(k, m)`` for ``W`` of shape ``(k, d)`` and ``U``
    of shape ``(m, d)``. Zero rows give 0. Accuracy: a few ulps of :math:`|w||u|` (the
    angle is computed with full relative accuracy, see the module notes).
    """
    W = _weights(W, allow_zero_rows=True)
    U = _weights(U, "U", allow_zero_rows=True)
    if U.shape[1] != W.shape[1]:
        raise ValueError(f"W and U must have the same number of columns; got {W.shape} "
                         f"and {U.shape}")
    nw, nu = np.linalg.norm(W, axis=1), np.linalg.norm(U, axis=1)
    safe_w = np.where(nw[:, None] > 0, W, 1.0)
    safe_u = np.where(nu[:, None] > 0, U, 1.0)
    _, _, _, _, theta = _geometry(safe_w, safe_u)
    return _kernel(nw, nu, theta)


def _loss_grad(W: np.ndarray, V: np.ndarray, want_grad: bool = True):
    """Loss and gradient, batched over leading axes of W (V shared). No validation."""
    Vb = np.broadcast_to(V, W.shape[:-2] + V.shape)
    nw, _, wb, _, tww = _geometry(W, W)
    _, nv, _, _, twv = _geometry(W, Vb)
    _, _, _, _, tvv = _geometry(V, V)
    fww = _kernel(nw, nw, tww)
    fwv = _kernel(nw, nv, twv)
    fvv = _kernel(np.linalg.norm(V, axis=1), np.linalg.norm(V, axis=1), tvv)
    loss = 0.5 * (fww.sum(axis=(-1, -2)) - 2.0 * fwv.sum(axis=(-1, -2)) + fvv.sum())
    if not want_grad:
        return loss, None
    # grad_i = sum_j g(w_i, w_j) - sum_j g(w_i, v_j),
    # g(w, u) = (|u| sin t w_bar + (pi - t) u) / 2pi
    s = ((np.sin(tww) * nw[..., None, :]).sum(-1)
         - (np.sin(twv) * nv[..., None, :]).sum(-1))
    grad = (wb * s[..., None] + (math.pi - tww) @ W - (math.pi - twv) @ Vb) / _TWO_PI
    return loss, grad


def population_loss(W, V=None) -> float:
    r"""Closed-form population loss :math:`L(W)` (module docstring) for target ``V``.

    ``W``: (k, d); ``V``: (k', d), default :func:`teacher`, :math:`[I_k \mid 0]`. Rows
    of ``W`` may be zero. The result is a sum of :math:`(k + k')^2` kernel values, so
    its absolute accuracy is about :math:`10^{-16}(k + k')^2 \max|w|^2`; at ``W = V`` it
    is exactly 0.
    """
    W, V = _pair(W, V, allow_zero_rows=True)
    k = arccos_kernel
    return float(0.5 * (k(W, W).sum() - 2.0 * k(W, V).sum() + k(V, V).sum()))


def population_gradient(W, V=None) -> np.ndarray:
    r"""Closed-form gradient of :math:`L`, shape (k, d).

    :math:`\nabla_{w_i} L = \sum_j g(w_i, w_j) - \sum_j g(w_i, v_j)`, with
    :math:`g(w, u) = \nabla_w f(w, u)
    = \frac{1}{2\pi}\big(|u|\sin\theta\,\bar w + (\pi - \theta)\,u\big)`
    (:math:`g(w, w) = w/2`). Accuracy: a few ulps times :math:`(k + k')\max|w|`. Rows of
    ``W`` must be non-zero (the loss is not differentiable where a neuron vanishes).
    """
    W, V = _pair(W, V)
    return _loss_grad(W, V)[1]


def _a_sum(nw, wb, t, nu, ub, sign):
    """sum_j A(w_i, u_j), A = |u|/(2 pi |w|) [sin t (I - wb wb^T)
    + (ub - c wb)(ub - c wb)^T / sin t] (diagonal blocks of the Hessian)."""
    eye = np.eye(wb.shape[1])
    st, ct = np.sin(t), np.cos(t)
    r = nu[None, :] / nw[:, None] / _TWO_PI  # (k, m)
    proj = eye[None] - wb[:, :, None] * wb[:, None, :]  # (k, d, d)
    first = (r * st).sum(1)[:, None, None] * proj
    u = ub[None, :, :] - ct[:, :, None] * wb[:, None, :]  # (k, m, d)
    coef = np.divide(r, st, out=np.zeros_like(st), where=st > 0)  # limit 0 at sin t = 0
    second = np.einsum("ij,ija,ijb->iab", coef, u, u)
    return sign * (first + second)


def _hessian(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    k, d = W.shape
    eye = np.eye(d)
    nw, _, wb, _, tww = _geometry(W, W)
    _, nv, _, vb, twv = _geometry(W, V)
    diag = (0.5 * eye[None] + _a_sum(nw, wb, tww, nw, wb, 1.0)
            + _a_sum(nw, wb, twv, nv, vb, -1.0))
    # off-diagonal blocks
    # B(w_i, w_l) = 1/2pi [(pi - t) I + sin t wi wl^T + (wl - c wi)(wi - c wl)^T / sin
    # t]
    st, ct = np.sin(tww), np.cos(tww)
    p = wb[None, :, :] - ct[:, :, None] * wb[:, None, :]  # (i, l, d): wl - c wi
    q = wb[:, None, :] - ct[:, :, None] * wb[None, :, :]  # (i, l, d): wi - c wl
    inv = np.divide(1.0, st, out=np.zeros_like(st), where=st > 0)
    H4 = ((math.pi - tww)[:, :, None, None] * eye
          + st[:, :, None, None] * wb[:, None, :, None] * wb[None, :, None, :]
          + inv[:, :, None, None] * p[:, :, :, None] * q[:, :, None, :]) / _TWO_PI
    idx = np.arange(k)
    H4[idx, idx] = diag
    H = H4.transpose(0, 2, 1, 3).reshape(k * d, k * d)
    return 0.5 * (H + H.T)


def population_hessian(W, V=None) -> np.ndarray:
    r"""Closed-form Hessian of :math:`L`, shape (kd, kd), row-major ordering of ``W``.

    Diagonal blocks :math:`H_{ii} = \tfrac12 I + \sum_{j\ne i} A(w_i, w_j)
    - \sum_j A(w_i, v_j)`, off-diagonal blocks :math:`H_{il} = B(w_i, w_l)`, where with
    :math:`c = \cos\theta`, :math:`s = \sin\theta`,

    .. math::

        A(w, u) = \frac{|u|}{2\pi|w|}\Big(s\,(I - \bar w\bar w^\top)
                  + \frac{(\bar u - c\bar w)(\bar u - c\bar w)^\top}{s}\Big),

    .. math::

        B(w, u) = \frac{1}{2\pi}\Big((\pi - \theta) I + s\,\bar w\bar u^\top
                  + \frac{(\bar u - c\bar w)(\bar w - c\bar u)^\top}{s}\Big).

    The :math:`1/s` terms have numerators of order :math:`s^2` and are set to their
    limit 0 at :math:`s = 0` (coinciding or opposite directions, e.g. every ``w_i =
    v_i`` at the global minimum). The loss is :math:`C^2` there (its kernel has a
    :math:`|\theta|^3` term), so the Hessian is continuous. Accuracy: a few ulps times
    :math:`(k + k')`, relative to :math:`\|H\|`; the tests compare it with central
    differences of :func:`population_gradient`. The result is symmetrised (the two
    halves agree to round-off).
    """
    W, V = _pair(W, V)
    return _hessian(W, V)


def finite_difference_hessian(W, V=None, *, step: float = 1e-5) -> np.ndarray:
    r"""Central differences of the closed-form gradient: a check of
    :func:`population_hessian`.

    Column ``p`` is :math:`(\nabla L(W + h e_p) - \nabla L(W - h e_p)) / 2h`,
    symmetrised. Error: :math:`O(h^2)` truncation (third derivatives of :math:`L` are
    bounded away from coinciding directions) plus :math:`O(\epsilon/h)` round-off; with
    ``h = 1e-5`` about 1e-9 at unit-scale weights. Not valid across a point where two
    directions coincide (the third derivative jumps there).
    """
    W, V = _pair(W, V)
    step = real_scalar(step, "step", positive=True)
    k, d = W.shape
    H = np.empty((k * d, k * d))
    for p in range(k * d):
        E = np.zeros(k * d)
        E[p] = step
        E = E.reshape(k, d)
        diff = _loss_grad(W + E, V)[1] - _loss_grad(W - E, V)[1]
        H[:, p] = (diff / (2 * step)).ravel()
    return 0.5 * (H + H.T)
