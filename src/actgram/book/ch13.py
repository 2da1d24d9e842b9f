r"""Chapter 13's own helpers: tables of random starts and of the symmetric family, and the
straight-line fits that measure how the Hessian spectrum at the spurious minima scales with k.

Nothing here computes a Hessian; :mod:`actgram.companions.hessian` does. These functions
summarise its results (counts, canonical forms, fitted slopes) for the chapter's tables,
figures and checks.
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import TEXT_WIDTH, Table, below

__all__ = [
    "canonical_spread",
    "delta_s_minima",
    "expected_multiplicities",
    "family_table",
    "fit_line",
    "scaling_fits",
    "scaling_table",
    "start_table",
    "symmetry_table",
    "wrapped",
]


def wrapped(items: Sequence[str], *, indent: str = "  ") -> str:
    """Comma-separated ``items`` wrapped to the book's text width, each line indented."""
    return textwrap.fill(", ".join(items), TEXT_WIDTH, initial_indent=indent,
                         subsequent_indent=indent)


def start_table(runs: Mapping[int, Sequence[Any]], n_starts: int) -> Table:
    r"""Outcomes of the random starts at each width: counts by verdict, the spurious
    fraction with its binomial standard error :math:`\sqrt{f(1-f)/N}`, and the distinct
    losses (6 decimals) at the spurious minima."""
    rows = []
    for k, res in runs.items():
        verdicts = Counter(r.verdict for r in res)
        frac = verdicts["spurious"] / n_starts
        se = math.sqrt(frac * (1 - frac) / n_starts)
        losses = sorted({f"{r.loss:.6f}" for r in res if r.verdict == "spurious"})
        rows.append({"k = d": k, "global": verdicts["global"],
                     "spurious": verdicts["spurious"], "other": verdicts["other"],
                     "fraction spurious": f"{frac:.2f} ± {se:.2f}",
                     "loss at the spurious minima": ", ".join(losses) or "-"})
    return Table(rows)


def delta_s_minima(spurious: Mapping[int, Sequence[Any]],
                   canon: Mapping[int, Sequence[Any]], *, tol: float = 1e-8
                   ) -> dict[int, list[tuple[Any, Any]]]:
    r"""The spurious minima with the :math:`\Delta S_{k-1}` pattern at each width: pairs
    ``(result, canonical form)`` with blocks ``(1, k - 1)`` and symmetry defect below ``tol``."""
    return {k: [(r, c) for r, c in zip(spurious[k], cs, strict=True)
                if c.blocks == (1, k - 1) and c.defect < tol]
            for k, cs in canon.items()}


def canonical_spread(type_a: Mapping[int, Sequence[tuple[Any, Any]]]) -> dict[int, float]:
    """Largest entrywise difference between the canonical forms of each width's minima
    (0 where there is at most one; equal forms mean one orbit under the symmetries)."""
    return {k: max((float(np.max(np.abs(c.W - ta[0][1].W))) for _, c in ta), default=0.0)
            for k, ta in type_a.items()}


def symmetry_table(spurious: Mapping[int, Sequence[Any]],
                   canon: Mapping[int, Sequence[Any]], *, tol: float = 1e-8) -> Table:
    """Spurious minima of each width grouped by (blocks, distinct entries, loss to 6
    decimals, exact symmetry: defect below ``tol``), with their counts."""
    rows = []
    for k, cs in canon.items():
        groups = Counter((c.blocks, len(c.values), f"{r.loss:.6f}", bool(c.defect < tol))
                         for r, c in zip(spurious[k], cs, strict=True))
        for (blocks, nval, loss, exact), n in sorted(groups.items(), key=lambda t: t[0][2]):
            rows.append({"k = d": k, "blocks": str(blocks), "distinct entries": nval,
                         "loss": loss, "exact symmetry": exact, "count": n})
    return Table(rows)


