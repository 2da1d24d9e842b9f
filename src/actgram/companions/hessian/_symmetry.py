r"""Symmetry of the critical points: canonical forms and the :math:`\Delta S_{k-1}`
family.

The loss with target :math:`[I_k \mid 0]` is invariant under simultaneous permutations
of the rows of ``W`` and the first ``k`` columns (and under permutations of the extra
columns). :func:`canonical_form` undoes such permutations and reads off the isotropy;
:func:`symmetric_critical_point` solves for a critical point in the subspace fixed by
:math:`\Delta S_{k-1}` and :func:`symmetric_family` follows it through the sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..._validate import check_array, positive_int, real_scalar
from ._closed_form import _hessian, _loss_grad, _weights, teacher
from ._minima import _backtrack


def _clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Indices of ``values`` grouped so that sorted neighbours closer than ``tol`` share
    a group."""
    order = np.argsort(values, kind="stable")
    groups, cur = [], [order[0]]
    for a, b in zip(order[:-1], order[1:], strict=True):
        if values[b] - values[a] <= tol:
            cur.append(b)
        else:
            groups.append(np.array(cur))
            cur = [b]
    groups.append(np.array(cur))
    return groups


def _signature_groups(M: np.ndarray, tol: float) -> list[np.ndarray]:
    """Group the rows of ``M`` whose sorted entries agree within ``tol`` (rows of one
    orbit of the isotropy)."""
    sig = np.sort(M, axis=1)
    groups: list[list[int]] = []
    for i in range(M.shape[0]):
        for g in groups:
            if np.max(np.abs(sig[g[0]] - sig[i])) <= tol:
                g.append(i)
                break
        else:
            groups.append([i])
    return [np.array(g) for g in groups]


@dataclass
class Canonical:
    r"""Canonical form of ``W`` under the symmetries of :math:`L` with target
    :math:`[I_k\mid 0]`.

    ``W`` is ``P W0 Q^T`` (rows permuted by ``row_perm``, columns by ``col_perm``): rows
    (and the first ``k`` columns) are grouped by their sorted entries (one group per
    orbit of the isotropy), the smallest groups first, and inside each group rows are
    matched to columns for the largest trace. (Matching all rows at once by the largest
    trace does not work: at the spurious minima the special neuron's diagonal entry is
    negative.) ``blocks`` are the group sizes; when ``defect <= tol``, ``W`` is
    invariant under simultaneous permutations of rows and columns inside every group
    (isotropy :math:`\Delta(S_{m_1}\times\dots)`, e.g. ``(1, k - 1)`` for :math:`\Delta
    S_{k-1}`); ``extra_symmetric`` says whether the ``d - k`` extra columns are
    interchangeable; ``defect`` is the largest change of an entry under those
    permutations (0 for exact symmetry); ``values`` the distinct entries (within
    ``tol``), ascending.
    """

    W: np.ndarray
    row_perm: np.ndarray
    col_perm: np.ndarray
    blocks: tuple[int, ...]
    extra_symmetric: bool
    defect: float
    values: np.ndarray


def _defects(A: np.ndarray, groups, k: int) -> tuple[float, float]:
    """Largest entry change of ``A`` under adjacent transpositions inside each group
    (rows and columns together), and under those of the extra columns."""
    d = A.shape[1]
    defect = 0.0
    for g in groups:  # adjacent transpositions generate each block's symmetric group
        for a, b in zip(g[:-1], g[1:], strict=True):
            p = np.arange(d)
            p[[a, b]] = [b, a]
            defect = max(defect, float(np.max(np.abs(A[p[:k]][:, p] - A))))
    extra_def = 0.0
    for a in range(k, d - 1):
        p = np.arange(d)
        p[[a, a + 1]] = [a + 1, a]
        extra_def = max(extra_def, float(np.max(np.abs(A[:, p] - A))))
    return defect, extra_def


