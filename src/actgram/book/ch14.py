r"""Chapter 14's own helpers: a finite-difference check of the closed-form gradient, the
study over several teachers and initialisation seeds, and the chapter's tables and error bars.

The model and its training live in :mod:`actgram.companions.shortcut`; these functions run it
the way the chapter does and arrange the results for its tables, figures and checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..companions import shortcut as sc
from . import Table

__all__ = [
    "gradient_error",
    "interval_bars",
    "success_table",
    "teacher_study",
    "teacher_table",
]


def gradient_error(u: np.ndarray, a: np.ndarray, v_star: np.ndarray, a_star: np.ndarray,
                   *, h: float = 1e-6) -> float:
    r"""Largest difference between :func:`~actgram.companions.shortcut.loss_gradient` and
    central differences of the closed-form loss (step ``h`` in every coordinate of ``u`` and
    ``a``), relative to the gradient's norm. Accuracy of the differences: truncation
    :math:`O(h^2)` plus round-off :math:`O(\epsilon/h)`, about 1e-10 for ``h = 1e-6``."""
    loss = sc.convnet_loss
    fd = [(loss(u + h * e, a, v_star, a_star) - loss(u - h * e, a, v_star, a_star)) / (2 * h)
          for e in np.eye(u.size)]
    fd += [(loss(u, a + h * e, v_star, a_star) - loss(u, a - h * e, v_star, a_star)) / (2 * h)
           for e in np.eye(a.size)]
    gu, ga = sc.loss_gradient(u, a, v_star, a_star)
    g = np.concatenate([gu, ga])
    return float(np.max(np.abs(g - np.array(fd))) / np.linalg.norm(g))


def teacher_study(k: int, p: int, v_star: np.ndarray, n_teachers: int, radii: Sequence[float],
                  *, n_plain: int, n_shortcut: int, angles: Sequence[float], eta: float,
                  steps: int) -> list[dict[str, Any]]:
    r"""Repeat the chapter's two comparisons for teachers ``a* ~ N(0, I_k)`` from seeds
    ``1..n_teachers``, with fresh initialisation seeds.

    For teacher ``t``: ``n_plain`` plain-net trials from random starts (filter on the
    sphere, second layer in the ball of radius :math:`0.3\|a^*\|`, seed ``1000 + t``), and for
    each ball radius ``rf`` in ``radii`` (times :math:`\|a^*\|`, seed ``2000 + 10 t + j``)
    ``n_shortcut`` shortcut-start trials at each teacher angle in ``angles`` (radians).
    Returns one dict per teacher: ``seed``, ``margin`` (:func:`spurious_margin`), ``other``
    (plain trials at neither point), ``spur`` (rate, low, high of the plain spurious share,
    95 % Clopper-Pearson) and, under each ``rf``, one such triple per angle for the shortcut
    start's success.
    """
    angles = np.asarray(angles, dtype=np.float64)
    rows = []
    for t in range(1, n_teachers + 1):
        a_t = np.random.default_rng(t).standard_normal(k)
        r_t = np.linalg.norm(a_t)
        rng_t = np.random.default_rng(1000 + t)
        u0t, a0t = sc.plain_init(n_plain, p, k, 0.3 * r_t, rng_t)
        res_t = sc.train(u0t, a0t, v_star, a_t, eta=eta, steps=steps, record_every=steps)
        lab_t = sc.classify(res_t.u, res_t.a, v_star, a_t)
        n_sp = int(np.sum(lab_t == "spurious"))
        row: dict[Any, Any] = {"seed": t, "margin": sc.spurious_margin(a_t),
                               "other": int(np.sum(lab_t == "other")),
                               "spur": sc.success_interval(n_sp, n_plain)}
        for j, rf in enumerate(radii):
            s_t = sc.direction_at_angle(v_star, np.repeat(angles, n_shortcut))
            rng_t = np.random.default_rng(2000 + 10 * t + j)
            u0s, a0s = sc.shortcut_init(s_t.shape[0], s_t, k, rf * r_t, rng_t)
            res_s = sc.train(u0s, a0s, v_star, a_t, eta=eta, steps=steps,
                             record_every=steps)
            lab_s = sc.classify(res_s.u, res_s.a, v_star, a_t)
            won = (lab_s == "global").reshape(angles.size, n_shortcut).sum(axis=1)
            row[rf] = [sc.success_interval(int(w), n_shortcut) for w in won]
        rows.append(row)
    return rows


def teacher_table(rows: Sequence[Mapping[Any, Any]], radii: Sequence[float],
                  angles_deg: Sequence[float]) -> Table:
    """One row per teacher: margin, the plain net's spurious share with its 95 % interval,
    and the shortcut start's success at each angle for each ball."""
    out = []
    for row in rows:
        rate, lo, hi = row["spur"]
        r = {"seed": row["seed"], "margin": f"{row['margin']:.3f}",
             "plain spurious (95% CI)": f"{rate:.3f} ({lo:.3f}-{hi:.3f})"}
        for rf in radii:
            r[f"ball {rf}: " + " / ".join(f"{x:.0f}°" for x in angles_deg)] = " / ".join(
                f"{v[0]:.2f}" for v in row[rf])
        out.append(r)
    return Table(out)


def success_table(phis: np.ndarray, rate: Mapping[float, np.ndarray],
                  *, max_rows: int = 19) -> Table:
    """Success rate of the shortcut start against the teacher's angle (degrees), one column
    per ball radius; at most about ``max_rows`` angles (every n-th of a finer grid)."""
    step = max(1, phis.size // max_rows)
    rows = []
    for i in range(0, phis.size, step):
        r = {"angle (deg)": f"{math.degrees(phis[i]):.0f}"}
        r.update({f"ball {rf:.1f}|a*|": f"{v[i]:.2f}" for rf, v in rate.items()})
        rows.append(r)
    return Table(rows)


def interval_bars(v: Sequence[Sequence[float]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rates and the distances to their intervals' ends, for ``errorbar(yerr=...)``.

    ``v`` holds triples ``(rate, low, high)``; returns ``(rates, [rate - low, high - rate])``.
    """
    v = np.asarray(v, dtype=np.float64)
    return v[:, 0], [v[:, 0] - v[:, 1], v[:, 2] - v[:, 0]]
