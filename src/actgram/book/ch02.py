r"""Helpers of chapter 2 (activations through the Hermite lens): fits, parities, classes.

``from actgram.book import ch02``. Every function works on the Hermite coefficients that
:func:`actgram.hermite_coefficients` returns (``c[k]`` for ``k = 0 .. kmax``, each within
``1e-13`` of the exact value for ``kmax <= 200``) or on an :class:`actgram.Activation`.
Squared coefficients below :data:`RESOLVED` are not trusted: at ``|c_k| < 1e-11`` the
``1e-13`` absolute error exceeds 1 % of the coefficient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special

import actgram as ag

__all__ = [
    "KMAX",
    "RESOLVED",
    "decay_class",
    "fit_exponent",
    "jump_size",
    "leading_term",
    "local_slopes",
    "log10_excess",
    "main_parity",
    "measured_decay",
    "shown",
    "sqrt_rate",
    "step_closed_form",
    "tail_exponent",
]

#: Highest Hermite index the chapter uses (the package states its accuracy up to 200).
KMAX = 200
#: A squared coefficient counts as measured when ``c_k^2 >= RESOLVED`` (``|c_k| >= 1e-11``,
#: 100 times the coefficients' stated accuracy of ``1e-13``).
RESOLVED = 1e-22


def shown(err: float, floor: float = 1e-13) -> str:
    """An error as text: ``"below 1e-13"`` when under the coefficients' stated accuracy."""
    return f"below {floor:.0e}" if err < floor else f"{err:.1e}"


def main_parity(act: ag.Activation) -> int:
    r"""Parity of :math:`k` that carries the leading coefficients :math:`c_k(\phi')`.

    For a kink of order :math:`r` the jump term needs :math:`h_{k-r}(0) \ne 0`, i.e.
    :math:`k - r` even (the chapter's derivation); otherwise the symmetry of :math:`\phi'`
    decides (even :math:`\phi'`: even :math:`k`; odd part only: odd :math:`k`).
    """
    if act.jump_order is not None:
        return act.jump_order % 2
    return 0 if act.derivative_symmetry == "even" else 1


def _k(c2k: np.ndarray) -> np.ndarray:
    return np.arange(len(c2k))


def fit_exponent(c2k: np.ndarray, par: int, lo: int = 40, hi: int = KMAX) -> float:
    r"""Least-squares slope of :math:`\log c_k^2` on :math:`\log k`, ``lo <= k <= hi``,
    :math:`k \equiv` ``par`` (mod 2). ``c2k[k]`` is :math:`c_k^2`, all positive in range."""
    k = _k(c2k)
    m = (k >= lo) & (k <= hi) & (k % 2 == par)
    return float(np.polyfit(np.log(k[m]), np.log(c2k[m]), 1)[0])


def tail_exponent(act: ag.Activation, c2k: np.ndarray, lo: int = 40,
                  hi: int = KMAX) -> float:
    r"""Exponent of :math:`c_k^2` from the tail mass: slope of :math:`\log T_K` on
    :math:`\log K` over ``lo <= K <= hi``, minus 1.

    :math:`T_K = \mathbb{E}[\phi'(g)^2] - \sum_{k \le K} c_k^2`, with the expectation from
    :func:`actgram.dual_kernel` at angle 0. A tail :math:`\sim K^{-(r - 1/2)}` gives
    :math:`-(r + 1/2)`; the sum averages out oscillations that a pointwise fit sees.
    """
    tail = float(ag.dual_kernel(act, np.zeros(1), "derivative")[0]) - np.cumsum(c2k)
    K = np.arange(lo, hi + 1)
    return float(np.polyfit(np.log(K), np.log(tail[K]), 1)[0] - 1.0)


def jump_size(act: ag.Activation, r: int, h: float = 1e-6) -> float:
    r""":math:`J = \phi^{(r)}(0^+) - \phi^{(r)}(0^-)` for ``r = 1`` or ``2``, by one-sided
    differences of ``act.derivative`` (error :math:`O(h)` for ``r = 2``)."""
    d = act.derivative(np.array([1e-12, -1e-12, h, 2 * h, -h, -2 * h]))
    if r == 1:
        return float(d[0] - d[1])
    return float((d[3] - d[2]) / h - (d[4] - d[5]) / h)


