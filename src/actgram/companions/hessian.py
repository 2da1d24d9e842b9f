r"""The Hessian at spurious minima of student-teacher ReLU nets (after Arjevani and Field, 2020).

The model: a two-layer ReLU student with ``k`` hidden neurons, second layer fixed to ones, learns
a teacher of the same form from Gaussian inputs :math:`x \sim N(0, I_d)`:

.. math::

    L(W) = \tfrac12\,\mathbb{E}_x\Big[\big(\textstyle\sum_i \mathrm{relu}(w_i\cdot x)
           - \sum_j \mathrm{relu}(v_j\cdot x)\big)^2\Big],
    \qquad W \in \mathbb{R}^{k\times d},

with target :math:`V = I_k` (``k = d``) or :math:`V = [I_k \mid 0]` (``d > k``), see :func:`teacher`.
Everything is in closed form through the arc-cosine kernel of degree 1 (Cho and Saul 2009),

.. math::

    f(w, u) = \mathbb{E}[\mathrm{relu}(w\cdot x)\,\mathrm{relu}(u\cdot x)]
            = \frac{|w|\,|u|}{2\pi}\big(\sin\theta + (\pi - \theta)\cos\theta\big),

:math:`\theta` the angle between :math:`w` and :math:`u`, so that
:math:`L(W) = \tfrac12\big(\sum_{ij} f(w_i, w_j) - 2\sum_{ij} f(w_i, v_j) + \sum_{ij} f(v_i, v_j)\big)`.

Numerical guards live here: the angle is computed as
:math:`\theta = 2\,\mathrm{atan2}(|\bar w - \bar u|, |\bar w + \bar u|)` (full relative accuracy
also for nearly parallel or antiparallel directions, where ``arccos`` of a rounded cosine loses
half the digits), and the terms of the Hessian that are :math:`0/0` at coinciding directions are
replaced by their limit 0. Automatic differentiation through ``arccos`` gives NaN there; we never
differentiate numerically except in the tests.

Vectors ``W`` are flattened row-major: coordinate ``(i, a)`` of ``W`` is entry ``i * d + a`` of
the gradient and row/column ``i * d + a`` of the Hessian.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment, minimize

from .._validate import as_real_array, positive_int, real_scalar

__all__ = [
    "teacher",
    "arccos_kernel",
    "population_loss",
    "population_gradient",
    "population_hessian",
    "finite_difference_hessian",
    "monte_carlo_loss",
    "monte_carlo_gradient",
    "MinimumResult",
    "find_minimum",
    "random_starts",
    "Canonical",
    "canonical_form",
    "symmetric_basis",
    "symmetric_critical_point",
    "FamilyPoint",
    "symmetric_family",
    "global_minimum_multiplicities",
    "cluster_eigenvalues",
]

_TWO_PI = 2.0 * math.pi


def _one_blas_thread():
    """Run BLAS on one thread: the small dense products here gain nothing from threads, and the
    minimiser's path (hence which minimum a start reaches) must not depend on the thread count."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional (comes with scikit-learn); without it results may differ in the last bits
        return contextlib.nullcontext()
    return threadpool_limits(1)


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def teacher(k: int, d: int | None = None) -> np.ndarray:
    r"""The target :math:`V = [I_k \mid 0]`, shape ``(k, d)`` (``V = I_k`` when ``d = k``); needs ``d >= k``."""
    k = positive_int(k, "k")
    d = k if d is None else positive_int(d, "d")
    if d < k:
        raise ValueError(f"the teacher [I_k | 0] needs d >= k; got k = {k}, d = {d}. Use d >= k.")
    return np.eye(k, d)


def _weights(W, name: str = "W", *, allow_zero_rows: bool = False) -> np.ndarray:
    A = as_real_array(W, name, "a real matrix of shape (k, d), one neuron per row")
    if A.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (k, d), one hidden neuron's weight vector per row; got shape {A.shape}"
        )
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {A.shape}); it needs at least one neuron and one input dimension")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or inf; the population loss is defined for finite weights only")
    if not allow_zero_rows:
        norms = np.linalg.norm(A, axis=1)
        if np.any(norms == 0):
            i = int(np.argmin(norms))
            raise ValueError(
                f"row {i} of {name} is zero: the loss is not differentiable where a neuron vanishes "
                "(relu(0 . x) has no direction); perturb that row or remove the neuron"
            )
    return np.ascontiguousarray(A)


