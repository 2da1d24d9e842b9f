r"""Helpers of the chapter "Finite width: how wide is wide enough" (figures only).

The chapter samples :math:`G^0` at many widths (``actgram.gram_init``) and trains ReLU nets
of several widths (``actgram.training.train_two_layer``); these helpers draw the results.
Nothing here computes a result of the chapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_g0_error", "plot_lazy_training"]


def plot_g0_error(axes: Sequence[Any], widths: np.ndarray, spec_err: np.ndarray,
                  lam_dev: np.ndarray, lam0: np.ndarray, lam_inf: float,
                  slopes: tuple[float, float]) -> None:
    r"""Left: :math:`\|G^0 - G^\infty\|_2` and :math:`|\lambda_{\min}` error against ``m``.

    Right: :math:`\lambda_{\min}(G^0)` of every draw (grey) and their mean against ``m``,
    with :math:`\lambda_{\min}(G^\infty)` dashed. ``spec_err``, ``lam_dev``, ``lam0``:
    (widths, seeds); ``slopes``: the fitted log-log slopes of the two errors.
    """
    ax = axes[0]
    ax.loglog(widths, spec_err.mean(1), "o-",
              label=rf"$\|G^0 - G^\infty\|_2$ (slope {slopes[0]:.2f})")
    ax.loglog(widths, lam_dev.mean(1), "s-",
              label=rf"$|\lambda_{{\min}}$ error$|$ (slope {slopes[1]:.2f})")
    ax.loglog(widths, spec_err.mean(1)[0] * np.sqrt(widths[0] / widths), "k--", lw=1,
              label="slope $-1/2$")
    ax.set_xlabel("width $m$")
    ax.set_ylabel(f"error (mean of {spec_err.shape[1]} draws)")
    ax.set_title("finite-width error of $G^0$")
    ax = axes[1]
    ax.semilogx(widths, lam0, ".", color="grey", alpha=0.5)
    ax.semilogx(widths, lam0.mean(1), "o-", color="C2",
                label=r"$\lambda_{\min}(G^0)$: mean (draws grey)")
    ax.axhline(lam_inf, color="C3", ls="--", label=r"$\lambda_{\min}(G^\infty)$")
    ax.set_xlabel("width $m$")
    ax.set_ylabel("smallest eigenvalue")
    ax.set_title(r"$\lambda_{\min}(G^0) \to \lambda_{\min}(G^\infty)$")


def plot_lazy_training(axes: Sequence[Any], widths: Sequence[int], move: np.ndarray,
                       drift: np.ndarray, slopes: tuple[float, float],
                       runs: Mapping[tuple, Any], seed: int, steps: int) -> None:
    r"""Left: relative weight movement and Gram drift against ``m`` (log-log).

    Right: loss over initial loss against the step for one seed at every width, measured
    (lines) and linearised from each net's own :math:`G^0` (circles).
    """
    import seaborn as sns

    ax = axes[0]
    ax.loglog(widths, move, "o-",
              label=rf"$\|W_T - W_0\|_F/\|W_0\|_F$ (slope {slopes[0]:.2f})")
    ax.loglog(widths, drift, "s-",
              label=rf"$\|G(T) - G(0)\|_2/\|G(0)\|_2$ (slope {slopes[1]:.2f})")
    ax.loglog(widths, move[0] * np.sqrt(widths[0] / np.array(widths)), "k--", lw=1,
              label="slope $-1/2$")
    ax.set_xlabel("width $m$")
    ax.set_ylabel(f"relative change after {steps} steps")
    ax.set_title("weights and Gram matrix move less")
    ax = axes[1]
    colours = sns.color_palette("viridis", len(widths))
    for m, c in zip(widths, colours, strict=True):
        r = runs[m, seed]
        ax.semilogy(np.arange(steps + 1), r.loss / r.loss[0], "-", color=c,
                    label=f"m = {m}")
        pred = np.sum(r.predicted**2, axis=1) / np.sum(r.projections[0] ** 2)
        ax.semilogy(r.record_steps, pred, "o", ms=3, color=c, mfc="none")
    ax.plot([], [], "o", color="grey", mfc="none", label="linearised (circles)")
    ax.set_xlabel("gradient step $t$")
    ax.set_ylabel("loss(t) / loss(0)")
    ax.set_title(f"measured (lines), seed {seed}")
