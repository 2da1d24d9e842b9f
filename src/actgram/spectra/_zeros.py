r"""Exact zero eigenvalues forced by pairs of points (duplicates, antipodes)."""

from __future__ import annotations

import numpy as np

from .._guards import EPS
from .._validate import as_activation, as_data, check_kind
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


def exact_zero_pairs(
    X, act, kind: str = "G", *, normalize: bool = False
) -> list[ExactZero]:
    r"""Pairs of points that force an eigenvalue of the kernel to be exactly zero.

    ``normalize=True``: the pairs of the normalised rows.

    * duplicates :math:`x_i = x_j` (to within 4 ulps per coordinate): two equal rows of
      the kernel, always;
    * antipodes :math:`x_j = -x_i` when the parity of :math:`\phi'` (for ``kind="G"``)
      or of :math:`\phi` (``"K"``) is exact: :math:`\rho_{jk} = -\rho_{ik}` and
      :math:`\mathbb{E}[f(u)f(-v)] = \pm\mathbb{E}[f(u)f(v)]` for even/odd :math:`f`, so
      row j of G is minus row i (:math:`\phi'` even: tanh, sigmoid, erf, sin) or equal
      to it (:math:`\phi'` odd: abs); for K, row j is plus/minus row i. ``"ntk"`` = G +
      K needs both rows to flip the same way (:math:`\phi'` even and :math:`\phi` odd,
      or :math:`\phi'` odd and :math:`\phi` even).

    Cost: one chunked product :math:`XX^\top` (candidates
    :math:`|\rho_{ij}| > 1 - 64\varepsilon`), confirmed coordinate-wise. Returns
    :class:`ExactZero` records (i < j).
    """
    act = as_activation(act)
    kind = check_kind(kind)
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    flip, what, f_what = _flip(act, kind)
    out: list[ExactZero] = []
    tol = 4.0 * EPS
    step = max(1, 2_000_000 // max(n, 1))
    for s0 in range(0, n, step):
        B = X[s0 : s0 + step] @ X.T
        ii, jj = np.nonzero(np.abs(B) > 1.0 - 64.0 * EPS)
        for a, j in zip(ii + s0, jj, strict=True):
            if j <= a:
                continue
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


def mark_zeros(b: EigenBrackets, X: np.ndarray, act, kind: str) -> EigenBrackets:
    """Set the eigenvalues forced to 0 by :func:`exact_zero_pairs` (value, lower 0)."""
    pairs = exact_zero_pairs(X, act, kind)
    if pairs:
        m = min(zero_count(pairs, X.shape[0]), b.value.size)
        b.value[:m] = 0.0
        b.lower[:m] = 0.0
        b.exact_zeros = tuple(pairs)
        b.zero_count = m
    return b