def _pair(W, V):
    W = _weights(W)
    V = teacher(W.shape[0], W.shape[1]) if V is None else _weights(V, "V")
    if V.shape[1] != W.shape[1]:
        raise ValueError(
            f"W and V must have the same input dimension (columns); got W {W.shape} and V {V.shape}"
        )
    return W, V


# --------------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------------
def _geometry(W: np.ndarray, U: np.ndarray):
    """Norms, unit vectors and angles of all pairs (w_i, u_j); leading batch axes allowed."""
    nw = np.linalg.norm(W, axis=-1)
    nu = np.linalg.norm(U, axis=-1)
    wb = W / nw[..., None]
    ub = U / nu[..., None]
    diff = np.linalg.norm(wb[..., :, None, :] - ub[..., None, :, :], axis=-1)
    summ = np.linalg.norm(wb[..., :, None, :] + ub[..., None, :, :], axis=-1)
    theta = 2.0 * np.arctan2(diff, summ)
    return nw, nu, wb, ub, theta


def _kernel(nw, nu, theta):
    return nw[..., :, None] * nu[..., None, :] / _TWO_PI * (np.sin(theta) + (math.pi - theta) * np.cos(theta))


def arccos_kernel(W, U) -> np.ndarray:
    r"""Matrix of :math:`\mathbb{E}[\mathrm{relu}(w_i\cdot x)\,\mathrm{relu}(u_j\cdot x)]`, :math:`x\sim N(0,I_d)`.

    :math:`f(w,u) = \frac{|w||u|}{2\pi}(\sin\theta + (\pi-\theta)\cos\theta)`, shape ``(k, m)`` for
    ``W`` of shape ``(k, d)`` and ``U`` of shape ``(m, d)``. Zero rows give 0. Accuracy: a few ulps
    of :math:`|w||u|` (the angle is computed with full relative accuracy, see the module notes).
    """
    W = _weights(W, allow_zero_rows=True)
    U = _weights(U, "U", allow_zero_rows=True)
    if U.shape[1] != W.shape[1]:
        raise ValueError(f"W and U must have the same number of columns; got {W.shape} and {U.shape}")
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
    # grad_i = sum_j g(w_i, w_j) - sum_j g(w_i, v_j),  g(w, u) = (|u| sin t w_bar + (pi - t) u) / 2pi
    s = (np.sin(tww) * nw[..., None, :]).sum(-1) - (np.sin(twv) * nv[..., None, :]).sum(-1)
    grad = (wb * s[..., None] + (math.pi - tww) @ W - (math.pi - twv) @ Vb) / _TWO_PI
    return loss, grad


def population_loss(W, V=None) -> float:
    r"""Closed-form population loss :math:`L(W)` (module docstring) for target ``V`` (default :func:`teacher`).

    ``W``: (k, d); ``V``: (k', d), default :math:`[I_k \mid 0]`. Rows of ``W`` may be zero. The
    result is a sum of :math:`(k + k')^2` kernel values, so its absolute accuracy is about
    :math:`10^{-16}(k + k')^2 \max|w|^2`; at ``W = V`` it is exactly 0.
    """
    W = _weights(W, allow_zero_rows=True)
    V = teacher(W.shape[0], W.shape[1]) if V is None else _weights(V, "V")
    if V.shape[1] != W.shape[1]:
        raise ValueError(f"W and V must have the same input dimension (columns); got W {W.shape} and V {V.shape}")
    k = arccos_kernel
    return float(0.5 * (k(W, W).sum() - 2.0 * k(W, V).sum() + k(V, V).sum()))


def population_gradient(W, V=None) -> np.ndarray:
    r"""Closed-form gradient of :math:`L`, shape (k, d).

    :math:`\nabla_{w_i} L = \sum_j g(w_i, w_j) - \sum_j g(w_i, v_j)`, with
    :math:`g(w, u) = \nabla_w f(w, u) = \frac{1}{2\pi}\big(|u|\sin\theta\,\bar w + (\pi - \theta)\,u\big)`
    (:math:`g(w, w) = w/2`). Accuracy: a few ulps times :math:`(k + k')\max|w|`. Rows of ``W``
    must be non-zero (the loss is not differentiable where a neuron vanishes).
    """
    W, V = _pair(W, V)
    return _loss_grad(W, V)[1]


