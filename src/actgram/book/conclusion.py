r"""The thesis figure of the preface and the conclusion: :math:`\lambda_{\min}(G^\infty)` against
the number of points on a half circle, for kinked and smooth activations.

``from actgram.book import conclusion``. :func:`thesis_data` computes the figure's numbers with
:func:`actgram.lambda_min` (a bracket ``lower <= lambda_min <= upper`` for each point count and
activation); :func:`draw_thesis` draws them on a matplotlib axes. ``docs/make_thesis_figure.py``
(the PNG the preface shows) and ``chapters/conclusion.ipynb`` call both, so the two figures
are the same computation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import actgram

__all__ = ["THESIS_ACTIVATIONS", "THESIS_SIZES", "ThesisData", "draw_thesis", "thesis_data"]

#: Numbers of points on the half circle (the figure's x axis).
THESIS_SIZES = (8, 12, 16, 24, 32, 48, 64)
#: Activations drawn, kinked first, smooth second: name -> (colour, marker).
THESIS_ACTIVATIONS = {
    "relu": ("tab:blue", "o"),
    "elu": ("tab:green", "D"),
    "tanh": ("tab:orange", "s"),
    "swish": ("tab:red", "^"),
}


@dataclass
class ThesisData:
    r"""The thesis figure's numbers.

    ``lam[a][i]``: :math:`\lambda_{\min}(G^\infty)` for activation ``a`` at ``sizes[i]`` points
    where its bracket is resolved (relative width at most 1e-2), else NaN; ``upper[a][i]``: the
    bracket's upper end where it is not resolved, else NaN; ``floor[i]``: the float64 floor
    :math:`\varepsilon\|G^\infty\|_2`, the largest over the activations; ``methods[a]``: the
    method :func:`actgram.lambda_min` chose at each size.
    """

    sizes: tuple[int, ...]
    lam: dict[str, np.ndarray]
    upper: dict[str, np.ndarray]
    floor: np.ndarray
    methods: dict[str, list[str]]


def thesis_data(sizes: Sequence[int] = THESIS_SIZES,
                activations: Sequence[str] = tuple(THESIS_ACTIVATIONS)) -> ThesisData:
    r""":math:`\lambda_{\min}(G^\infty)` on ``actgram.data.half_circle(n)`` for every ``n`` in
    ``sizes`` and every activation, by :func:`actgram.lambda_min` (dense float64 for kinked
    activations; Fourier factorisation, which resolves eigenvalues far below the float64 floor,
    for the smooth ones on these two-dimensional data). About 10 s on one core for the
    default sizes.
    """
    sizes = tuple(int(n) for n in sizes)
    lam = {a: np.full(len(sizes), np.nan) for a in activations}
    upper = {a: np.full(len(sizes), np.nan) for a in activations}
    methods: dict[str, list[str]] = {a: [] for a in activations}
    floor = np.zeros(len(sizes))
    for i, n in enumerate(sizes):
        X = actgram.data.half_circle(n)
        for a in activations:
            lm = actgram.lambda_min(X, a)
            floor[i] = max(floor[i], lm.floor)
            methods[a].append(lm.method)
            if lm.resolved:  # a value only where the bracket is resolved
                lam[a][i] = lm.value
            else:  # otherwise only its upper end
                upper[a][i] = lm.upper
    return ThesisData(sizes, lam, upper, floor, methods)


def draw_thesis(ax, data: ThesisData) -> None:
    """Draw the thesis figure on ``ax``: resolved values as lines with markers, unresolved
    brackets as open triangles at their upper end, the float64 floor dashed. No legend (the
    caller places it: below the figure in the book)."""
    sizes = np.array(data.sizes, dtype=float)
    for a in data.lam:
        colour, marker = THESIS_ACTIVATIONS.get(a, (None, "o"))
        ax.plot(sizes, data.lam[a], color=colour, marker=marker, label=a)
        if np.isfinite(data.upper[a]).any():
            ax.plot(sizes, data.upper[a], ls="none", color=colour, marker="v", mfc="none",
                    label=f"{a}: upper end (not resolved)")
    ax.plot(sizes, data.floor, color="grey", ls="--",
            label=r"float64 floor $\varepsilon\,\|G^\infty\|_2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(n) for n in data.sizes])
    ax.minorticks_off()
    ax.set_xlabel("number of points $n$ (half circle)")
    ax.set_ylabel(r"$\lambda_{\min}(G^\infty)$")
    ax.annotate("below the floor: out of reach of a dense float64 solve",
                (sizes[0], data.floor[0]), xytext=(2, -8), textcoords="offset points",
                ha="left", va="top", fontsize=9, color="dimgrey")