def family_table(family: Mapping[int, Any], *, every: int = 4, upto: int = 12) -> Table:
    r"""Points of the symmetric family: loss, gradient norm, smallest Hessian eigenvalue and
    the five pattern values ``a, b, c, d0, e`` (all widths up to ``upto``, then every
    ``every``-th)."""
    rows = []
    for k, p in family.items():
        if k <= upto or k % every == 0:
            row = {"k = d": k, "loss": f"{p.loss:.6f}", "|grad|": below(p.grad_norm, 1e-11),
                   "λ_min": f"{p.eigs[0]:.5f}"}
            row.update({n: f"{t:.4f}" for n, t in zip(("a", "b", "c", "d0", "e"), p.theta,
                                                       strict=True)})
            rows.append(row)
    return Table(rows)


def fit_line(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """Least-squares line ``y = s x + c``: the slope ``s``, its standard error (from
    ``np.polyfit``'s covariance) and the largest residual relative to the range of ``y``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    (slope, icpt), cov = np.polyfit(x, y, 1, cov=True)
    resid = y - (slope * x + icpt)
    return float(slope), math.sqrt(cov[0, 0]), float(np.max(np.abs(resid)) / np.ptp(y))


def scaling_fits(scan: Mapping[str, Sequence[Any]]) -> dict[str, dict[str, Any]]:
    r"""For each input shape, the spectra of the family points against ``k``: the
    :math:`(d+1)`-th largest eigenvalue ``grow``, the largest ``top``, the top of the bulk
    ``bulk`` (the :math:`(d+2)`-th largest), their fitted slopes (``s_*``), standard errors
    (``se_*``) and relative residuals (``r_*``), the smallest ratio ``gap`` =
    :math:`\lambda_{(d+1)}/\lambda_{(d+2)}`, the smallest eigenvalue ``lam_min`` and the
    largest gradient norm ``grad`` over the range."""
    fits = {}
    for name, pts in scan.items():
        ks = np.array([p.k for p in pts], dtype=float)
        grow = np.array([p.eigs[-(p.d + 1)] for p in pts])
        top = np.array([p.eigs[-1] for p in pts])
        bulk = np.array([p.eigs[-(p.d + 2)] for p in pts])
        s_grow, se_grow, r_grow = fit_line(ks, grow)
        s_top, se_top, r_top = fit_line(ks, top)
        s_bulk, _, _ = fit_line(ks, bulk)
        fits[name] = dict(ks=ks, grow=grow, top=top, bulk=bulk, s_grow=s_grow,
                          se_grow=se_grow, r_grow=r_grow, s_top=s_top, se_top=se_top,
                          r_top=r_top, s_bulk=s_bulk, gap=float(np.min(grow / bulk)),
                          lam_min=min(p.eigs[0] for p in pts),
                          grad=max(p.grad_norm for p in pts))
    return fits


def scaling_table(fits: Mapping[str, Mapping[str, Any]]) -> Table:
    """The fitted slopes (± standard error), the bulk's top and slope, the smallest gap ratio
    and the smallest eigenvalue, one row per input shape."""
    rows = []
    for name, f in fits.items():
        rows.append({"shape": name, "k": f"{int(f['ks'][0])}..{int(f['ks'][-1])}",
                     "slope λ_(d+1)": f"{f['s_grow']:.4f} ± {f['se_grow']:.4f}",
                     "slope λ_max": f"{f['s_top']:.4f} ± {f['se_top']:.4f}",
                     "bulk top (max)": f"{f['bulk'].max():.4f}",
                     "bulk slope": f"{f['s_bulk']:.4f}", "min gap ratio": f"{f['gap']:.2f}",
                     "min λ_min": f"{f['lam_min']:.4f}"})
    return Table(rows)


def expected_multiplicities(k: int) -> list[int]:
    """The multiplicities measured at the spurious minima for d = k, sorted: five simple
    eigenvalues, five of multiplicity k - 2, and (k - 2)(k - 3)/2 and (k - 1)(k - 4)/2."""
    return sorted([1] * 5 + [k - 2] * 5 + [(k - 2) * (k - 3) // 2, (k - 1) * (k - 4) // 2])