def _hessian(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    k, d = W.shape
    eye = np.eye(d)
    nw, _, wb, _, tww = _geometry(W, W)
    _, nv, _, vb, twv = _geometry(W, V)

    def a_sum(t, nu, ub, sign):
        """sum_j A(w_i, u_j), A = |u|/(2 pi |w|) [sin t (I - wb wb^T) + (ub - c wb)(ub - c wb)^T / sin t]."""
        st, ct = np.sin(t), np.cos(t)
        r = nu[None, :] / nw[:, None] / _TWO_PI  # (k, m)
        proj = eye[None] - wb[:, :, None] * wb[:, None, :]  # (k, d, d)
        first = (r * st).sum(1)[:, None, None] * proj
        u = ub[None, :, :] - ct[:, :, None] * wb[:, None, :]  # (k, m, d)
        coef = np.divide(r, st, out=np.zeros_like(st), where=st > 0)  # limit 0 when sin t = 0
        second = np.einsum("ij,ija,ijb->iab", coef, u, u)
        return sign * (first + second)

    diag = 0.5 * eye[None] + a_sum(tww, nw, wb, 1.0) + a_sum(twv, nv, vb, -1.0)
    # off-diagonal blocks B(w_i, w_l) = 1/2pi [(pi - t) I + sin t wi wl^T + (wl - c wi)(wi - c wl)^T / sin t]
    st, ct = np.sin(tww), np.cos(tww)
    p = wb[None, :, :] - ct[:, :, None] * wb[:, None, :]  # (i, l, d): wl - c wi
    q = wb[:, None, :] - ct[:, :, None] * wb[None, :, :]  # (i, l, d): wi - c wl
    inv = np.divide(1.0, st, out=np.zeros_like(st), where=st > 0)
    H4 = ((math.pi - tww)[:, :, None, None] * eye + st[:, :, None, None] * wb[:, None, :, None] * wb[None, :, None, :]
          + inv[:, :, None, None] * p[:, :, :, None] * q[:, :, None, :]) / _TWO_PI
    idx = np.arange(k)
    H4[idx, idx] = diag
    H = H4.transpose(0, 2, 1, 3).reshape(k * d, k * d)
    return 0.5 * (H + H.T)


def population_hessian(W, V=None) -> np.ndarray:
    r"""Closed-form Hessian of :math:`L`, shape (kd, kd), row-major ordering of ``W``'s entries.

    Diagonal blocks :math:`H_{ii} = \tfrac12 I + \sum_{j\ne i} A(w_i, w_j) - \sum_j A(w_i, v_j)`,
    off-diagonal blocks :math:`H_{il} = B(w_i, w_l)`, where with :math:`c = \cos\theta`,
    :math:`s = \sin\theta`,

    .. math::

        A(w, u) = \frac{|u|}{2\pi|w|}\Big(s\,(I - \bar w\bar w^\top)
                  + \frac{(\bar u - c\bar w)(\bar u - c\bar w)^\top}{s}\Big),

    .. math::

        B(w, u) = \frac{1}{2\pi}\Big((\pi - \theta) I + s\,\bar w\bar u^\top
                  + \frac{(\bar u - c\bar w)(\bar w - c\bar u)^\top}{s}\Big).

    The :math:`1/s` terms have numerators of order :math:`s^2` and are set to their limit 0 at
    :math:`s = 0` (coinciding or opposite directions, e.g. every ``w_i = v_i`` at the global
    minimum). The loss is :math:`C^2` there (its kernel has a :math:`|\theta|^3` term), so the
    Hessian is continuous. Accuracy: a few ulps times :math:`(k + k')`, relative to
    :math:`\|H\|`; the tests compare it with central differences of :func:`population_gradient`.
    The result is symmetrised (the two halves agree to round-off).
    """
    W, V = _pair(W, V)
    return _hessian(W, V)


def finite_difference_hessian(W, V=None, *, step: float = 1e-5) -> np.ndarray:
    r"""Central differences of the closed-form gradient: an independent check of :func:`population_hessian`.

    Column ``p`` is :math:`(\nabla L(W + h e_p) - \nabla L(W - h e_p)) / 2h`, symmetrised. Error:
    :math:`O(h^2)` truncation (third derivatives of :math:`L` are bounded away from coinciding
    directions) plus :math:`O(\epsilon/h)` round-off; with ``h = 1e-5`` about 1e-9 at unit-scale
    weights. Not valid across a point where two directions coincide (the third derivative jumps there).
    """
    W, V = _pair(W, V)
    step = real_scalar(step, "step", positive=True)
    k, d = W.shape
    H = np.empty((k * d, k * d))
    for p in range(k * d):
        E = np.zeros(k * d)
        E[p] = step
        E = E.reshape(k, d)
        H[:, p] = ((_loss_grad(W + E, V)[1] - _loss_grad(W - E, V)[1]) / (2 * step)).ravel()
    return 0.5 * (H + H.T)


# --------------------------------------------------------------------------------------------
# Monte Carlo (independent check of the closed forms)
# --------------------------------------------------------------------------------------------
def _mc_samples(W, V, n, seed):
    W, V = _pair(W, V)
    n = positive_int(n, "n", minimum=2)
    seed = positive_int(seed, "seed", minimum=0)
    return W, V, n, np.random.default_rng(seed)


def monte_carlo_loss(W, V=None, *, n: int = 200_000, seed: int = 0, batch: int = 50_000) -> tuple[float, float]:
    r"""Monte Carlo estimate of :math:`L(W)` with ``n`` Gaussian inputs: ``(mean, standard error)``.

    The estimate of :math:`\tfrac12\mathbb{E}[r(x)^2]`, :math:`r = 1^\top\mathrm{relu}(Wx) -
    1^\top\mathrm{relu}(Vx)`, and its standard error :math:`\mathrm{sd}/\sqrt{n}`.
    """
    W, V, n, rng = _mc_samples(W, V, n, seed)
    vals = []
    for start in range(0, n, batch):
        x = rng.standard_normal((min(batch, n - start), W.shape[1]))
        r = np.maximum(x @ W.T, 0).sum(1) - np.maximum(x @ V.T, 0).sum(1)
        vals.append(0.5 * r**2)
    v = np.concatenate(vals)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(n))


