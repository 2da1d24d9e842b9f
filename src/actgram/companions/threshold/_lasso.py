r"""The Lasso over a dictionary of patterns, its certificate and two open solvers.

:math:`P(u) = \tfrac12\|Hu - y\|_2^2 + \beta\|u\|_1`; every solver returns a primal
point and a dual-feasible point, so the optimum lies in ``[dual_objective, objective]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..._validate import check_array, positive_int, real_scalar
from ._patterns import _matrix


def _lasso_inputs(H, y, beta):
    H = _matrix(H, "H")
    y = check_array(y, "y", shape=(H.shape[0],))
    return H, y, real_scalar(beta, "beta", positive=True)


def lasso_objective(H, y, u, beta: float) -> float:
    r""":math:`P(u) = \tfrac12\|Hu - y\|_2^2 + \beta\|u\|_1` (float64)."""
    H, y, beta = _lasso_inputs(H, y, beta)
    u = check_array(u, "u", shape=(H.shape[1],))
    return _primal(H, y, u, beta)

def _primal(H, y, u, beta) -> float:
    r = H @ u - y
    return 0.5 * float(r @ r) + beta * float(np.abs(u).sum())


def _dual(H, y, u, beta) -> float:
    """Dual value y.v - |v|^2/2 at v = the residual scaled so that max |H^T v| <=
    beta."""
    v = y - H @ u
    c = float(np.abs(H.T @ v).max(initial=0.0))
    if c > beta:
        v = v * (beta / c)
    return float(y @ v) - 0.5 * float(v @ v)


def lasso_dual_bound(H, y, u, beta: float) -> float:
    r"""A certified lower bound on :math:`\min_u P(u)` from any primal point ``u``.

    The Lasso's dual is :math:`\max_v\ y\cdot v - \tfrac12\|v\|_2^2` subject to
    :math:`\|H^\top v\|_\infty \le \beta`; the residual :math:`y - Hu`, scaled into the
    feasible set, gives a dual value :math:`D \le P^\star \le P(u)` (weak duality). At
    the optimum the two meet.
    """
    H, y, beta = _lasso_inputs(H, y, beta)
    u = check_array(u, "u", shape=(H.shape[1],))
    return _dual(H, y, u, beta)


@dataclass
class LassoResult:
    """A Lasso solution with its certificate: the optimum lies in ``[dual_objective,
    objective]``."""

    u: np.ndarray
    objective: float
    dual_objective: float
    iterations: int
    converged: bool
    method: str

    @property
    def gap(self) -> float:
        """Certified duality gap ``objective - dual_objective`` (>= 0 up to
        rounding)."""
        return self.objective - self.dual_objective

    @property
    def support(self) -> np.ndarray:
        """Indices of the non-zero coefficients."""
        return np.flatnonzero(self.u)


def solve_lasso_fista(H, y, beta: float, *, tol: float = 1e-10, max_iter: int = 200_000,
                      check_every: int = 10) -> LassoResult:
    r"""Solve :math:`\min_u \tfrac12\|Hu - y\|_2^2 + \beta\|u\|_1` by FISTA with
    adaptive restart.

    Step :math:`1/L`, :math:`L = \|H\|_2^2`; proximal step = soft thresholding at
    :math:`\beta/L`; momentum restarted whenever it points uphill (O'Donoghue and
    Candes' gradient test). Every ``check_every`` iterations the certified gap
    :math:`P(u) - D(v)` (:func:`lasso_dual_bound`) is computed; the run stops when it is
    at most ``tol * max(P(u), 1e-300)``. ``converged`` is False if ``max_iter`` is
    reached first; the returned gap is a valid certificate either way.
    """
    H, y, beta = _lasso_inputs(H, y, beta)
    tol = real_scalar(tol, "tol", positive=True)
    max_iter = positive_int(max_iter, "max_iter")
    check_every = positive_int(check_every, "check_every")
    L = float(np.linalg.norm(H, 2)) ** 2
    if L == 0.0:
        u = np.zeros(H.shape[1])
        return LassoResult(u, _primal(H, y, u, beta), _dual(H, y, u, beta), 0, True,
                           "fista")
    thr = beta / L
    u = np.zeros(H.shape[1])
    z = u.copy()
    t = 1.0
    best = (np.inf, u, -np.inf)
    it = 0
    converged = False
    for it in range(1, max_iter + 1):  # noqa: B007 (it is reported)
        g = H.T @ (H @ z - y)
        w = z - g / L
        u_new = np.sign(w) * np.maximum(np.abs(w) - thr, 0.0)
        if (z - u_new) @ (u_new - u) > 0:  # momentum points uphill: restart
            t = 1.0
            z = u_new
        else:
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            z = u_new + ((t - 1.0) / t_new) * (u_new - u)
            t = t_new
        u = u_new
        if it % check_every == 0 or it == max_iter:
            P, D = _primal(H, y, u, beta), _dual(H, y, u, beta)
            lower = max(D, best[2])
            best = (P, u.copy(), lower) if best[0] > P else (best[0], best[1], lower)
            if best[0] - best[2] <= tol * max(best[0], 1e-300):
                converged = True
                break
    return LassoResult(best[1], best[0], best[2], it, converged, "fista")


def solve_lasso_lbfgsb(H, y, beta: float, *, max_iter: int = 50_000) -> LassoResult:
    r"""The same Lasso with a generic solver: scipy's L-BFGS-B on :math:`u = u^+ - u^-`,
    :math:`u^\pm \ge 0`.

    Minimises :math:`\tfrac12\|H(u^+ - u^-) - y\|^2 + \beta\,\mathbf 1^\top(u^+ + u^-)`
    (smooth, with bound constraints) with tight tolerances; the certificate is computed
    as in :func:`solve_lasso_fista`. ``converged`` is scipy's success flag.
    """
    from scipy.optimize import minimize

    H, y, beta = _lasso_inputs(H, y, beta)
    max_iter = positive_int(max_iter, "max_iter")
    p = H.shape[1]

    def fun(x):
        u = x[:p] - x[p:]
        r = H @ u - y
        g = H.T @ r
        value = 0.5 * float(r @ r) + beta * float(x.sum())
        return value, np.concatenate([g + beta, beta - g])

    res = minimize(fun, np.zeros(2 * p), jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * (2 * p),
                   options={"maxiter": max_iter, "maxfun": 2 * max_iter, "ftol": 1e-15,
                            "gtol": 1e-12, "maxcor": 30})
    u = res.x[:p] - res.x[p:]
    return LassoResult(u, _primal(H, y, u, beta), _dual(H, y, u, beta), int(res.nit),
                       bool(res.success), "l-bfgs-b")


