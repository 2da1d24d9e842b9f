r"""Exact zero eigenvalues forced by pairs of points (duplicates, antipodes)."""

from __future__ import annotations

import math

import numpy as np

from .._guards import EPS
from .._validate import as_activation, as_data, check_kind, check_rows
from ._result import EigenBrackets, ExactZero


def _parity(f) -> str | None:
    """'even', 'odd' or None: the exact symmetry of f (to rounding on [-8, 8])."""
    z = np.linspace(1e-3, 8.0, 257)
    with np.errstate(all="ignore"):
        a = np.asarray(f(z), dtype=np.float64)
        b = np.asarray(f(-z), dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    tol = 8.0 * EPS * max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-300)
    if np.max(np.abs(a - b)) <= tol:
        return "even"
    if np.max(np.abs(a + b)) <= tol:
        return "odd"
    return None


def _flip(act, kind: str) -> tuple[int | None, str, str]:
    """Antipodal row j against row i (-1, +1 or None), the matrix, the reason."""
    sym_G = _parity(act.derivative) if act.derivative_defined else None
    sym_K = _parity(act.fn)
    flip_G = {"even": -1, "odd": 1}.get(sym_G) if sym_G else None
    flip_K = {"even": 1, "odd": -1}.get(sym_K) if sym_K else None
    if kind == "G":
        return flip_G, "G", f"phi' is {sym_G}"
    if kind == "K":
        return flip_K, "K", f"phi is {sym_K}"
    flip = flip_G if flip_G is not None and flip_G == flip_K else None
    return flip, "G + K", f"phi' is {sym_G} and phi is {sym_K}"


def _general_rows(X, normalize: bool, rows: str, bias_var: float):
    """The rows the kernel sees: ``(x, sigma_b)`` with a bias; their norms (1 for unit
    rows and no bias) and their directions (for the candidate search)."""
    if rows == "unit" and bias_var == 0.0:
        X = as_data(X, normalize=normalize)
        return X, np.ones(X.shape[0]), X
    X = as_data(X, normalize=normalize, unit=rows == "unit", allow_zero=bias_var > 0)
    if bias_var > 0:
        X = np.hstack([X, np.full((X.shape[0], 1), math.sqrt(bias_var))])
    s = np.linalg.norm(X, axis=1)
    return X, s, X / s[:, None]


def exact_zero_pairs(
    X, act, kind: str = "G", *, normalize: bool = False, rows: str = "unit",
    bias_var: float = 0.0,
) -> list[ExactZero]:
    r"""Pairs of points that force an eigenvalue of the kernel to be exactly zero.

    ``normalize=True``: the pairs of the normalised rows. ``rows="any"`` and
    ``bias_var`` as in :func:`actgram.kernel_inf`.

    * duplicates :math:`x_i = x_j` (to within 4 ulps of the row norm per coordinate):
      two equal rows of the kernel, always (any norms, any bias);
    * antipodes :math:`x_j = -x_i` when the parity of :math:`\phi'` (for ``kind="G"``)
      or of :math:`\phi` (``"K"``) is exact: :math:`\rho_{jk} = -\rho_{ik}` and
      :math:`\mathbb{E}[f(u)f(-v)] = \pm\mathbb{E}[f(u)f(v)]` for even/odd :math:`f`, so
      row j of G is minus row i (:math:`\phi'` even: tanh, sigmoid, erf, sin) or equal
      to it (:math:`\phi'` odd: abs); for K, row j is plus/minus row i. ``"ntk"`` = G +
      K needs both rows to flip the same way (:math:`\phi'` even and :math:`\phi` odd,
      or :math:`\phi'` odd and :math:`\phi` even). This holds for rows of any norm
      (:math:`w\cdot(-x) = -w\cdot x`) but not with a bias (``bias_var > 0``:
      :math:`w\cdot x_j + b \ne -(w\cdot x_i + b)`), where only duplicates count.

    Cost: one chunked product :math:`UU^\top` of the row directions (candidates
    :math:`|\rho_{ij}| > 1 - 64\varepsilon`), confirmed coordinate-wise. Returns
    :class:`ExactZero` records (i < j).
    """
    act = as_activation(act)
    kind = check_kind(kind)
    bias_var = check_rows(rows, bias_var, normalize)
    # with a bias the rows are (x, sigma_b): never antipodal, so only duplicates count
    X, s, U = _general_rows(X, normalize, rows, bias_var)
    n = X.shape[0]
    flip, what, f_what = _flip(act, kind)
    out: list[ExactZero] = []
    step = max(1, 2_000_000 // max(n, 1))
    for s0 in range(0, n, step):
        B = U[s0 : s0 + step] @ U.T
        ii, jj = np.nonzero(np.abs(B) > 1.0 - 64.0 * EPS)
        for a, j in zip(ii + s0, jj, strict=True):
            if j <= a:
                continue
            tol = 4.0 * EPS * max(s[a], s[j])
            if np.max(np.abs(X[a] - X[j])) <= tol:
                out.append(
                    ExactZero(
                        int(a),
                        int(j),
                        "duplicate",
                        f"points {a} and {j} coincide: {what} has two equal rows",
                    )
                )
            elif flip is not None and np.max(np.abs(X[a] + X[j])) <= tol:
                sign = "minus" if flip < 0 else "equal to"
                out.append(
                    ExactZero(
                        int(a),
                        int(j),
                        "antipodal",
                        f"points {a} and {j} are antipodal (x_{j} = -x_{a}) and "
                        f"{f_what}, so row {j} of {what} is {sign} row {a}",
                    )
                )
    return out


def zero_count(pairs, n: int) -> int:
    """n minus the number of classes of points linked by the pairs (a lower bound on the
    number of exact zero eigenvalues)."""
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p in pairs:
        parent[find(p.i)] = find(p.j)
    return n - len({find(a) for a in range(n)})


def mark_zeros(b: EigenBrackets, X: np.ndarray, act, kind: str, rows: str = "unit",
               bias_var: float = 0.0) -> EigenBrackets:
    """Set the eigenvalues forced to 0 by :func:`exact_zero_pairs` (value, lower 0)."""
    pairs = exact_zero_pairs(X, act, kind, rows=rows, bias_var=bias_var)
    if pairs:
        m = min(zero_count(pairs, X.shape[0]), b.value.size)
        b.value[:m] = 0.0
        b.lower[:m] = 0.0
        b.exact_zeros = tuple(pairs)
        b.zero_count = m
    return b