def monte_carlo_gradient(W, V=None, *, n: int = 200_000, seed: int = 0,
                         batch: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    r"""Monte Carlo estimate of :math:`\nabla_{w_i} L = \mathbb{E}[r(x)\,1\{w_i\cdot x > 0\}\,x]`.

    Returns ``(mean, standard error)``, each of shape (k, d).
    """
    W, V, n, rng = _mc_samples(W, V, n, seed)
    s1 = np.zeros(W.shape)
    s2 = np.zeros(W.shape)
    for start in range(0, n, batch):
        x = rng.standard_normal((min(batch, n - start), W.shape[1]))
        z = x @ W.T
        r = np.maximum(z, 0).sum(1) - np.maximum(x @ V.T, 0).sum(1)
        g = (r[:, None] * (z > 0))[:, :, None] * x[:, None, :]
        s1 += g.sum(0)
        s2 += (g**2).sum(0)
    mean = s1 / n
    var = (s2 - n * mean**2) / (n - 1)
    return mean, np.sqrt(np.maximum(var, 0.0) / n)


# --------------------------------------------------------------------------------------------
# local minimisation
# --------------------------------------------------------------------------------------------
@dataclass
class MinimumResult:
    """A local minimisation of :math:`L` from one start.

    ``kind`` is ``"global"`` (loss below ``loss_tol``), ``"spurious"`` (loss above it, gradient
    norm below ``grad_tol`` and the smallest Hessian eigenvalue above ``curv_tol``: a strict
    local minimum that is not global) or ``"other"`` (not converged, or a degenerate/saddle point).
    """

    W: np.ndarray
    loss: float
    grad_norm: float
    min_eig: float
    kind: str
    iterations: int
    hessian_eigs: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))


