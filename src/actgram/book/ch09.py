r"""Helpers of the chapter "Training speed" (presentation and per-seed summaries only).

The chapter trains the two-layer net over several seeds (:func:`actgram.training.train_seeds`,
whose results carry the losses, the spectrum of :math:`G^0` and the projections of the
residual on its eigenvectors) and compares them with the linearised prediction. These helpers
summarise those runs over the seeds (95 % Student-t intervals of
:func:`actgram.dynamics.interval`), decide which eigenvalues a dense float64 solver resolves,
and draw the chapter's figures. Nothing here trains or computes a spectrum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from actgram.dynamics import interval

__all__ = [
    "CLIP",
    "EPS",
    "LINEAR",
    "diagnose",
    "eigendirection_errors",
    "interval_text",
    "paired",
    "plot_eigendirections",
    "plot_loss_curves",
    "plot_spectra",
    "plot_width_study",
    "resolved",
]

#: Machine epsilon of float64.
EPS = float(np.finfo(np.float64).eps)
#: Diagnostics of :func:`diagnose` whose seed intervals are taken on a linear scale (the
#: others are positive and span decades: geometric means and multiplicative intervals).
LINEAR = ("crossings per neuron", "lmin(G(T)) / lmin(G0)")
#: Level (relative to :math:`\|r_0\|`) below which the per-eigendirection figure cuts the
#: projections: the top directions reach it within a few steps, and the linearised
#: prediction :math:`(1-\eta\lambda_i)^t\,v_i^\top r_0` would otherwise run down to
#: :math:`10^{-280}`.
CLIP = 1e-3


def resolved(ev: np.ndarray) -> np.ndarray:
    r"""Which eigenvalues a dense float64 solver resolves in every seed.

    ``ev``: (seeds, n), each row ascending. An eigenvalue counts as resolved when it exceeds
    :math:`100\,\varepsilon\,\lambda_{\max}` (100 times the solver's floor) in every seed.
    Returns a boolean array of length ``n``.
    """
    ev = np.asarray(ev, dtype=np.float64)
    return np.all(ev > 100 * EPS * ev[:, -1:], axis=0)


def interval_text(iv: Sequence[float], digits: int = 2) -> str:
    """``(mean, lower, upper)`` as ``"mean [lower, upper]"`` with ``digits`` significant."""
    g, lo, hi = (float(v) for v in iv)
    return f"{g:.{digits}g} [{lo:.{digits}g}, {hi:.{digits}g}]"


def paired(runs: Mapping[Any, Any], a: str, b: str, n: int) -> tuple:
    """Seed-paired comparison of two activations at ``n`` points.

    Geometric mean and 95 % interval over the seeds of (final / initial loss of ``a``) over
    (final / initial loss of ``b``), same seed: an upper end below 1 says ``a`` ends lower
    than ``b`` seed by seed. ``runs[n, act]`` are :class:`actgram.training.SeedRuns`.
    """
    return interval(runs[n, a].loss_ratio / runs[n, b].loss_ratio, log=True)


def diagnose(r: Any, n_pts: int) -> dict[str, np.ndarray]:
    r"""End-of-training diagnostics of a ReLU :class:`~actgram.training.SeedRuns`, per seed.

    Returns vectors over the seeds:

    * ``"crossings per neuron"``: ``n_pts`` times the fraction of flipped activation
      patterns (data points a neuron's hyperplane crossed, averaged over neurons);
    * ``"lmin(G(T)) / lmin(G0)"``: :math:`\lambda_{\min}(G(T))/\lambda_{\min}(G^0)`, with a
      :math:`\lambda_{\min}(G(T))` below :math:`100\,\varepsilon\lambda_{\max}(G^0)` (the
      float64 floor) counted as 0;
    * ``"||G(T)-G0|| / lmin(G0)"``: the drift of the Gram matrix in units of
      :math:`\lambda_{\min}(G^0)`;
    * ``"measured / predicted loss"``: final loss over its linearised prediction.
    """
    lmin_t = r.lambda_min_t[:, -1]
    return {
        "crossings per neuron": n_pts * r.flip_fraction[:, -1],
        "lmin(G(T)) / lmin(G0)": np.where(lmin_t > 100 * EPS * r.eigvals[:, -1],
                                          lmin_t, 0.0) / r.eigvals[:, 0],
        "||G(T)-G0|| / lmin(G0)": r.gram_drift[:, -1] / r.eigvals[:, 0],
        "measured / predicted loss": r.loss[:, -1] / r.predicted_loss[:, -1],
    }


def eigendirection_errors(r: Any) -> dict[str, tuple]:
    r"""Measured against linearised projections :math:`v_i^\top r_t`, over the seeds.

    ``"all"``: worst error over recorded steps and directions, over :math:`\|r_0\|`;
    ``"top3"``: worst error of the three top directions (their Euclidean norm), over
    :math:`\|r_0\|`; ``"bottom measured"`` / ``"bottom predicted"``: the fraction
    :math:`|v_1^\top r_T|/|v_1^\top r_0|` of the bottom direction's projection left at the
    end. Each is ``(mean, lower, upper)`` over the seeds (95 % interval, linear scale).
    """
    dev = np.abs(r.projections - r.predicted)
    r0 = np.linalg.norm(r.residuals[:, 0], axis=1)
    top = np.linalg.norm(r.projections[:, :, -3:] - r.predicted[:, :, -3:], axis=2)
    p0 = r.projections[:, 0, 0]
    return {
        "all": interval(dev.max(axis=(1, 2)) / r0),
        "top3": interval(top.max(axis=1) / r0),
        "bottom measured": interval(np.abs(r.projections[:, -1, 0] / p0)),
        "bottom predicted": interval(np.abs(r.predicted[:, -1, 0] / p0)),
    }


def _palette(acts: Sequence[str]) -> dict[str, Any]:
    import seaborn as sns

    return dict(zip(acts, sns.color_palette("tab10", len(acts)), strict=True))


def plot_loss_curves(axes: Sequence[Any], runs: Mapping[Any, Any], sizes: Sequence[int],
                     acts: Sequence[str], steps: Mapping[int, int],
                     width: Mapping[int, int]) -> None:
    """Loss over initial loss against steps, one panel per ``n``.

    Line: geometric mean over the seeds; band: its 95 % interval; dotted: the linearised
    prediction for ReLU and tanh.
    """
    palette = _palette(acts)
    for ax, n, tag in zip(axes, sizes, "ab", strict=False):
        t = np.arange(steps[n] + 1)
        for a in acts:
            r = runs[n, a]
            g, lo, hi = interval(r.loss / r.loss[:, :1], log=True)
            ax.semilogy(t, g, color=palette[a], label=a)
            ax.fill_between(t, lo, hi, color=palette[a], alpha=0.15, lw=0)
        for a, ls in (("relu", ":"), ("tanh", ":")):
            r = runs[n, a]
            pred = interval(r.predicted_loss / r.loss[:, :1], log=True)[0]
            ax.semilogy(r.record_steps, pred, ls, color=palette[a], lw=2.2,
                        label=f"{a}, linearised")
        ax.set_xlabel("gradient step $t$")
        ax.set_title(f"({tag}) $n = {n}$, $m = {width[n]}$")
    axes[0].set_ylabel("loss / initial loss")


def plot_spectra(axes: Sequence[Any], runs: Mapping[Any, Any], sizes: Sequence[int],
                 acts: Sequence[str], eta: Mapping[int, float],
                 steps: Mapping[int, int]) -> None:
    r"""Eigenvalues of :math:`G^0` (mean over seeds), ascending, one panel per ``n``.

    Resolved eigenvalues (:func:`resolved`) as dots and lines; the others as crosses on the
    float64 floor line :math:`\varepsilon\lambda_{\max}`; a dash-dotted line at
    :math:`1/(\eta T)`.
    """
    palette = _palette(acts)
    for ax, n, tag in zip(axes, sizes, "cd", strict=False):
        floor = max(EPS * runs[n, a].eigvals[:, -1].max() for a in acts)
        idx = np.arange(1, n + 1)
        for a in acts:
            ev = runs[n, a].eigvals
            ok = resolved(ev)
            mean = ev.mean(axis=0)
            ax.semilogy(idx[ok], mean[ok], "o-", ms=3, lw=1.2, color=palette[a], label=a)
            ax.semilogy(idx[~ok], np.full((~ok).sum(), floor), "x", color=palette[a])
        ax.axhline(floor, color="grey", ls="--", lw=1,
                   label=r"float64 floor $\varepsilon\lambda_{\max}$ (x: below it)")
        ax.axhline(1 / (eta[n] * steps[n]), color="k", ls="-.", lw=1,
                   label=r"$1/(\eta T)$: fitted above, not below")
        ax.set_xlabel("index $i$ (1 = smallest)")
        ax.set_title(f"({tag}) spectrum of $G^0$, $n = {n}$")
    axes[0].set_ylabel(r"$\lambda_i(G^0)$, mean over seeds")


def plot_eigendirections(axes: Sequence[Any], runs: Mapping[Any, Any], n: int,
                         acts: Sequence[str], *, seed: int = 0,
                         directions: Sequence[int] = (1, 2, 3, 5, 10)) -> None:
    r"""Projections of the residual, measured (dots) and linearised (lines).

    One panel per activation; ``directions`` are indices :math:`i` in the ascending order
    (1 = smallest eigenvalue). Plots :math:`|v_i^\top r_t| / \|r_0\|` for seed ``seed``;
    values below :data:`CLIP` leave the axes.
    """
    import matplotlib.pyplot as plt

    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(directions)))
    for ax, a in zip(axes, acts, strict=True):
        r = runs[n, a]
        r0 = np.linalg.norm(r.residuals[seed, 0])
        for i, c in zip(directions, colours, strict=True):
            label = rf"$i = {i}$" + (" (smallest)" if i == 1 else "")
            ax.semilogy(r.record_steps, np.abs(r.predicted[seed, :, i - 1]) / r0, "-",
                        lw=1.4, color=c, label=label)
            ax.semilogy(r.record_steps, np.abs(r.projections[seed, :, i - 1]) / r0, "o",
                        ms=3.5, color=c)
        ax.set_ylim(CLIP, 1.5)
        ax.set_title(f"{a}, $n = {n}$, $m = {r.m}$, seed {seed}")
        ax.set_ylabel(r"$|v_i^\top r_t| \,/\, \|r_0\|$")
    axes[0].plot([], [], "o", color="grey", label="measured")
    axes[0].plot([], [], "-", color="grey", label=r"linearised, $(1-\eta\lambda_i)^t$")
    axes[-1].set_xlabel("gradient step $t$")


def plot_width_study(axes: Sequence[Any], diag: Mapping[str, Mapping[str, np.ndarray]],
                     widths: Sequence[int], extra: Sequence[tuple[str, int, str]]) -> None:
    """The four ReLU diagnostics of :func:`diagnose` against the width, one panel each.

    ``diag["n = 10, m = <w>"]`` for ``w`` in ``widths`` gives the connected series;
    ``extra`` lists ``(key, width, marker)`` for single settings drawn as markers. Error
    bars: 95 % intervals over the seeds.
    """
    quantities = list(next(iter(diag.values())))
    for ax, q in zip(np.ravel(axes), quantities, strict=True):
        log = q not in LINEAR
        g, lo, hi = (np.array(v) for v in zip(
            *(interval(diag[f"n = 10, m = {w}"][q], log=log) for w in widths), strict=True))
        ax.errorbar(widths, g, yerr=[g - lo, hi - g], fmt="o-", capsize=3,
                    label="n = 10, half circle")
        for key, m, mk in extra:
            gg, ll, hh = interval(diag[key][q], log=log)
            ax.errorbar([m], [gg], yerr=[[gg - ll], [hh - gg]], fmt=mk, capsize=3,
                        label=key.rsplit(",", 1)[0])
        ax.set_xscale("log")
        ax.set_yscale("log" if log else "linear")
        if q in ("lmin(G(T)) / lmin(G0)", "measured / predicted loss"):
            ax.axhline(1.0, color="grey", lw=1, ls="--")
        ax.set_title(_TITLES.get(q, q))
    for ax in np.ravel(axes)[-2:]:
        ax.set_xlabel("width $m$")


_TITLES = {
    "crossings per neuron": "crossings per neuron",
    "lmin(G(T)) / lmin(G0)": r"$\lambda_{\min}(G(T)) / \lambda_{\min}(G^0)$",
    "||G(T)-G0|| / lmin(G0)": r"$\|G(T) - G^0\|_2 / \lambda_{\min}(G^0)$",
    "measured / predicted loss": "measured / predicted loss",
}
