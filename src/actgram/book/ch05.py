r"""Helpers of the chapter "Smooth activations on low-dimensional data" (presentation only).

Text for one bracketed eigenvalue, the resolved points of a sweep over ``n``, and the
chapter's figures. The eigenvalues come from the package (``ag.lambda_min``,
``ag.smallest_eigenvalues``, ``actgram.circle_theory``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_cubic_spectrum", "plot_decay", "plot_law", "plot_three_dims",
           "resolved_points", "upper_text"]

EPS = float(np.finfo(np.float64).eps)


def upper_text(result: Any) -> str:
    """A resolved value with three digits, else ``"<u"`` with ``u`` the bracket's upper end."""
    return f"{result.value:.3g}" if result.resolved else f"<{result.upper:.1g}"


def resolved_points(results: Mapping[int, Any]) -> tuple[np.ndarray, np.ndarray]:
    r"""``n`` and :math:`\log\lambda_{\min}` (natural log) of the resolved results.

    ``results`` maps ``n`` to an ``ag.lambda_min`` result; unresolved ones are left out.
    """
    pts = [(n, math.log(r.value)) for n, r in results.items() if r.resolved]
    return np.array([p[0] for p in pts], float), np.array([p[1] for p in pts])


def plot_cubic_spectrum(ax: Any, spec: Mapping[int, Any], count: Mapping[int, int],
                        sizes: Mapping[int, int], colours: Sequence[Any]) -> None:
    r"""Spectra of :math:`G^\infty` for :math:`\phi(z) = z^3` on ``d'`` = 2 and 3 dimensions.

    ``spec[dp]`` is ``ag.smallest_eigenvalues`` over all ``n = sizes[dp]`` eigenvalues
    (ascending); index 1 is the smallest (the book's convention). Resolved eigenvalues are
    filled circles, the others their upper bound (open triangles); a dotted line marks where
    the ``count[dp]`` largest (the harmonic count) begin.
    """
    for dp, colour in zip(sorted(spec), colours, strict=False):
        b, n = spec[dp], sizes[dp]
        idx = np.arange(1, n + 1)  # ascending: index 1 = smallest
        ok = b.resolved
        ax.semilogy(idx[ok], b.value[ok] / b.norm, "o", color=colour,
                    label=f"$d' = {dp}$, $n = {n}$: resolved")
        ax.semilogy(idx[~ok], b.upper[~ok] / b.norm, "v", color=colour, mfc="none",
                    label=f"$d' = {dp}$: upper bound only")
        ax.axvline(n - count[dp] + 0.5, color=colour, ls=":", lw=1.5,
                   label=f"last {count[dp]} (harmonic count)")
    ax.axhline(EPS, color="grey", ls="--", label=r"float64 floor $\varepsilon$")
    ax.set_xlabel("index $i$ (eigenvalues ascending, 1 = smallest)")
    ax.set_ylabel(r"$\lambda_i(G^\infty) / \lambda_{\max}$")


def plot_decay(ax: Any, lam: Mapping[str, Mapping[int, Any]], colours: Sequence[Any],
               ticks: Sequence[int], floor_n: Sequence[int]) -> None:
    r""":math:`\lambda_{\min}` against ``n`` on log-log axes, one curve per activation.

    ``lam[a][n]`` are ``ag.lambda_min`` results; resolved values are joined, unresolved ones
    drawn as their upper end (open triangle). Also draws tanh's float64 floor over
    ``floor_n`` and the brackets' resolution, about :math:`10^{-26}\|G^\infty\|_2`.
    """
    for a, colour in zip(lam, colours, strict=True):
        res = lam[a]
        ok = [n for n in res if res[n].resolved]
        ax.loglog(ok, [res[n].value for n in ok], "o-", color=colour, label=a)
        up = [(n, res[n].upper) for n in res if not res[n].resolved and res[n].upper > 0]
        if up:
            ax.loglog(*zip(*up, strict=True), "v", color=colour, mfc="none")
    floor = np.array([lam["tanh"][n].floor for n in floor_n])
    ax.loglog(floor_n, floor, "k--", lw=1, label=r"float64 floor (tanh)")
    ax.loglog(floor_n, 1e-26 * floor / EPS, "k:", lw=1,
              label=r"resolution $\approx 10^{-26}\|G^\infty\|_2$")
    ax.plot([], [], "kv", mfc="none", label="upper bound only")
    ax.set_xticks(list(ticks), labels=[str(n) for n in ticks])
    ax.minorticks_off()
    ax.set_xlabel("number of half-circle points $n$")
    ax.set_ylabel(r"$\lambda_{\min}(G^\infty)$")


