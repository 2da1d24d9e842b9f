r"""Local minimisation of the population loss and the verdict on the point reached.

BFGS on the closed-form gradient, then damped Newton on the closed-form Hessian until
the gradient norm is below ``grad_tol``; the point is then classified from its loss,
gradient norm and full Hessian spectrum (:class:`MinimumResult`).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from ..._validate import positive_int, real_scalar
from ._closed_form import _hessian, _loss_grad, _pair, teacher


def _one_blas_thread():
    """Run BLAS on one thread: the small dense products here gain nothing from threads,
    and the minimiser's path (hence which minimum a start reaches) must not depend on
    the thread count."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional (comes with scikit-learn); else last bits may differ
        return contextlib.nullcontext()
    return threadpool_limits(1)


@dataclass
class MinimumResult:
    """A local minimisation of :math:`L` from one start.

    ``verdict`` is ``"global"`` (loss below ``loss_tol``), ``"spurious"`` (loss above
    it, gradient norm below ``grad_tol`` and the smallest Hessian eigenvalue above
    ``curv_tol``: a strict local minimum that is not global) or ``"other"`` (not
    converged, or a degenerate/saddle point).
    """

    W: np.ndarray
    loss: float
    grad_norm: float
    min_eig: float
    verdict: str
    iterations: int
    hessian_eigs: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))


def _backtrack(x, step, to_W, V, gn, t_min):
    """Halve ``t`` from 1 until ``W = to_W(x + t step)`` has non-zero rows and a
    gradient norm below ``gn``; returns ``(x_new, W_new, loss, grad)``, or None once ``t
    <= t_min``."""
    t = 1.0
    while t > t_min:
        x_new = x + t * step
        W_new = to_W(x_new)
        if np.all(np.linalg.norm(W_new, axis=1) > 0):
            loss, g_new = _loss_grad(W_new, V)
            if np.linalg.norm(g_new) < gn:
                return x_new, W_new, loss, g_new
        t *= 0.5
    return None


def _same(W):
    return W


def _newton_polish(W, V, grad_tol, max_steps=30):
    """Damped Newton on the full gradient until |grad| < grad_tol (stops where the
    Hessian is not positive definite, and lets the caller classify the point)."""
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
        found = _backtrack(W, step, _same, V, gn, 1e-4)
        if found is None:
            break
        _, W, loss, g = found
    return W, float(loss), float(np.linalg.norm(g))


def find_minimum(W0, V=None, *, grad_tol: float = 1e-11, loss_tol: float = 1e-10,
                 curv_tol: float = 1e-6, max_iter: int = 20_000) -> MinimumResult:
    r"""Minimise :math:`L` from ``W0``: BFGS, then Newton to ``|grad| < grad_tol``.

    float64 throughout, closed-form gradient and Hessian. The result is classified (see
    :class:`MinimumResult`) from the final loss, gradient norm and the full Hessian
    spectrum (``eigvalsh`` of :func:`population_hessian`, accurate to about
    :math:`10^{-15}\|H\|`, far below ``curv_tol``).
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

    # Dense BFGS: at these sizes (kd <= a few hundred) it is cheap, and unlike scipy's
    # L-BFGS-B it does not slow down when BLAS threads compete with other processes.
    with _one_blas_thread():
        res = minimize(fun, W0.ravel(), jac=True, method="BFGS",
                       options={"maxiter": max_iter, "gtol": 1e-9})
        W = res.x.reshape(k, d)
        W, loss, gn = _newton_polish(W, V, grad_tol)
        eigs = np.linalg.eigvalsh(_hessian(W, V))
    if loss < loss_tol:
        verdict = "global"
    elif gn < grad_tol and eigs[0] > curv_tol:
        verdict = "spurious"
    else:
        verdict = "other"
    return MinimumResult(W=W, loss=loss, grad_norm=gn, min_eig=float(eigs[0]),
                         verdict=verdict, iterations=int(res.nit), hessian_eigs=eigs)


def random_starts(k: int, d: int | None = None, n_starts: int = 20, *, seed: int = 0,
                  scale: float | None = None, **kwargs) -> list[MinimumResult]:
    r"""Run :func:`find_minimum` from ``n_starts`` Gaussian starts, target
    :func:`teacher`.

    Start entries i.i.d. :math:`N(0, \mathrm{scale}^2)`, default ``scale = 1/sqrt(d)``
    (Xavier-like: rows of norm about 1, as the teacher's). ``kwargs`` go to
    :func:`find_minimum`.
    """
    k = positive_int(k, "k")
    d = k if d is None else positive_int(d, "d")
    V = teacher(k, d)
    n_starts = positive_int(n_starts, "n_starts")
    seed = positive_int(seed, "seed", minimum=0)
    scale = (1.0 / math.sqrt(d) if scale is None
             else real_scalar(scale, "scale", positive=True))
    rng = np.random.default_rng(seed)
    return [find_minimum(scale * rng.standard_normal((k, d)), V, **kwargs)
            for _ in range(n_starts)]