def canonical_form(W, *, tol: float = 1e-6) -> Canonical:
    """Canonical form and isotropy of ``W`` (shape (k, d), ``d >= k``); see
    :class:`Canonical`.

    Entries closer than ``tol`` count as equal (use a tolerance well above the accuracy
    of the minimiser that produced ``W``: 1e-6 for ``|grad| < 1e-11`` and a Hessian
    bounded below by 1e-3).
    """
    W = _weights(W, allow_zero_rows=True)
    tol = real_scalar(tol, "tol", positive=True)
    k, d = W.shape
    if d < k:
        raise ValueError(f"canonical_form needs d >= k (teacher [I_k | 0]); got W of "
                         f"shape {W.shape}")
    row_groups = _signature_groups(W, tol)
    col_groups = _signature_groups(W[:, :k].T, tol)
    if sorted(map(len, row_groups)) != sorted(map(len, col_groups)):
        row_groups, col_groups = [np.arange(k)], [np.arange(k)]  # no consistent pattern
    row_groups.sort(key=lambda g: (len(g), float(np.mean(W[g]))))
    col_groups.sort(key=lambda g: (len(g), float(np.mean(W[:, g]))))
    row_perm, col_perm, groups = [], [], []
    for rg, cg in zip(row_groups, col_groups, strict=True):
        # inside a pair of groups, match rows to columns with the largest possible trace
        r, c = linear_sum_assignment(-W[np.ix_(rg, cg)])
        row_perm.extend(rg[r])
        col_perm.extend(cg[c])
        groups.append(np.arange(len(row_perm) - len(rg), len(row_perm)))
    row_perm = np.array(row_perm)
    col_perm = np.concatenate([np.array(col_perm, dtype=int), np.arange(k, d)])
    A = W[row_perm][:, col_perm]
    defect, extra_def = _defects(A, groups, k)
    values = np.array([float(np.mean(A.ravel()[g])) for g in _clusters(A.ravel(), tol)])
    return Canonical(W=A, row_perm=row_perm, col_perm=col_perm,
                     blocks=tuple(len(g) for g in groups),
                     extra_symmetric=extra_def <= tol, defect=defect,
                     values=np.sort(values))


def symmetric_basis(k: int, d: int | None = None) -> np.ndarray:
    r"""Basis of the matrices fixed by :math:`\Delta S_{k-1}` (and :math:`S_{d-k}` on
    the extra columns).

    Returns an array (m, k, d) of 0/1 indicator matrices, ``m = 5`` for ``d = k`` and 7
    for ``d > k``: entry (0,0); row 0 on columns 1..k-1; column 0 on rows 1..k-1; the
    diagonal (i, i), i >= 1; the off-diagonal of the lower-right (k-1) block; and for
    ``d > k`` row 0 and rows 1..k-1 on the extra columns. Needs ``k >= 3`` (so that all
    five orbits are non-empty).
    """
    k = positive_int(k, "k", minimum=3)
    d = k if d is None else positive_int(d, "d")
    if d < k:
        raise ValueError(f"need d >= k; got k = {k}, d = {d}")
    B = np.zeros((7 if d > k else 5, k, d))
    B[0, 0, 0] = 1
    B[1, 0, 1:k] = 1
    B[2, 1:, 0] = 1
    B[3, np.arange(1, k), np.arange(1, k)] = 1
    B[4, 1:, 1:k] = 1 - np.eye(k - 1)
    if d > k:
        B[5, 0, k:] = 1
        B[6, 1:, k:] = 1
    return B


