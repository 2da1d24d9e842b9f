r"""Helpers of the chapter "Real data: handwritten digits" (summaries and figures only).

The chapter brackets :math:`\lambda_{\min}(G^\infty)` on PCA projections of scikit-learn's
digits (``actgram.lambda_min``) and trains the two-layer net over several seeds
(``actgram.training.train_seeds``); these helpers summarise the runs per seed, load MNIST or
CIFAR-10 in full mode and draw the chapter's figures. Nothing here computes a spectrum or
trains a net.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from actgram.dynamics import interval

__all__ = [
    "DATA_DIR",
    "palette",
    "per_seed",
    "plot_lambda_against_dim",
    "plot_measured_against_predicted",
    "plot_training",
    "real_images",
    "slow_part",
    "slow_share",
]

#: Where full mode keeps the downloaded MNIST and CIFAR-10 files.
DATA_DIR = os.path.expanduser("~/.cache/actgram")


def palette(acts: Sequence[str]) -> dict[str, Any]:
    """One colour per activation (seaborn's colour-blind palette), the same in every figure."""
    import seaborn as sns

    return dict(zip(acts, sns.color_palette("colorblind", len(acts)), strict=True))


def per_seed(runs: Mapping[tuple, Any], d: int, a: str, seeds: Sequence[int],
             f: Callable[[Any], float]) -> np.ndarray:
    """``f(runs[d, a, s])`` for every seed ``s``, as an array."""
    return np.array([f(runs[d, a, s]) for s in seeds])


def slow_share(r: Any, steps: int) -> float:
    r"""Share of :math:`\|r_0\|^2` on the eigendirections of :math:`G^0` with
    :math:`\eta\lambda_i T < 1` (``r``: a one-seed :class:`~actgram.training.SeedRuns`)."""
    p0, lam = r.projections[0, 0], r.eigvals[0]
    return float(np.sum(p0[r.eta * lam * steps < 1] ** 2) / np.sum(p0**2))


def slow_part(r: Any, steps: int) -> float:
    r"""Share of the *predicted final* loss on the directions with :math:`\eta\lambda_i T<1`.

    The linearised prediction splits the final loss as
    :math:`\sum_i (1-\eta\lambda_i)^{2T}(v_i^\top r_0)^2`; this returns the part of the sum
    over the slow directions over the whole sum.
    """
    lam, p0 = r.eigvals[0], r.projections[0, 0]
    part = (1 - r.eta * lam) ** (2 * steps) * p0**2
    return float(np.sum(part[r.eta * lam * steps < 1]) / np.sum(part))


def real_images(name: str, count: int = 1000) -> np.ndarray:
    """The first ``count`` training images of ``"MNIST"`` or ``"CIFAR-10"``, one row each.

    Float64 pixel values, flattened: (count, 784) or (count, 3072). Needs ``torchvision``
    and network access the first time; the files are kept in :data:`DATA_DIR`.
    """
    import torchvision

    cls = {"MNIST": torchvision.datasets.MNIST,
           "CIFAR-10": torchvision.datasets.CIFAR10}[name]
    ds = cls(root=DATA_DIR, train=True, download=True)
    return np.asarray(ds.data[:count], dtype=np.float64).reshape(count, -1)


def plot_lambda_against_dim(ax: Any, lam: Mapping[tuple, Any], dims: Sequence[int],
                            acts: Sequence[str], kinked: Sequence[str]) -> None:
    r"""Resolved :math:`\lambda_{\min}(G^\infty)` against the PCA dimension, per activation.

    Kinked activations solid with circles, smooth ones dashed with squares; the largest
    float64 floor :math:`\varepsilon\|G^\infty\|_2` as a dotted line.
    """
    colours = palette(acts)
    for a in acts:
        ok = [d for d in dims if lam[d, a].resolved]
        ax.semilogy(ok, [lam[d, a].value for d in ok], "o-" if a in kinked else "s--",
                    color=colours[a], label=a)
    floor = max(lam[d, a].floor for d in dims for a in acts)
    ax.axhline(floor, color="grey", lw=1, ls=":",
               label=r"float64 floor $\varepsilon\|G^\infty\|_2$ (largest)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("PCA dimension of the digits")
    ax.set_ylabel(r"$\lambda_{\min}(G^\infty)$")


def plot_training(axes: Sequence[Any], runs: Mapping[tuple, Any], dims: Sequence[int],
                  acts: Sequence[str], all_acts: Sequence[str], kinked: Sequence[str],
                  seeds: Sequence[int], steps: int) -> None:
    """Loss over initial loss against the step, one panel per dimension.

    Geometric mean over the seeds (line: solid for kinked, dashed for smooth activations)
    and its 95 % interval (band).
    """
    colours = palette(all_acts)
    t = np.arange(steps + 1)
    for ax, d in zip(axes, dims, strict=True):
        for a in acts:
            L = np.stack([runs[d, a, s].loss[0] / runs[d, a, s].loss[0, 0] for s in seeds])
            g, lo, hi = interval(L, log=True)
            ax.semilogy(t, g, color=colours[a], ls="-" if a in kinked else "--", label=a)
            ax.fill_between(t, lo, hi, color=colours[a], alpha=0.15, lw=0)
        ax.set_xlabel("gradient step $t$")
        ax.set_title(f"digits in {d} dimensions")
    axes[0].set_ylabel("loss / initial loss")


def plot_measured_against_predicted(ax: Any, runs: Mapping[tuple, Any],
                                    dims_markers: Sequence[tuple[int, str]],
                                    acts: Sequence[str], all_acts: Sequence[str],
                                    seeds: Sequence[int]) -> None:
    """Every run's final / initial loss: measured against its linearised prediction."""
    colours = palette(all_acts)
    for d, mk in dims_markers:
        for a in acts:
            meas = per_seed(runs, d, a, seeds, lambda r: r.loss_ratio[0])
            pred = per_seed(runs, d, a, seeds,
                            lambda r: r.predicted_loss[0, -1] / r.loss[0, 0])
            ax.loglog(pred, meas, mk, color=colours[a], ms=5,
                      label=a if d == dims_markers[0][0] else None)
    lims = np.array(ax.get_xlim())
    ax.plot(lims, lims, color="grey", lw=1, label="measured = predicted")
    for d, mk in dims_markers:
        ax.plot([], [], mk, color="k", mfc="none", label=f"{d} dimensions")
    ax.set_xlabel("linearised prediction (final / initial loss)")
    ax.set_ylabel("measured (final / initial loss)")
