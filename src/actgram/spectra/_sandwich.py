r"""Method ``"sandwich"`` (``kind="K"`` and ``"ntk"``) and the complement
:math:`G_\perp`.

Training both layers of the two-layer net replaces :math:`G^\infty` by
:math:`H^\infty = G^\infty + K^\infty`. Through the Hermite expansion (chapter 2;
:math:`c_k = c_k(\phi)`, :math:`R = XX^\top`, unit rows),
:math:`G^\infty = \sum_{j\ge1} j\,c_j^2\,R^{\circ j}`,
:math:`K^\infty = \sum_{j\ge0} c_j^2\,R^{\circ j}` and
:math:`H^\infty = c_0^2\,\mathbf 1\mathbf 1^\top + \sum_{j\ge1} (j+1)\,c_j^2\,R^{\circ
j}`. Every :math:`R^{\circ j}` is PSD, so (the book's derivation)
:math:`G^\infty \preceq H^\infty - c_0^2\mathbf 1\mathbf 1^\top \preceq 2G^\infty`, and
with Cauchy interlacing for the rank-one term

.. math::

   \lambda_1(G^\infty) \le \lambda_1(H^\infty) \le 2\,\lambda_2(G^\infty)
   \quad(\le 2\,\lambda_1(G^\infty) \text{ when } c_0 = \mathbb E[\phi(g)] = 0).

With :math:`G_\perp = Q^\top G^\infty Q`, the compression of :math:`G^\infty` to the
complement of the constant vector (:func:`complement_basis`), and since
:math:`K^\infty - c_0^2\mathbf 1\mathbf 1^\top \preceq G^\infty` (the book's
proposition): :math:`\lambda_1(K^\infty) \le \lambda_1(G_\perp)`,
:math:`\lambda_1(H^\infty) \le 2\,\lambda_1(G_\perp)` and
:math:`\lambda_1(G^\infty) \le \lambda_1(G_\perp) \le \lambda_2(G^\infty)`.

``kind="ntk"``: lower end :math:`\max(\text{lower}\,\lambda_1(G), \text{dense lower})`,
upper end :math:`\min(2\,\text{upper}\,\lambda_2(G)` (:math:`\lambda_1` when
:math:`|c_0| < 10^{-12}`), :math:`2\,\text{upper}\,\lambda_1(G_\perp)` (option
``complement``, default True), dense upper). The :math:`G` brackets come from
:func:`actgram.smallest_eigenvalues` (below the float64 floor for smooth activations on
2- or 3-dimensional data), so the bracket holds to the same extent, at worst a factor 2
(times :math:`\lambda_2/\lambda_1`) wide; ``value`` is the dense value when that is
resolved, else the geometric mean of the bracket.

``kind="K"``: the dense bracket, its upper end capped by :math:`\lambda_1(G_\perp)`, or
by :math:`\lambda_1(G^\infty)` when :math:`|c_0| < 10^{-12}`; ``method`` then reads
``"dense, capped by G_perp"`` (or ``"... by G"``) where the cap is the smaller end.
"""

from __future__ import annotations

import math

import numpy as np

from .._guards import EPS, dense_radius, entry_error
from ..hermite import hermite_coefficients
from ..kernels import kernel_inf
from ._dense import dense_brackets
from ._fourier import factor_brackets, graded_svals, span_coordinates
from ._result import EigenBrackets
from ._spherical import sphere_factor

#: The options of the sandwich method and their defaults.
OPTIONS = {"complement": True}


def complement_basis(n: int) -> np.ndarray:
    r"""Orthonormal basis ``Q`` (n, n-1) of the complement of the constant vector.

    The last ``n - 1`` columns of the Householder reflection :math:`I - 2uu^\top/u^\top
    u`, :math:`u = \mathbf 1/\sqrt n - e_1`, which maps :math:`e_1` to :math:`\mathbf
    1/\sqrt n`. Orthonormal and orthogonal to :math:`\mathbf 1` up to a few units of
    :math:`\varepsilon`.
    """
    if n < 2:
        raise ValueError(
            f"the complement of the constant vector needs n >= 2 points; got n = {n}"
        )
    u = np.full(n, 1.0 / math.sqrt(n))
    u[0] -= 1.0
    H = np.eye(n) - (2.0 / float(u @ u)) * np.outer(u, u)
    return H[:, 1:]