def leading_term(J: float, r: int, kk: int) -> float:
    r"""The derivation's leading term of :math:`c_k(\phi')^2` for a jump :math:`J` in
    :math:`\phi^{(r)}` at 0: :math:`J^2\gamma(0)^2 h_{k-r}(0)^2 / (k(k-1)\cdots(k-r+1))`,
    for :math:`k - r` even (:math:`h_j(0)^2 = \binom{j}{j/2}2^{-j}` in logarithms)."""
    j = kk - r
    h0_sq = np.exp(special.gammaln(j + 1) - 2 * special.gammaln(j / 2 + 1)
                   - j * np.log(2.0))
    return float(J**2 / (2 * np.pi) * h0_sq / np.prod([kk - i for i in range(r)]))


def step_closed_form(kmax: int) -> np.ndarray:
    r"""Hermite coefficients of the step :math:`1\{z > 0\}` in closed form: :math:`c_0 = 1/2`,
    :math:`c_k = \gamma(0)\,h_{k-1}(0)/\sqrt k` (``kmax + 1`` values, relative accuracy
    about :math:`10^{-15}\log k`)."""
    k = np.arange(kmax + 1)
    j = k[1:] - 1
    h0 = np.where(j % 2 == 0, (-1.0) ** (j // 2) * np.exp(0.5 * (
        special.gammaln(j + 1) - 2 * special.gammaln(j / 2 + 1) - j * np.log(2.0))), 0.0)
    return np.concatenate([[0.5], h0 / np.sqrt(2 * np.pi * k[1:])])


def local_slopes(c2k: np.ndarray, par: int, centres: Sequence[int],
                 half: int = 10) -> np.ndarray:
    r"""Local log-log slopes of :math:`c_k^2`: the slope over :math:`|k - k_c| \le` ``half``
    (parity ``par``) for each centre :math:`k_c`; NaN where a coefficient of the window is
    below :data:`RESOLVED`."""
    k = _k(c2k)
    out = np.full(len(centres), np.nan)
    for i, kc in enumerate(centres):
        m = (np.abs(k - kc) <= half) & (k % 2 == par)
        if c2k[m].min() >= RESOLVED:
            out[i] = np.polyfit(np.log(k[m]), np.log(c2k[m]), 1)[0]
    return out


def decay_class(act: ag.Activation) -> str:
    r"""The derived decay class of :math:`c_k(\phi')^2` from the declared jump order."""
    if act.hermite_poly is not None:
        return f"vanishes for k >= {len(act.hermite_poly) - 1}"
    return "faster than any power" if act.smooth else "polynomial k^-(r+1/2)"


def measured_decay(act: ag.Activation, kmax: int = KMAX) -> str:
    r"""The measured witness of the decay class, as text.

    Fitted exponent over ``40 <= k <= kmax`` (kinks; for the step, of
    :math:`c_k(\delta_0) = \sqrt{k+1}\,c_{k+1}(\mathrm{step})`), the last resolved local slope
    (analytic), or the largest :math:`|c_k(\phi')|` past the degree (polynomials).
    """
    k = np.arange(kmax + 1)
    if act.hermite_poly is not None:
        tail = ag.hermite_coefficients(act, kmax)[len(act.hermite_poly) - 1:]
        return f"max |c_k| = {np.max(np.abs(tail)):.1g}"
    if not act.derivative_defined:  # step: c_k(delta) = sqrt(k+1) c_{k+1}(step)
        cd2 = (k + 1) * ag.hermite_coefficients(act, kmax + 1, of="function")[1:] ** 2
        return f"exponent {fit_exponent(cd2, 0, hi=kmax):.3f}"
    c2a = ag.hermite_coefficients(act, kmax) ** 2
    if not act.smooth:
        return f"exponent {fit_exponent(c2a, act.jump_order % 2, hi=kmax):.3f}"
    kc = np.arange(12, kmax - 9)  # every window centre, so that even sin has some
    s = local_slopes(c2a, main_parity(act), kc)
    return f"local slope {s[~np.isnan(s)][-1]:.1f} at k = {kc[~np.isnan(s)][-1]}"


def sqrt_rate(k: np.ndarray, c2k: np.ndarray) -> float:
    r"""Rate :math:`a` of a least-squares fit :math:`\log c_k^2 \approx b - a\sqrt k`."""
    return float(-np.polyfit(np.sqrt(k), np.log(c2k), 1)[0])


def log10_excess(kk: int, log_c2: float) -> float:
    r"""How many powers of ten :math:`e^{-\pi\sqrt k/2}` lies above :math:`c_k^2`."""
    return (-math.pi * math.sqrt(kk) / 2 - log_c2) / math.log(10)
