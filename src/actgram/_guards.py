r"""Numerical guards used across the package, written once.

* :func:`pair_angles` / :func:`pair_angles_torch`: correlations :math:`\rho_{ij} = x_i\cdot y_j`
  and *stable* angles: where :math:`|\rho| > 0.9` the angle is recomputed from the rows as
  :math:`2\,\mathrm{atan2}(\|x-y\|, \|x+y\|)`, accurate to a few ulps for near-duplicates and
  near-antipodes, where :math:`\arccos\rho` loses half the digits.
* :func:`direction_angles`: the same formula for vectors of any (nonzero) length, broadcast over
  leading axes (weight vectors of the companion models).
* :func:`clenshaw_panels` / :func:`clenshaw_panels_torch`: evaluation of a piecewise Chebyshev
  interpolant on :math:`[0, \pi]` (``coef[p, j]`` multiplies :math:`T_j` on panel ``p``).
* :func:`dense_radius`: the Weyl radius of a dense float64 eigen-solve of a kernel matrix whose
  entries carry :data:`ENTRY_ERROR`.
"""

from __future__ import annotations

import math

import numpy as np

#: Unit round-off of float64.
EPS = float(np.finfo(np.float64).eps)
#: Absolute accuracy of a kernel entry (relative to ``max(1, |entry|)``).
ENTRY_ERROR = 1e-14
#: Entry accuracy the kernels promise for user callables (relative to
#: ``max(1, |entry|)``; the error control of :mod:`actgram.kernels`).
CALLABLE_ENTRY_ERROR = 1e-12
#: Absolute correlation above which the angle is recomputed from the rows.
STABLE_ABOVE = 0.9


def pair_angles(X: np.ndarray, Y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Correlations :math:`\rho_{ij} = x_i\cdot y_j` and stable angles :math:`\theta_{ij}`.

    Rows must be unit norm (not checked here). Where :math:`|\rho| > 0.9` the angle is
    recomputed as :math:`2\,\mathrm{atan2}(\|x-y\|, \|x+y\|)`, accurate to a few ulps even for
    near-duplicates, where :math:`\arccos` loses half the digits. With ``Y=None`` the diagonal
    is exactly :math:`\rho = 1`, :math:`\theta = 0`.
    """
    if X.shape[0] * (X.shape[0] if Y is None else Y.shape[0]) >= 4096:
        from . import _fused

        if _fused.enabled():  # one compiled parallel pass after the product (same numbers)
            return _fused.pair_angles(X, Y)
    Y = X if Y is None else Y
    R = np.clip(X @ Y.T, -1.0, 1.0)
    theta = np.arccos(R)
    i, j = np.nonzero(np.abs(R) > STABLE_ABOVE)
    step = max(1, 2_000_000 // max(1, X.shape[1]))
    for s in range(0, i.size, step):
        a, b = X[i[s:s + step]], Y[j[s:s + step]]
        theta[i[s:s + step], j[s:s + step]] = 2.0 * np.arctan2(
            np.linalg.norm(a - b, axis=1), np.linalg.norm(a + b, axis=1))
    if Y is X:
        np.fill_diagonal(theta, 0.0)
        np.fill_diagonal(R, 1.0)
    return R, theta


def pair_angles_torch(X, Y=None):
    r"""Torch version of :func:`pair_angles` (same formulas; tensors on one device)."""
    import torch

    same = Y is None
    Y = X if same else Y
    R = torch.clamp(X @ Y.T, -1.0, 1.0)
    theta = torch.arccos(R)
    i, j = torch.nonzero(torch.abs(R) > STABLE_ABOVE, as_tuple=True)
    step = max(1, 2_000_000 // max(1, X.shape[1]))
    for s in range(0, i.numel(), step):
        a, b = X[i[s:s + step]], Y[j[s:s + step]]
        theta[i[s:s + step], j[s:s + step]] = 2.0 * torch.atan2(
            torch.linalg.norm(a - b, dim=1), torch.linalg.norm(a + b, dim=1))
    if same:
        theta.fill_diagonal_(0.0)
        R.fill_diagonal_(1.0)
    return R, theta


def direction_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Angle in :math:`[0, \pi]` between *unit* vectors ``a`` and ``b`` along the last axis.

    :math:`2\,\mathrm{atan2}(\|a - b\|, \|a + b\|)`: full relative accuracy near 0 and
    :math:`\pi` (no :math:`\arccos` of a rounded cosine). Leading axes broadcast.
    """
    return 2.0 * np.arctan2(np.linalg.norm(a - b, axis=-1), np.linalg.norm(a + b, axis=-1))


def clenshaw_panels(coef: np.ndarray, theta) -> np.ndarray:
    r"""Piecewise Chebyshev interpolant on :math:`[0, \pi]` at ``theta`` (numpy).

    ``coef`` has shape (P, D + 1): panel ``p`` covers :math:`[p\pi/P, (p+1)\pi/P]`, local
    coordinate :math:`y \in [-1, 1]`, value :math:`\sum_j c_{pj} T_j(y)` by Clenshaw's
    recurrence (backward stable: error a few ulps of :math:`\sum_j |c_{pj}|`).
    """
    P, D1 = coef.shape
    x = np.asarray(theta, dtype=np.float64) * (P / math.pi)
    p = np.clip(np.floor(x).astype(np.intp), 0, P - 1)
    y = 2.0 * (x - p) - 1.0
    b1 = np.zeros_like(y)
    b2 = np.zeros_like(y)
    y2 = 2.0 * y
    for j in range(D1 - 1, 0, -1):
        b1, b2 = coef[p, j] + y2 * b1 - b2, b1
    return coef[p, 0] + y * b1 - b2


def clenshaw_panels_torch(coef: np.ndarray, device, dtype):
    """:func:`clenshaw_panels` as a function of a torch tensor of angles (same recurrence)."""
    import torch

    C = torch.as_tensor(coef, dtype=dtype, device=device)
    P, D1 = C.shape

    def f(theta):
        x = theta * (P / math.pi)
        p = torch.clamp(torch.floor(x).long(), 0, P - 1)
        y = 2.0 * (x - p) - 1.0
        y2 = 2.0 * y
        b1 = torch.zeros_like(y)
        b2 = torch.zeros_like(y)
        for j in range(D1 - 1, 0, -1):
            b1, b2 = C[:, j][p] + y2 * b1 - b2, b1
        return C[:, 0][p] + y * b1 - b2

    return f


def dense_radius(n: int, entry_max: float, norm: float,
                 entry_error: float = ENTRY_ERROR) -> float:
    r"""Weyl radius of a dense float64 eigen-solve of an ``n x n`` kernel matrix.

    :math:`\delta = n\,e\max(1, \max|M_{ij}|) + 4\sqrt n\,\varepsilon\|M\|_2`: the
    entry error (``entry_error`` :math:`= e` per entry relative to ``max(1, |entry|)``:
    :data:`ENTRY_ERROR` for the built-in activations, :data:`CALLABLE_ENTRY_ERROR` for user
    callables; at most ``n`` times that in spectral norm) plus the backward error of
    ``eigh``/``eigvalsh``. Every computed eigenvalue is within :math:`\delta` of the exact
    one.
    """
    return n * entry_error * max(1.0, float(entry_max)) + 4.0 * math.sqrt(n) * EPS * float(norm)


def entry_error(act) -> float:
    """The entry accuracy the kernels promise for ``act``: :data:`ENTRY_ERROR` for a
    built-in, :data:`CALLABLE_ENTRY_ERROR` for a user callable."""
    return ENTRY_ERROR if act.builtin else CALLABLE_ENTRY_ERROR