def _newton_polish(W, V, grad_tol, max_steps=30):
    """Damped Newton on the full gradient (modified: eigenvalues floored) until |grad| < grad_tol."""
    k, d = W.shape
    loss, g = _loss_grad(W, V)
    for _ in range(max_steps):
        gn = float(np.linalg.norm(g))
        if gn < grad_tol:
            break
        lam, Q = np.linalg.eigh(_hessian(W, V))
        if lam[0] <= 0:  # not in a convex basin: stop, let the caller classify
            break
        step = -(Q @ ((Q.T @ g.ravel()) / lam)).reshape(k, d)
        t = 1.0
        while t > 1e-4:
            W_new = W + t * step
            if np.all(np.linalg.norm(W_new, axis=1) > 0):
                l_new, g_new = _loss_grad(W_new, V)
                if np.linalg.norm(g_new) < gn:
                    break
            t *= 0.5
        else:
            break
        W, loss, g = W_new, l_new, g_new
    return W, float(loss), float(np.linalg.norm(g))


def find_minimum(W0, V=None, *, grad_tol: float = 1e-11, loss_tol: float = 1e-10, curv_tol: float = 1e-6,
                 max_iter: int = 20_000) -> MinimumResult:
    r"""Minimise :math:`L` from ``W0``: BFGS (closed-form gradient) then Newton to ``|grad| < grad_tol``.

    float64 throughout. The result is classified (see :class:`MinimumResult`) from the final
    loss, gradient norm and the full Hessian spectrum (``eigvalsh`` of :func:`population_hessian`,
    accurate to about :math:`10^{-15}\|H\|`, far below ``curv_tol``).
    """
    W0, V = _pair(W0, V)
    grad_tol = real_scalar(grad_tol, "grad_tol", positive=True)
    loss_tol = real_scalar(loss_tol, "loss_tol", positive=True)
    curv_tol = real_scalar(curv_tol, "curv_tol", positive=True)
    max_iter = positive_int(max_iter, "max_iter")
    k, d = W0.shape

    def fun(x):
        loss, g = _loss_grad(x.reshape(k, d), V)
        return float(loss), g.ravel()

    # Dense BFGS: at these sizes (kd <= a few hundred) it is cheap, and unlike scipy's L-BFGS-B it
    # does not slow down when BLAS threads compete with other processes.
    with _one_blas_thread():
        res = minimize(fun, W0.ravel(), jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": 1e-9})
        W = res.x.reshape(k, d)
        W, loss, gn = _newton_polish(W, V, grad_tol)
        eigs = np.linalg.eigvalsh(_hessian(W, V))
    if loss < loss_tol:
        kind = "global"
    elif gn < grad_tol and eigs[0] > curv_tol:
        kind = "spurious"
    else:
        kind = "other"
    return MinimumResult(W=W, loss=loss, grad_norm=gn, min_eig=float(eigs[0]), kind=kind,
                         iterations=int(res.nit), hessian_eigs=eigs)


def random_starts(k: int, d: int | None = None, n_starts: int = 20, *, seed: int = 0,
                  scale: float | None = None, **kwargs) -> list[MinimumResult]:
    r"""Run :func:`find_minimum` from ``n_starts`` Gaussian starts, target :func:`teacher` ``(k, d)``.

    Start entries i.i.d. :math:`N(0, \mathrm{scale}^2)`, default ``scale = 1/sqrt(d)`` (Xavier-like:
    rows of norm about 1, as the teacher's). ``kwargs`` go to :func:`find_minimum`.
    """
    k = positive_int(k, "k")
    d = k if d is None else positive_int(d, "d")
    V = teacher(k, d)
    n_starts = positive_int(n_starts, "n_starts")
    seed = positive_int(seed, "seed", minimum=0)
    scale = 1.0 / math.sqrt(d) if scale is None else real_scalar(scale, "scale", positive=True)
    rng = np.random.default_rng(seed)
    return [find_minimum(scale * rng.standard_normal((k, d)), V, **kwargs) for _ in range(n_starts)]


# --------------------------------------------------------------------------------------------
# symmetry
# --------------------------------------------------------------------------------------------
def _clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Indices of ``values`` grouped so that sorted neighbours closer than ``tol`` share a group."""
    order = np.argsort(values, kind="stable")
    groups, cur = [], [order[0]]
    for a, b in zip(order[:-1], order[1:], strict=True):
        if values[b] - values[a] <= tol:
            cur.append(b)
        else:
            groups.append(np.array(cur))
            cur = [b]
    groups.append(np.array(cur))
    return groups


def _signature_groups(M: np.ndarray, tol: float) -> list[np.ndarray]:
    """Group the rows of ``M`` whose sorted entries agree within ``tol`` (rows of one orbit of the isotropy)."""
    sig = np.sort(M, axis=1)
    groups: list[list[int]] = []
    for i in range(M.shape[0]):
        for g in groups:
            if np.max(np.abs(sig[g[0]] - sig[i])) <= tol:
                g.append(i)
                break
        else:
            groups.append([i])
    return [np.array(g) for g in groups]


@dataclass
class Canonical:
    r"""Canonical form of ``W`` under the symmetries of :math:`L` with target :math:`[I_k\mid 0]`.

    ``W`` is ``P W0 Q^T`` (rows permuted by ``row_perm``, columns by ``col_perm``): rows (and the
    first ``k`` columns) are grouped by their sorted entries (one group per orbit of the isotropy),
    the smallest groups first, and inside each group rows are matched to columns for the largest
    trace. (Matching all rows at once by the largest trace does not work: at the spurious minima
    the special neuron's diagonal entry is negative.)
    ``blocks`` are the group sizes; when ``defect <= tol``, ``W`` is invariant under simultaneous
    permutations of rows and columns inside every group (isotropy :math:`\Delta(S_{m_1}\times\dots)`,
    e.g. ``(1, k - 1)`` for :math:`\Delta S_{k-1}`);
    ``extra_symmetric`` says whether the ``d - k`` extra columns are interchangeable;
    ``defect`` is the largest change of an entry under those permutations (0 for exact symmetry);
    ``values`` the distinct entries (within ``tol``), ascending.
    """

    W: np.ndarray
    row_perm: np.ndarray
    col_perm: np.ndarray
    blocks: tuple[int, ...]
    extra_symmetric: bool
    defect: float
    values: np.ndarray


def canonical_form(W, *, tol: float = 1e-6) -> Canonical:
    """Canonical form and isotropy of ``W`` (shape (k, d), ``d >= k``); see :class:`Canonical`.

    Entries closer than ``tol`` count as equal (use a tolerance well above the accuracy of the
    minimiser that produced ``W``: 1e-6 for ``|grad| < 1e-11`` and a Hessian bounded below by 1e-3).
    """
    W = _weights(W, allow_zero_rows=True)
    tol = real_scalar(tol, "tol", positive=True)
    k, d = W.shape
    if d < k:
        raise ValueError(f"canonical_form needs d >= k (teacher [I_k | 0]); got W of shape {W.shape}")
    row_groups = _signature_groups(W, tol)
    col_groups = _signature_groups(W[:, :k].T, tol)
    if sorted(map(len, row_groups)) != sorted(map(len, col_groups)):  # no consistent pattern: one group
        row_groups, col_groups = [np.arange(k)], [np.arange(k)]
    key = lambda g: (len(g), float(np.mean(W[g])))  # noqa: E731
    row_groups.sort(key=key)
    col_groups.sort(key=lambda g: (len(g), float(np.mean(W[:, g]))))
    row_perm, col_perm, groups = [], [], []
    for rg, cg in zip(row_groups, col_groups, strict=True):
        # inside a pair of groups, match rows to columns with the largest possible trace
        r, c = linear_sum_assignment(-W[np.ix_(rg, cg)])
        row_perm.extend(rg[r])
        col_perm.extend(cg[c])
        groups.append(np.arange(len(row_perm) - len(rg), len(row_perm)))
    row_perm = np.array(row_perm)
    col_perm = np.concatenate([np.array(col_perm, dtype=int), np.arange(k, d)])
    A = W[row_perm][:, col_perm]
    defect = 0.0
    for g in groups:  # adjacent transpositions generate the symmetric group of each block
        for a, b in zip(g[:-1], g[1:], strict=True):
            p = np.arange(d)
            p[[a, b]] = [b, a]
            defect = max(defect, float(np.max(np.abs(A[p[:k]][:, p] - A))))
    extra_def = 0.0
    for a in range(k, d - 1):
        p = np.arange(d)
        p[[a, a + 1]] = [a + 1, a]
        extra_def = max(extra_def, float(np.max(np.abs(A[:, p] - A))))
    values = np.array([float(np.mean(A.ravel()[g])) for g in _clusters(A.ravel(), tol)])
    return Canonical(W=A, row_perm=row_perm, col_perm=col_perm, blocks=tuple(len(g) for g in groups),
                     extra_symmetric=extra_def <= tol, defect=defect, values=np.sort(values))


def symmetric_basis(k: int, d: int | None = None) -> np.ndarray:
    r"""Basis of the matrices fixed by :math:`\Delta S_{k-1}` (and :math:`S_{d-k}` on extra columns).

    Returns an array (m, k, d) of 0/1 indicator matrices, ``m = 5`` for ``d = k`` and 7 for
    ``d > k``: entry (0,0); row 0 on columns 1..k-1; column 0 on rows 1..k-1; the diagonal
    (i, i), i >= 1; the off-diagonal of the lower-right (k-1) block; and for ``d > k`` row 0 and
    rows 1..k-1 on the extra columns. Needs ``k >= 3`` (so that all five orbits are non-empty).
    """
    k = positive_int(k, "k", minimum=3)
    d = k if d is None else positive_int(d, "d")
    if d < k:
        raise ValueError(f"need d >= k; got k = {k}, d = {d}")
    B = np.zeros((7 if d > k else 5, k, d))
    B[0, 0, 0] = 1
    B[1, 0, 1:k] = 1
    B[2, 1:, 0] = 1
    B[3, np.arange(1, k), np.arange(1, k)] = 1
    B[4, 1:, 1:k] = 1 - np.eye(k - 1)
    if d > k:
        B[5, 0, k:] = 1
        B[6, 1:, k:] = 1
    return B


def symmetric_critical_point(theta0, k: int, d: int | None = None, *, grad_tol: float = 1e-11,
                             max_steps: int = 100) -> tuple[np.ndarray, np.ndarray]:
    r"""Critical point of :math:`L` in the :math:`\Delta S_{k-1}`-fixed space, by Newton from ``theta0``.

    ``W = sum_m theta_m B_m`` with ``B`` from :func:`symmetric_basis`; the reduced gradient is
    :math:`B^\top\nabla L` and the reduced Hessian :math:`B^\top H B` (exact, closed form). By the
    principle of symmetric criticality a critical point of the reduced problem is a critical
    point of :math:`L`; the full gradient is returned so the caller can check it. Returns
    ``(theta, W)``; raises ``RuntimeError`` if the full gradient norm does not fall below ``grad_tol``.
    ``theta0`` of length 5 is padded with zeros to 7 when ``d > k``.
    """
    B = symmetric_basis(k, d)
    m, k, d = B.shape
    theta = as_real_array(theta0, "theta0", "a real vector of 5 (or 7 when d > k) parameters").ravel()
    if theta.size == 5 and m == 7:
        theta = np.concatenate([theta, [0.0, 0.0]])
    if theta.size != m:
        raise ValueError(f"theta0 must have {m} entries for k = {k}, d = {d}; got {theta.size}")
    V = teacher(k, d)
    Bm = B.reshape(m, -1).T  # (kd, m)
    W = np.tensordot(theta, B, 1)
    _, g = _loss_grad(W, V)
    for _ in range(max_steps):
        gn = float(np.linalg.norm(g))
        if gn < grad_tol:
            return theta, W
        gr = Bm.T @ g.ravel()
        Hr = Bm.T @ _hessian(W, V) @ Bm
        step = -np.linalg.solve(Hr, gr)
        t = 1.0
        while t > 1e-6:
            th_new = theta + t * step
            W_new = np.tensordot(th_new, B, 1)
            if np.all(np.linalg.norm(W_new, axis=1) > 0):
                _, g_new = _loss_grad(W_new, V)
                if np.linalg.norm(g_new) < gn:
                    break
            t *= 0.5
        else:
            break
        theta, W, g = th_new, W_new, g_new
    raise RuntimeError(
        f"Newton in the symmetric subspace did not reach |grad| < {grad_tol:g} (last {np.linalg.norm(g):.3g}); "
        "start closer (e.g. from the previous k's solution)"
    )


@dataclass
class FamilyPoint:
    """One member of a :math:`\\Delta S_{k-1}` family: sizes, parameters, weights, loss, full Hessian spectrum."""

    k: int
    d: int
    theta: np.ndarray
    W: np.ndarray = field(repr=False)
    loss: float
    grad_norm: float
    eigs: np.ndarray = field(repr=False)


def symmetric_family(theta0, ks, ds=None, *, grad_tol: float = 1e-11) -> list[FamilyPoint]:
    r"""Follow a :math:`\Delta S_{k-1}` critical point through the sizes ``ks`` (continuation).

    Each size is solved by :func:`symmetric_critical_point`, started from the previous size's
    five parameters (the first from ``theta0``), so pass ``ks`` in steps of 1 away from the size
    where ``theta0`` was found. ``ds`` (default ``ks``) are the input dimensions, ``ds[i] >= ks[i]``.
    Every point gets its full gradient norm and full Hessian spectrum (``eigvalsh``, absolute
    accuracy about :math:`10^{-15}\|H\|`).
    """
    ks = [positive_int(k, "k", minimum=3) for k in np.atleast_1d(ks).tolist()]
    ds = ks if ds is None else [positive_int(d, "d") for d in np.atleast_1d(ds).tolist()]
    if len(ds) != len(ks):
        raise ValueError(f"ks and ds must have the same length; got {len(ks)} and {len(ds)}")
    theta = as_real_array(theta0, "theta0", "a real vector of 5 parameters").ravel()[:5]
    out = []
    for k, d in zip(ks, ds, strict=True):
        th, W = symmetric_critical_point(theta[:5], k, d, grad_tol=grad_tol)
        V = teacher(k, d)
        loss, g = _loss_grad(W, V)
        out.append(FamilyPoint(k=k, d=d, theta=th, W=W, loss=float(loss), grad_norm=float(np.linalg.norm(g)),
                               eigs=np.linalg.eigvalsh(_hessian(W, V))))
        theta = th
    return out


# --------------------------------------------------------------------------------------------
# spectra
# --------------------------------------------------------------------------------------------
def cluster_eigenvalues(eigs, *, tol: float = 1e-9) -> list[tuple[float, int]]:
    """Group sorted eigenvalues closer than ``tol`` (relative to ``max(1, |value|)``).

    Returns ``[(mean, multiplicity), ...]``.
    """
    e = np.sort(as_real_array(eigs, "eigs", "a real vector of eigenvalues").ravel())
    tol = real_scalar(tol, "tol", positive=True)
    if e.size == 0:
        raise ValueError("eigs is empty; pass at least one eigenvalue")
    out, cur = [], [e[0]]
    for a, b in zip(e[:-1], e[1:], strict=True):
        if b - a <= tol * max(1.0, abs(b)):
            cur.append(b)
        else:
            out.append((float(np.mean(cur)), len(cur)))
            cur = [b]
    out.append((float(np.mean(cur)), len(cur)))
    return out


def global_minimum_multiplicities(k: int, d: int | None = None, *, tol: float = 1e-9) -> dict[str, int]:
    r"""Multiplicities of :math:`\tfrac14 \mp \tfrac1{2\pi}` in the Hessian spectrum at ``W = V`` (measured).

    Counts the eigenvalues of :func:`population_hessian` at the global minimum within ``tol`` of
    each value (the closed-form Hessian is accurate to about :math:`10^{-15}k`, so ``tol = 1e-9``
    separates them from every other eigenvalue by a wide margin).
    """
    V = teacher(k, d)
    e = np.linalg.eigvalsh(_hessian(V, V))
    tol = real_scalar(tol, "tol", positive=True)
    lo, hi = 0.25 - 1 / _TWO_PI, 0.25 + 1 / _TWO_PI
    return {"1/4 - 1/(2 pi)": int(np.sum(np.abs(e - lo) < tol)), "1/4 + 1/(2 pi)": int(np.sum(np.abs(e - hi) < tol))}