def plot_law(ax: Any, lam: Mapping[str, Mapping[int, Any]], exact: Mapping[str, Mapping[int, float]],
             taus: Mapping[str, float], n_of: Mapping[str, Sequence[int]],
             law_log: Any, law_c: Mapping[str, float], colours: Sequence[Any]) -> None:
    r""":math:`\log(\lambda_{\min}/n^2)` against :math:`n^{2/3}`: brackets, exact aliasing
    formula and the derived law :math:`\log B - C n^{2/3}` (``law_log(n, tau)`` returns
    :math:`\log\lambda_{\min}`; ``law_c[a]`` is its rate ``C``)."""
    for a, colour in zip(taus, colours, strict=True):
        tau, nn = taus[a], np.array(n_of[a])
        ok = [n for n in nn if lam[a][n].resolved]
        ax.plot(np.array(ok) ** (2 / 3), [math.log(lam[a][n].value / n**2) for n in ok], "o",
                color=colour, label=f"{a}: brackets")
        ax.plot(nn ** (2 / 3), [math.log(exact[a][n] / n**2) for n in nn], "-", color=colour,
                lw=1, label=f"{a}: exact aliasing formula")
        ax.plot(nn ** (2 / 3), law_log(nn, tau) - 2 * np.log(nn), "--", color=colour, lw=1,
                label=f"{a}: law, $C = {law_c[a]:.2f}$")
    ax.set_xlabel(r"$n^{2/3}$")
    ax.set_ylabel(r"$\log(\lambda_{\min} / n^2)$")


def plot_three_dims(axes: Sequence[Any], lam2: Mapping[int, Any], lam3: Mapping[Any, Any],
                    ci3: Mapping[int, tuple[float, float, float]], sep3: Mapping[Any, float],
                    ns3: Sequence[int], seeds3: Sequence[int], colours: Sequence[Any]) -> None:
    r"""Two panels: tanh's :math:`\lambda_{\min}` on 2- and 3-dimensional data against ``n``
    (half circle; random draws with their mean of :math:`\log_{10}` and 95 % interval
    ``ci3[n] = (mean, lower, upper)``), and each 3-dimensional draw against its separation."""
    ax, ax2 = axes
    n2 = [n for n in lam2 if lam2[n].resolved]
    ax.loglog(n2, [lam2[n].value for n in n2], "o-", label=r"$d' = 2$ (half circle)")
    mean3 = np.array([10 ** ci3[n][0] for n in ns3])
    err3 = np.array([[10 ** ci3[n][0] - 10 ** ci3[n][1] for n in ns3],
                     [10 ** ci3[n][2] - 10 ** ci3[n][0] for n in ns3]])
    ax.errorbar(ns3, mean3, yerr=err3, fmt="s-", capsize=4,
                label=rf"$d' = 3$: {len(seeds3)} draws, mean, 95 % interval")
    for s in seeds3:
        ax.loglog(ns3, [lam3[n, s].value for n in ns3], ".", color="grey", alpha=0.6)
    ax.loglog(n2, [lam2[n].floor for n in n2], "k--", lw=1, label=r"float64 floor, $d' = 2$")
    ticks = sorted(set(n2) | set(ns3))
    ax.set_xticks(ticks, labels=[str(n) for n in ticks])
    ax.minorticks_off()
    ax.set_xlabel("number of points $n$")
    ax.set_ylabel(r"$\lambda_{\min}(G^\infty)$, tanh")
    ax.legend(loc="lower left")
    for n, colour in zip(ns3, colours, strict=False):
        ax2.loglog([sep3[n, s] for s in seeds3], [lam3[n, s].value for s in seeds3], "o",
                   color=colour, label=f"$d' = 3$, $n = {n}$")
    ax2.set_xlabel(r"separation $\delta$ of the draw")
    ax2.set_ylabel(r"$\lambda_{\min}(G^\infty)$, tanh")
    ax2.legend(loc="lower right")
