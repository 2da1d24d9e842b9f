r"""Hessian spectra: eigenvalues grouped with their multiplicities, and the
multiplicities of :math:`\tfrac14 \mp \tfrac1{2\pi}` at the global minimum."""

from __future__ import annotations

import numpy as np

from ..._validate import check_array, real_scalar
from ._closed_form import _TWO_PI, _hessian, teacher


def cluster_eigenvalues(eigs, *, tol: float = 1e-9) -> list[tuple[float, int]]:
    """Group sorted eigenvalues closer than ``tol`` (relative to ``max(1, |value|)``).

    Returns ``[(mean, multiplicity), ...]``.
    """
    e = np.sort(check_array(eigs, "eigs", min_size=1,
                            what="a real vector of eigenvalues").ravel())
    tol = real_scalar(tol, "tol", positive=True)
    out, cur = [], [e[0]]
    for a, b in zip(e[:-1], e[1:], strict=True):
        if b - a <= tol * max(1.0, abs(b)):
            cur.append(b)
        else:
            out.append((float(np.mean(cur)), len(cur)))
            cur = [b]
    out.append((float(np.mean(cur)), len(cur)))
    return out


def global_minimum_multiplicities(k: int, d: int | None = None, *,
                                  tol: float = 1e-9) -> dict[str, int]:
    r"""Multiplicities of :math:`\tfrac14 \mp \tfrac1{2\pi}` in the Hessian spectrum at
    ``W = V`` (measured).

    Counts the eigenvalues of :func:`population_hessian` at the global minimum within
    ``tol`` of each value (the closed-form Hessian is accurate to about
    :math:`10^{-15}k`, so ``tol = 1e-9`` separates them from every other eigenvalue by a
    wide margin).
    """
    V = teacher(k, d)
    e = np.linalg.eigvalsh(_hessian(V, V))
    tol = real_scalar(tol, "tol", positive=True)
    lo, hi = 0.25 - 1 / _TWO_PI, 0.25 + 1 / _TWO_PI
    return {"1/4 - 1/(2 pi)": int(np.sum(np.abs(e - lo) < tol)),
            "1/4 + 1/(2 pi)": int(np.sum(np.abs(e - hi) < tol))}