def symmetric_critical_point(theta0, k: int, d: int | None = None, *,
                             grad_tol: float = 1e-11,
                             max_steps: int = 100) -> tuple[np.ndarray, np.ndarray]:
    r"""Critical point of :math:`L` in the :math:`\Delta S_{k-1}`-fixed space, by
    Newton.

    ``W = sum_m theta_m B_m`` with ``B`` from :func:`symmetric_basis`, started at
    ``theta0``; the reduced gradient is :math:`B^\top\nabla L` and the reduced Hessian
    :math:`B^\top H B` (exact, closed form). By the principle of symmetric criticality a
    critical point of the reduced problem is a critical point of :math:`L`; the full
    gradient is returned so the caller can check it. Returns ``(theta, W)``; raises
    ``RuntimeError`` if the full gradient norm does not fall below ``grad_tol``.
    ``theta0`` of length 5 is padded with zeros to 7 when ``d > k``.
    """
    B = symmetric_basis(k, d)
    m, k, d = B.shape
    theta = check_array(theta0, "theta0",
                        what="a real vector of 5 (or 7 when d > k) parameters").ravel()
    if theta.size == 5 and m == 7:
        theta = np.concatenate([theta, [0.0, 0.0]])
    if theta.size != m:
        raise ValueError(f"theta0 must have {m} entries for k = {k}, d = {d}; "
                         f"got {theta.size}")
    V = teacher(k, d)
    Bm = B.reshape(m, -1).T  # (kd, m)
    W = np.tensordot(theta, B, 1)
    _, g = _loss_grad(W, V)
    for _ in range(max_steps):
        gn = float(np.linalg.norm(g))
        if gn < grad_tol:
            return theta, W
        gr = Bm.T @ g.ravel()
        Hr = Bm.T @ _hessian(W, V) @ Bm
        step = -np.linalg.solve(Hr, gr)
        found = _backtrack(theta, step, lambda th: np.tensordot(th, B, 1), V, gn, 1e-6)
        if found is None:
            break
        theta, W, _, g = found
    raise RuntimeError(
        f"Newton in the symmetric subspace did not reach |grad| < {grad_tol:g} (last "
        f"{np.linalg.norm(g):.3g}); start closer (e.g. from the previous k's solution)"
    )


@dataclass
class FamilyPoint:
    r"""One member of a :math:`\Delta S_{k-1}` family: sizes, parameters, weights, loss,
    full Hessian spectrum."""

    k: int
    d: int
    theta: np.ndarray
    W: np.ndarray = field(repr=False)
    loss: float
    grad_norm: float
    eigs: np.ndarray = field(repr=False)


def symmetric_family(theta0, ks, ds=None, *,
                     grad_tol: float = 1e-11) -> list[FamilyPoint]:
    r"""Follow a :math:`\Delta S_{k-1}` critical point through the sizes ``ks``.

    Each size is solved by :func:`symmetric_critical_point`, started from the previous
    size's five parameters (the first from ``theta0``), so pass ``ks`` in steps of 1
    away from the size where ``theta0`` was found (continuation). ``ds`` (default
    ``ks``) are the input dimensions, ``ds[i] >= ks[i]``. Every point gets its full
    gradient norm and full Hessian spectrum (``eigvalsh``, absolute accuracy about
    :math:`10^{-15}\|H\|`).
    """
    ks = [positive_int(k, "k", minimum=3) for k in np.atleast_1d(ks).tolist()]
    ds = (ks if ds is None
          else [positive_int(d, "d") for d in np.atleast_1d(ds).tolist()])
    if len(ds) != len(ks):
        raise ValueError("ks and ds must have the same length; "
                         f"got {len(ks)} and {len(ds)}")
    theta = check_array(theta0, "theta0",
                        what="a real vector of 5 parameters").ravel()[:5]
    out = []
    for k, d in zip(ks, ds, strict=True):
        th, W = symmetric_critical_point(theta[:5], k, d, grad_tol=grad_tol)
        V = teacher(k, d)
        loss, g = _loss_grad(W, V)
        out.append(FamilyPoint(k=k, d=d, theta=th, W=W, loss=float(loss),
                               grad_norm=float(np.linalg.norm(g)),
                               eigs=np.linalg.eigvalsh(_hessian(W, V))))
        theta = th
    return out
