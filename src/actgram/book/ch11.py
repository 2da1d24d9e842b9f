r"""Helpers of the chapter "Both layers, and a generalisation quantity" (figures only).

The chapter computes the spectra of :math:`G^\infty`, :math:`K` and :math:`G^\infty + K`
(``actgram.kernel_inf``), trains a net with both layers (``actgram.train_two_layer``) and
evaluates Arora et al.'s quantity (``actgram.generalisation.arora_complexity``); these
helpers draw the results. Nothing here computes a result of the chapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["CLIP", "num", "plot_arora", "plot_kernel_spectra", "plot_projections"]

#: Level, relative to :math:`\max_i |v_i^\top r_0|`, below which the per-eigendirection
#: figure cuts the projections (the linearised prediction of a top direction runs down to
#: :math:`10^{-280}` and the measured one to round-off).
CLIP = 1e-4


def plot_kernel_spectra(axes: Sequence[Any], X: np.ndarray, acts: Sequence[str]) -> None:
    r"""Eigenvalues of :math:`G^\infty`, :math:`K` and :math:`G^\infty + K`, ascending.

    One panel per activation; dense float64 (``numpy.linalg.eigvalsh``), only values above
    :math:`100\,\varepsilon\|M\|_2` drawn (largest floor of the three matrices shown as a
    dashed line). ``X``: (n, d), unit rows.
    """
    import actgram as ag

    n = X.shape[0]
    idx = np.arange(1, n + 1)
    for ax, a in zip(axes, acts, strict=True):
        floor = 0.0
        for kind, label in [("G", r"$G^\infty$"), ("K", r"$K$"),
                            ("ntk", r"$G^\infty + K$")]:
            ev = np.linalg.eigvalsh(ag.kernel_inf(X, a, kind))  # ascending
            floor = max(floor, np.finfo(float).eps * ev[-1])
            keep = ev > 100 * floor
            ax.semilogy(idx[keep], ev[keep], ".", ms=4, label=label)
        ax.axhline(100 * floor, color="grey", ls="--", lw=1,
                   label=r"$100\,\varepsilon\|M\|_2$ (below: not drawn)")
        ax.set_xlabel("index $i$ (1 = smallest)")
        ax.set_title(f"{a}: spectra on 3-dimensional digits")
    axes[0].set_ylabel(r"eigenvalue $\lambda_i$")


def plot_projections(ax: Any, run: Any, directions: Sequence[int]) -> None:
    r"""Measured (markers) and linearised (lines) projections :math:`|v_i^\top r_t|`.

    ``run``: a result of ``actgram.train_two_layer`` (``projections`` and ``predicted`` of
    shape (recorded steps, n), eigenvalues ascending). ``directions``: indices :math:`i` in
    the ascending order (1 = smallest). Values are divided by :math:`\max_i |v_i^\top r_0|`
    and cut below :data:`CLIP`.
    """
    import matplotlib.pyplot as plt

    scale = np.abs(run.projections[0]).max()
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(directions)))
    for i, c in zip(directions, colours, strict=True):
        ax.semilogy(run.record_steps, np.abs(run.projections[:, i - 1]) / scale, "o",
                    ms=3, color=c,
                    label=rf"$i = {i}$, $\lambda_{{{i}}}(H^0) = {run.eigvals[i - 1]:.2g}$")
        ax.semilogy(run.record_steps, np.abs(run.predicted[:, i - 1]) / scale, "-",
                    color=c, lw=1.2)
    ax.set_ylim(CLIP, 1.5)
    ax.set_xlabel("gradient step $t$")
    ax.set_ylabel(r"$|v_i^\top (u_t - y)| \,/\, \max_j |v_j^\top r_0|$")


def plot_arora(axes: Sequence[Any], comp: Mapping[tuple, tuple], dims: Sequence[int],
               acts: Sequence[str]) -> None:
    """Arora et al.'s quantity against the PCA dimension (left) and random / true (right).

    ``comp[dim, act] = (true, random)``, results of ``arora_complexity``; points that are
    not computable in float64 are left out.
    """
    import seaborn as sns

    palette = dict(zip(acts, sns.color_palette("colorblind", len(acts)), strict=True))
    for a in acts:
        ok = [d for d in dims if comp[d, a][0].computable]
        true = [comp[d, a][0].value[0] for d in ok]
        rand = [comp[d, a][1].value.mean() for d in ok]
        axes[0].semilogy(ok, true, "o-", color=palette[a], label=a)
        axes[0].semilogy(ok, rand, "s--", color=palette[a], mfc="none")
        axes[1].plot(ok, np.array(rand) / np.array(true), "o-", color=palette[a], label=a)
    axes[0].plot([], [], "k-", label="true labels (solid)")
    axes[0].plot([], [], "ks--", mfc="none", label="random labels (dashed)")
    for ax in axes:
        ax.set_xlabel("PCA dimension")
    axes[0].set_ylabel(r"$\sqrt{2\,y^\top (G^\infty)^{-1} y / n}$")
    axes[0].set_title("the quantity, digits 3 vs 5")
    axes[1].set_ylabel("random / true")
    axes[1].set_title("ratio random / true labels")


def num(spec: str):
    """A cell formatter for :class:`actgram.book.Table`: numbers with ``spec``.

    Strings pass unchanged and a missing value (``None``) shows as ``"-"``.
    """

    def f(x: Any) -> str:
        if x is None:
            return "-"
        if isinstance(x, str):
            return x
        return format(x, spec)

    return f
