r"""Helpers of the chapter "Depth rescues smooth activations".

The slope :math:`s = \hat\phi'(1)` of a normalised dual activation two ways, the dense
:math:`\lambda_{\min}` with the chapter's resolution rule, the depth at which a curve crosses a
threshold, and the chapter's figures. The kernels come from the package (``actgram``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import dual_kernel, hermite_coefficients

__all__ = ["dense_lmin", "depth_needed", "plot_depth", "plot_need", "slope_exact",
           "slope_series"]

EPS = float(np.finfo(np.float64).eps)


def slope_series(act: str, kmax: int = 200) -> float:
    r""":math:`\hat\phi'(1) = \sum_k k c_k^2 / \sum_k c_k^2` from the Hermite series of
    :math:`\phi`, truncated at ``kmax`` (coefficients accurate to 1e-13; for tanh the tail
    beyond 200 is below 1e-8)."""
    c = hermite_coefficients(act, kmax, of="function")
    return float(np.sum(np.arange(c.size) * c**2) / np.sum(c**2))


def slope_exact(act: str) -> float:
    r""":math:`\hat\phi'(1) = \mathbb{E}[\phi'(g)^2] / \mathbb{E}[\phi(g)^2]`, from the dual
    kernels at :math:`\theta = 0` (quadrature, about 1e-14)."""
    zero = np.zeros(1)
    return float(dual_kernel(act, zero, "derivative")[0]
                 / dual_kernel(act, zero, "function")[0])


def dense_lmin(G: np.ndarray, n: int, entry: float = 1e-13) -> tuple[float, float, float, bool]:
    r"""float64 :math:`\lambda_{\min}` of ``G`` (n x n) with the chapter's resolution rule.

    Returns ``(lambda_min, floor, lambda_max, resolved)`` with ``floor`` =
    :math:`\varepsilon\|G\|_2`; resolved when :math:`\lambda_{\min}` exceeds both 1000 floors
    and ``10 n entry`` (Weyl: entries accurate to ``entry`` move it by at most ``n entry``).
    """
    ev = np.linalg.eigvalsh(G)
    floor = EPS * ev[-1]
    return ev[0], floor, ev[-1], bool(ev[0] > max(1000 * floor, 10 * n * entry))


def depth_needed(vals: Sequence[float], tau: float) -> float:
    """Smallest depth (1-based) at which a resolved value (not NaN) exceeds ``tau``, or NaN."""
    hit = np.nonzero(np.nan_to_num(np.asarray(vals, dtype=float)) > tau)[0]
    return float(hit[0] + 1) if hit.size else float("nan")


def plot_depth(ax: Any, depth_sweep: pd.DataFrame, n: int, entry: float = 1e-13) -> None:
    r"""Resolved :math:`\lambda_{\min}` against depth for each curve of ``depth_sweep``.

    ``depth_sweep`` has the columns ``depth``, ``curve`` ("tanh trained", "relu trained",
    "tanh ntk"), ``value``, ``floor`` and ``resolved``. Also draws tanh's float64 floor and
    the resolution limit ``max(1000 floor, 10 n entry)``.
    """
    styles = {"tanh trained": ("o", "tab:blue"), "relu trained": ("s", "tab:orange"),
              "tanh ntk": ("^", "tab:green")}
    for curve, (marker, colour) in styles.items():
        sel = depth_sweep[(depth_sweep.curve == curve) & depth_sweep.resolved]
        ax.semilogy(sel.depth, sel.value, marker=marker, color=colour,
                    label=rf"{curve}: $\lambda_{{\min}}$")
    t = depth_sweep[depth_sweep.curve == "tanh trained"]
    ax.semilogy(t.depth, t.floor, "k--", lw=1,
                label=r"float64 floor $\varepsilon\|G^{(L)}\|_2$ (tanh trained)")
    limit = np.maximum(1000 * t.floor, 10 * n * entry)
    ax.semilogy(t.depth, limit, "k:", lw=1,
                label=r"resolution limit: max(1000 floor, $10\,n\cdot10^{-13}$)")
    ax.set_xlabel("depth $L$ (number of hidden layers)")
    ax.set_ylabel(r"$\lambda_{\min}$")


def plot_need(axes: Sequence[Any], curves: Mapping[int, np.ndarray], need: pd.DataFrame,
              taus: Sequence[float], s: float) -> None:
    r"""Two panels: tanh's :math:`\lambda_{\min}(G^{(L)})` against depth for each ``n``
    (``curves[n]``, NaN where not resolved) with the thresholds ``taus``; and the depth at
    which each threshold is crossed against :math:`\log(1/\delta^2)`, with the estimate
    :math:`L^* = \log(1/\delta^2)/\log s`. ``need`` has the columns ``n``, ``delta``,
    ``L_est`` and ``L(tau)`` for each ``tau``."""
    ax0, ax1 = axes
    for n, vals in curves.items():
        ax0.semilogy(np.arange(1, len(vals) + 1), vals, marker=".", ms=4, label=f"n = {n}")
    for tau, ls in zip(taus, ("--", ":"), strict=True):
        ax0.axhline(tau, color="grey", ls=ls, lw=1, label=rf"threshold $\tau$ = {tau:g}")
    ax0.set_xlabel("depth $L$")
    ax0.set_ylabel(r"$\lambda_{\min}(G^{(L)})$, tanh")
    ax0.legend(loc="lower right", ncol=2)
    x = np.log(1.0 / need.delta**2)
    xx = np.linspace(0.0, x.max() * 1.05, 50)
    ax1.plot(xx, xx / np.log(s), "k-", lw=1, label=r"estimate $L^* = \log(1/\delta^2)/\log s$")
    for tau, marker in zip(taus, ("o", "s"), strict=True):
        ax1.plot(x, need[f"L({tau:g})"], marker=marker, ls="none", ms=7,
                 label=rf"measured, $\tau$ = {tau:g}")
    for r in need.itertuples():
        ax1.annotate(f"n = {r.n}", (np.log(1 / r.delta**2), r.L_est),
                     textcoords="offset points", xytext=(-8, 4), ha="right")
    ax1.set_xlabel(r"$\log(1/\delta^2)$")
    ax1.set_ylabel(r"depth with $\lambda_{\min} > \tau$")
    ax1.legend(loc="upper left")
