r"""The shattering formulation: the Lasso over all :math:`2^n - 1` patterns in closed
form (the book's derivation) and by a generic solver."""

from __future__ import annotations

import numpy as np

from ..._validate import check_array, real_scalar


def _labels(y) -> np.ndarray:
    return check_array(y, "y", ndim=1, min_size=1)


def shattering_objective(delta, y, beta: float) -> float:
    r""":math:`\tfrac12\|\delta - y\|^2 + \beta(\|\delta_+\|_\infty +
    \|\delta_-\|_\infty)` (float64)."""
    y = _labels(y)
    delta = check_array(delta, "delta", shape=(y.size,))
    beta = real_scalar(beta, "beta", positive=True)
    r = delta - y
    return 0.5 * float(r @ r) + beta * (max(float(delta.max()), 0.0)
                                        + max(float(-delta.min()), 0.0))


def _water_level(a: np.ndarray, beta: float) -> float:
    r"""Minimiser over :math:`t \ge 0` of :math:`\tfrac12\sum_i (a_i - \min(a_i, t))^2 +
    \beta t`, :math:`a_i > 0`."""
    if a.size == 0 or a.sum() <= beta:
        return 0.0
    a = np.sort(a)[::-1]
    S = np.cumsum(a)
    k = np.arange(1, a.size + 1)
    t = (S - beta) / k  # stationary point if exactly the k largest entries exceed t
    nxt = np.append(a[1:], 0.0)
    ok = (t <= a) & (t >= nxt)
    return float(t[np.argmax(ok)])


def shattering_closed_form(y, beta: float) -> tuple[np.ndarray, float]:
    r"""Exact minimiser and minimum of the shattering problem (the book's derivation).

    Entries of :math:`\delta` never cross zero against their label's sign (moving them
    to zero lowers both terms), so the problem splits into one problem per sign, each in
    one level :math:`t = \|\delta_\pm\|_\infty`: :math:`\delta_i = \mathrm{clip}(y_i,
    -t_-, t_+)` with :math:`t_\pm` the root of :math:`\sum_{i:\, \pm y_i > t}(\pm y_i -
    t) = \beta` (or 0 when :math:`\sum (\pm y_i)_+ \le \beta`). For labels in
    :math:`\{-1, +1\}` with :math:`n_\pm` points per class this is :math:`t_\pm = (1 -
    \beta/n_\pm)_+` and the minimum is :math:`\sum_\pm (\beta - \beta^2/(2n_\pm))` when
    :math:`\beta \le n_\pm` (else that class contributes :math:`n_\pm/2`).
    """
    y = _labels(y)
    beta = real_scalar(beta, "beta", positive=True)
    t_plus = _water_level(y[y > 0], beta)
    t_minus = _water_level(-y[y < 0], beta)
    delta = np.clip(y, -t_minus, t_plus)
    return delta, shattering_objective(delta, y, beta)


def shattering_generic(y, beta: float) -> tuple[np.ndarray, float]:
    r"""The shattering problem by a generic solver (scipy SLSQP) as a smooth QP.

    Variables :math:`(\delta, a, b)`: minimise :math:`\tfrac12\|\delta - y\|^2 + \beta(a
    + b)` subject to :math:`-b \le \delta_i \le a`, :math:`a, b \ge 0`. Returns the
    minimiser and the value of :func:`shattering_objective` at it.
    """
    from scipy.optimize import minimize

    y = _labels(y)
    beta = real_scalar(beta, "beta", positive=True)
    n = y.size

    def fun(x):
        r = x[:n] - y
        value = 0.5 * float(r @ r) + beta * (x[n] + x[n + 1])
        return value, np.concatenate([r, [beta, beta]])

    A = np.zeros((2 * n, n + 2))  # A x >= 0
    A[:n, :n] = -np.eye(n)
    A[:n, n] = 1.0  # a - delta_i >= 0
    A[n:, :n] = np.eye(n)
    A[n:, n + 1] = 1.0  # delta_i + b >= 0
    x0 = np.concatenate([np.zeros(n), [0.0, 0.0]])
    res = minimize(fun, x0, jac=True, method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda x: A @ x,
                                 "jac": lambda x: A}],
                   bounds=[(None, None)] * n + [(0.0, None)] * 2,
                   options={"maxiter": 1000, "ftol": 1e-14})
    delta = res.x[:n]
    return delta, shattering_objective(delta, y, beta)
