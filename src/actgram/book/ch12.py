r"""Chapter 12's own helpers: how a trained threshold net scores on the chapter's objective,
whether a straight-through run has converged, the dictionary of all patterns of a few points,
and the chapter's tables.

The convex program, the networks and their training live in
:mod:`actgram.companions.threshold`; these functions evaluate and arrange their results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import Table

__all__ = [
    "all_patterns",
    "last_quarter_change",
    "net_summary",
    "ste_table",
    "sweep_table",
]


def net_summary(net: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray,
                y_test: np.ndarray, beta: float) -> tuple[float, float, float, float]:
    r"""A threshold net's weight-decay objective :math:`J/n`, the same net in the Lasso's form
    (balanced amplitudes, units with equal patterns merged) :math:`/n`, and its train and test
    accuracy; ``n = len(X)``."""
    n = len(X)
    return (net.objective(X, y, beta) / n, net.convex_objective(X, y, beta) / n,
            net.accuracy(X, y), net.accuracy(X_test, y_test))


def last_quarter_change(res: Any, total_steps: int) -> float:
    r"""Largest relative change of a run's objective over its last quarter, measured from its
    final value: :math:`\max_{t \ge 3T/4} |J_t / J_T - 1|` (``T = total_steps``)."""
    tail = res.objective[res.steps >= 0.75 * total_steps]
    return float(np.max(np.abs(tail / res.objective[-1] - 1)))


def ste_table(convex: Sequence[float],
              runs: Sequence[tuple[str, Sequence[float], float | None]]) -> Table:
    """The convex program's row and one row per straight-through run ``(name, summary,
    last-quarter change or None)``, ``summary`` as :func:`net_summary` returns it: ``J/n``
    and Lasso form/n (5 decimals), train accuracy (3), test accuracy (4) and the change of
    J/n over the run's last quarter (percent)."""
    rows = []
    for name, (J, Jc, tr, te), lq in [("convex (Lasso)", convex, None), *runs]:
        rows.append({"method": name, "J/n": f"{J:.5f}", "Lasso form/n": f"{Jc:.5f}",
                     "train acc": f"{tr:.3f}", "test acc": f"{te:.4f}",
                     "last quarter": "-" if lq is None else f"{lq:.0%}"})
    return Table(rows)


def all_patterns(n: int) -> np.ndarray:
    """Every non-zero 0/1 pattern of ``n`` points: the ``(n, 2**n - 1)`` matrix whose column
    ``j - 1`` holds the binary digits of ``j`` (bit ``i`` in row ``i``)."""
    return np.array([[(k >> i) & 1 for k in range(1, 2**n)] for i in range(n)], dtype=float)


def sweep_table(sweep: Sequence[tuple[int, int, float, float]], n: int) -> Table:
    """The sampled-dictionary study: directions, distinct patterns, Lasso optimum/n (8
    decimals) and its certified gap/n; gaps at or below FISTA's stopping rule (1e-12 P) are
    not printed as numbers."""
    rows = [{"directions": M, "patterns": p, "P/n": f"{obj / n:.8f}",
             "gap/n": "< 1e-12 P" if gap <= 1e-12 * obj else f"{gap / n:.1e}"}
            for M, p, obj, gap in sweep]
    return Table(rows)
