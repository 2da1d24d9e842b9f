r"""Helpers of chapter 3 (kinks help): closed-form Hermite coefficients and fitted exponents.

``from actgram.book import ch03``. The closed forms are independent of the package's
quadrature (they are what the chapter checks it against); the exponent fits are least squares
on log-log axes over the smallest separations where :func:`actgram.lambda_min` is resolved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.special import gammaln

import actgram

__all__ = ["fitted_exponent", "relu2_coefficients", "small_end_exponent", "step_coefficients"]


def step_coefficients(kmax: int) -> np.ndarray:
    r"""Closed-form Hermite coefficients :math:`c_0, \dots, c_{k_{\max}}` of the step
    :math:`1\{z > 0\}` (ReLU's derivative).

    :math:`c_0 = 1/2` and :math:`c_k = \varphi(0)\,h_{k-1}(0)/\sqrt k` for :math:`k \ge 1`, with
    :math:`h_j(0) = (-1)^{j/2}(j-1)!!/\sqrt{j!}` for even :math:`j` and 0 for odd :math:`j`
    (double factorial in logarithms, so no overflow at large :math:`k`). Relative accuracy
    about :math:`10^{-15}\log k`.
    """
    j = np.arange(kmax)  # c_k uses h_{k-1}(0), j = k - 1
    log_h = (gammaln(j + 1) - 0.5 * j * math.log(2.0) - gammaln(j / 2 + 1)
             - 0.5 * gammaln(j + 1))
    h = np.where(j % 2 == 0, np.where((j // 2) % 2 == 0, 1.0, -1.0) * np.exp(log_h), 0.0)
    return np.concatenate([[0.5], h / np.sqrt(j + 1.0) / math.sqrt(2.0 * math.pi)])


def relu2_coefficients(kmax: int) -> np.ndarray:
    r"""Closed-form Hermite coefficients of the derivative of :math:`\mathrm{ReLU}^2`.

    :math:`\phi' = 2\,\mathrm{ReLU}`, so by :math:`c_k(f') = \sqrt{k+1}\,c_{k+1}(f)`:
    :math:`c_0 = 2\varphi(0)` and :math:`c_k = 2\,c_{k-1}(\mathrm{step})/\sqrt k` for
    :math:`k \ge 1` (``kmax + 1`` values, same accuracy as :func:`step_coefficients`).
    """
    k = np.arange(1, kmax + 1)
    step = step_coefficients(kmax)
    return np.concatenate([[2.0 / math.sqrt(2.0 * math.pi)], 2.0 * step[:-1] / np.sqrt(k)])


def fitted_exponent(d: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of ``log(values)`` against ``log(d)`` (both positive)."""
    return float(np.polyfit(np.log(d), np.log(values), 1)[0])


def small_end_exponent(points: Iterable[np.ndarray], act, n_fit: int = 5) -> float:
    r"""Fitted exponent of :math:`\lambda_{\min}(G^\infty)` against the separation.

    ``points``: data sets ``X: (n, d)`` ordered by increasing separation. Keeps those where
    :func:`actgram.lambda_min` is resolved (relative bracket width at most 1e-2) and fits the
    log-log slope over the first ``n_fit`` of them (the small-separation end).
    """
    res = []
    for X in points:
        r = actgram.lambda_min(X, act)
        if r.resolved:
            res.append((actgram.data.separation(X), r.value))
    if len(res) < 2:
        raise ValueError("fewer than two resolved values: nothing to fit")
    d, v = np.array(res[:n_fit]).T
    return fitted_exponent(d, v)
