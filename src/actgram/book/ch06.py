r"""Helpers of the chapter "High dimension rescues smooth activations" (presentation only).

The chapter measures :math:`\lambda_{\min}(G^\infty)` of ``n`` uniform points on
:math:`S^{d-1}` against ``d`` for several seeds; these helpers summarise the seeds and draw
one activation's panel of the chapter's main figure. Nothing here computes a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["geo_mean", "plot_lambda_against_d", "seeds_text"]


def geo_mean(x: Any) -> float:
    r"""Geometric mean :math:`\exp(\overline{\log x})` of positive numbers; NaN if any is 0.

    NaN rather than 0 so that a plot leaves the point out (a log axis cannot show 0).
    """
    x = np.asarray(x, dtype=float)
    return float(np.exp(np.mean(np.log(x)))) if np.all(x > 0) else float("nan")


def seeds_text(g: pd.DataFrame) -> str:
    """``lambda_min`` over the seeds of one (activation, d), as text.

    ``g`` has the columns ``value``, ``lower``, ``upper`` and ``resolved`` (one row a seed).
    Returns ``"min - max"`` of the values (two significant digits) where every seed is
    resolved, else the hull of the brackets ``"in [lo, hi]"``, or ``"<= hi"`` where some lower
    end is 0.
    """
    if g.resolved.all():
        return f"{g.value.min():.2g} - {g.value.max():.2g}"
    if g.lower.min() > 0:
        return f"in [{g.lower.min():.1g}, {g.upper.max():.1g}]"
    return f"<= {g.upper.max():.1g}"


def plot_lambda_against_d(ax: Any, a: pd.DataFrame, ticks: Sequence[int], *,
                          colour: str = "tab:blue") -> None:
    r"""One panel: :math:`\lambda_{\min}` against ``d`` for one activation.

    ``a`` has one row per (d, seed) with the columns ``d``, ``value``, ``lower``, ``upper``,
    ``resolved``, ``floor``, ``bound_rows`` and ``bound_max``. Draws every seed's bracket
    (resolved: a marker with its bracket as error bar; not resolved: the bracket as a line
    and its upper end as an open triangle), the geometric mean over seeds where all are
    resolved, the two forms of the book's lower bound where they are positive for every
    seed, and the float64 floor.
    """
    res = a[a.resolved]
    ax.errorbar(res.d, res.value, yerr=[res.value - res.lower, res.upper - res.value],
                fmt="o", ms=4, alpha=0.4, color=colour,
                label="ag.lambda_min, each seed")
    un = a[~a.resolved]
    if len(un):
        ax.vlines(un.d, un.lower.where(un.lower > 0, un.upper), un.upper, color=colour, lw=1)
        ax.plot(un.d, un.upper, "v", color=colour, mfc="none",
                label="not resolved: upper end")
    g = a.groupby("d")
    ok = g.resolved.all()
    ax.plot(ok.index[ok], g.value.apply(geo_mean)[ok], "-", color=colour,
            label="geometric mean over seeds")
    for col, style, name in [("bound_rows", "-.", "row-sum form"),
                             ("bound_max", ":", r"$\rho_{\max}$ form")]:
        gm = g[col].apply(geo_mean)  # NaN where some seed's bound is 0: not drawn
        ax.plot(gm.index, gm, style, color="tab:green", lw=2, label=f"book's bound, {name}")
    floor = g.floor.max()
    ax.plot(floor.index, floor, "--", color="grey",
            label=r"float64 floor $\varepsilon\|G^\infty\|_2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(ticks), [str(t) for t in ticks], minor=False)
    ax.minorticks_off()
