r"""Helpers of the chapter "Below the float64 floor" (presentation and bookkeeping only).

The chapter computes :math:`\lambda_{\min}(G^\infty)` for tanh on the half circle three ways
(float64 and float32 ``eigvalsh``, the brackets of ``ag.lambda_min``), counts the zero
eigenvalues that antipodal pairs force on the full circle, and compares estimated with
certified brackets. These helpers draw its main figure and gather its counts; the numbers
come from the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import activation, data, gram_inf

__all__ = ["antipodal_counts", "phi_parity", "plot_floor"]


def phi_parity(act: str, *, half_width: float = 10.0, tol: float = 1e-13) -> str:
    r"""Symmetry of :math:`\phi'` on a grid of ``[-half_width, half_width]`` (2001 points).

    ``"even"`` if :math:`|\phi'(u) - \phi'(-u)| < ` ``tol`` everywhere, ``"const+odd"`` if
    :math:`|\phi'(u) + \phi'(-u) - 2\phi'(0)| <` ``tol`` (a constant plus an odd function),
    else ``"neither"``. A numerical test on a grid, not a proof.
    """
    u = np.linspace(-half_width, half_width, 2001)
    d = activation(act).derivative
    even_dev = np.max(np.abs(d(u) - d(-u)))
    cpo_dev = np.max(np.abs(d(u) + d(-u) - 2 * d(np.zeros(1))[0]))
    if even_dev < tol:
        return "even"
    return "const+odd" if cpo_dev < tol else "neither"


def antipodal_counts(spectra: Mapping[tuple[str, int], Any], parity: Mapping[str, str], *,
                     zero: float = 1e-22, eps: float = float(np.finfo(np.float64).eps)
                     ) -> pd.DataFrame:
    r"""Zero eigenvalues of :math:`G^\infty` on the full circle: predicted, found two ways.

    ``spectra[act, n]`` is ``ag.smallest_eigenvalues(ag.data.circle(n), act, n)`` (even
    ``n``: ``n/2`` antipodal pairs, rows ``i`` and ``i + n/2``). Per (activation, n):

    * ``row_dev``: how far ``gram_inf``'s rows break the antipodal relation (rows of
      :math:`x` and :math:`-x` opposite for even :math:`\phi'`; equal after removing
      :math:`\phi'(0)^2 XX^\top` for a constant plus an odd :math:`\phi'`), max abs entry;
    * ``predicted``: ``n/2`` (even) or ``n/2 - 2`` (constant plus odd);
    * ``fourier``: eigenvalues whose upper bound lies below ``zero`` times :math:`\|G\|_2`;
    * ``dense``: float64 ``eigvalsh`` eigenvalues below ``100 eps`` times the largest;
    * ``next_lower`` / ``next_text``: the next eigenvalue's lower bound / its text;
    * ``separated``: the next lower bound exceeds ``1e6`` times the largest zero's upper
      bound.
    """
    rows = []
    for (act, n), b in spectra.items():
        X = data.circle(n)
        G = gram_inf(X, act)
        if parity[act] == "even":
            row_dev = np.max(np.abs(G[: n // 2] + G[n // 2:]))
            predicted = n // 2
        else:
            c0 = activation(act).derivative(np.zeros(1))[0]  # the constant: phi'(0)
            E = G - c0**2 * (X @ X.T)
            row_dev = np.max(np.abs(E[: n // 2] - E[n // 2:]))
            predicted = n // 2 - 2
        ev = np.linalg.eigvalsh(G)
        n_zero = int(np.sum(b.upper < zero * b.norm))
        zero_upper, next_lower = float(b.upper[n_zero - 1]), float(b.lower[n_zero])
        rows.append({"activation": act, "n": n, "predicted": predicted, "fourier": n_zero,
                     "dense": int(np.sum(ev < 100 * eps * ev[-1])), "row_dev": row_dev,
                     "floor": b.floor, "separated": next_lower > 1e6 * zero_upper,
                     "next_lower": next_lower, "next_text": b.describe(n_zero, 4)})
    return pd.DataFrame(rows)


def plot_floor(ax: Any, sweep: pd.DataFrame) -> None:
    r""":math:`|\lambda_{\min}|` against ``n``: the bracket, float32 and float64, their floors.

    ``sweep`` has one row per ``n`` with the columns ``n``, ``f64``, ``f32`` (dense
    ``eigvalsh``), ``value``, ``lower``, ``upper``, ``resolved`` (``ag.lambda_min``) and
    ``floor``, ``floor32`` (:math:`\varepsilon\|G\|_2` in float64 and float32). Negative dense
    results are drawn as open markers at :math:`|\lambda|`; unresolved brackets as their
    upper bound (open triangle) over the bar ``[lower, upper]`` where ``lower > 0``.
    """
    n_arr = sweep.n.to_numpy()
    res = sweep.resolved.to_numpy()
    band = sweep.lower.to_numpy() > 0  # a log axis cannot show a lower bound of 0
    ax.vlines(n_arr[band], sweep.lower[band], sweep.upper[band], color="k", lw=3, zorder=3,
              label="ag.lambda_min: bracket")
    ax.plot(n_arr[res], sweep.value[res], "k-", marker=".", ms=6, zorder=4,
            label="ag.lambda_min: resolved value")
    if not res.all():
        ax.plot(n_arr[~res], sweep.upper[~res], "kv", mfc="none", zorder=4,
                label="ag.lambda_min: upper bound (not resolved)")
    for col, floor_col, colour, marker, size, name in [
        ("f32", "floor32", "tab:red", "s", 8, "float32"),
        ("f64", "floor", "tab:blue", "o", 6, "float64"),
    ]:
        pos = sweep[col].to_numpy() > 0
        ax.plot(n_arr[pos], sweep[col][pos], ls="none", marker=marker, ms=size,
                color=colour, label=f"{name} eigvalsh, positive")
        ax.plot(n_arr[~pos], -sweep[col][~pos], ls="none", marker=marker, ms=size,
                mfc="none", color=colour, label=f"{name} eigvalsh, negative: |value|")
        ax.plot(n_arr, sweep[floor_col], ls="--", color=colour, lw=1,
                label=rf"{name} floor $\varepsilon\,\|G^\infty\|_2$")
    ax.set_yscale("log")
    ax.set_xlabel("number of points $n$ (half circle)")
    ax.set_ylabel(r"$|\lambda_{\min}(G^\infty)|$")