def complement_brackets(X: np.ndarray, act, k: int) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of :math:`G_\perp = Q^\top G^\infty Q` with
    brackets.

    Spherical (3-dimensional data, smooth built-ins): :math:`G_\perp = (Q^\top B)(Q^\top
    B)^\top` with the graded factor of the spherical method; the product :math:`Q^\top
    Y` adds at most :math:`(n+2)\,\varepsilon\sqrt n\,\|B\|_F` to the absolute error of
    the factor. Otherwise dense: ``eigvalsh`` of :math:`Q^\top G^\infty Q` with the
    dense radius plus :math:`2n\varepsilon\|G\|_2` for the two products.
    """
    n = X.shape[0]
    Q = complement_basis(n)
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be between 1 and n - 1 = {n - 1}; got {k}")
    P = span_coordinates(X)
    if act.derivative_complex is not None and P.shape[1] == 3:
        Y, deg, fac, coefs, tail, dB = sphere_factor(P, act)
        QY = Q.T @ Y
        s_mid, s_lo, s_hi = (
            graded_svals(QY * np.sqrt(fac * c[deg]), n - 1) for c in coefs
        )
        fro = math.sqrt(float(np.sum((Y * np.sqrt(fac * coefs[2][deg])) ** 2)))
        dB += (n + 2.0) * EPS * math.sqrt(n) * fro
        # ||Q^T T Q|| <= ||T|| <= trace T <= n * tail; factor_brackets multiplies by n -
        # 1
        return factor_brackets(
            s_mid, s_lo, s_hi, QY, dB, tail * n / (n - 1.0), n - 1, k, "spherical"
        )
    G = kernel_inf(X, act, "G")
    Gc = Q.T @ G @ Q
    lam = np.linalg.eigvalsh(0.5 * (Gc + Gc.T))
    norm = float(np.max(np.abs(np.linalg.eigvalsh(G))))
    delta = (dense_radius(n, np.max(np.abs(G)), norm, entry_error(act))
             + 2.0 * n * EPS * norm)
    return EigenBrackets(
        np.maximum(lam[:k], 0.0),
        np.maximum(lam[:k] - delta, 0.0),
        np.maximum(lam[:k] + delta, 0.0),
        EPS * norm,
        norm,
        "dense",
        n - 1,
        radius=delta,
    )


def _c0(act) -> float:
    return float(hermite_coefficients(act, 0, of="function")[0])  # E[phi(g)], to 1e-13


def _g_brackets(X, act, k: int) -> float:
    from . import smallest_eigenvalues

    return smallest_eigenvalues(X, act, k)


def _one(value, lower, upper, like: EigenBrackets, method: str) -> EigenBrackets:
    return EigenBrackets(
        np.array([value]),
        np.array([lower]),
        np.array([upper]),
        like.floor,
        like.norm,
        method,
        like.n,
        kind=like.kind,
        radius=like.radius,
    )


def capped_k(X: np.ndarray, act) -> EigenBrackets:
    r""":math:`\lambda_1(K^\infty)`: the dense bracket capped by the proposition."""
    out = dense_brackets(X, act, 1, "K")
    if abs(_c0(act)) < 1e-12:
        cap, name = float(_g_brackets(X, act, 1).upper[0]), "G"
    else:
        cap, name = float(complement_brackets(X, act, 1).upper[0]), "G_perp"
    lower, upper, value = float(out.lower[0]), float(out.upper[0]), float(out.value[0])
    if cap < upper:
        lo = min(lower, cap)
        val = value if lower <= value <= cap else 0.5 * (lo + cap)
        out = _one(val, lo, cap, out, f"dense, capped by {name}")
    return out


def ntk_sandwich(X: np.ndarray, act, complement: bool = True) -> EigenBrackets:
    r""":math:`\lambda_1(G^\infty + K^\infty)` by the sandwich (module docstring)."""
    if X.shape[0] < 2:
        raise ValueError(
            "method='sandwich' needs at least 2 points (it uses lambda_2 of G)"
        )
    dense = dense_brackets(X, act, 1, "ntk")
    g = _g_brackets(X, act, 2)
    c0 = _c0(act)
    upper_g = g.upper[0] if abs(c0) < 1e-12 else g.upper[1]
    if complement and abs(c0) >= 1e-12:
        upper_g = min(float(upper_g), float(complement_brackets(X, act, 1).upper[0]))
    lo = max(float(g.lower[0]), float(dense.lower[0]))
    hi = min(2.0 * float(upper_g), float(dense.upper[0]))
    if dense[0].resolved:
        return _one(float(dense.value[0]), lo, hi, dense, "dense")
    val = math.sqrt(lo * hi) if lo > 0 else hi / 2.0
    return _one(val, lo, hi, dense, f"sandwich ({g.method} G)")
