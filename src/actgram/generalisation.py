r"""Both layers trained, and the data-dependent generalisation quantity of Arora et al. (2019).

Training both layers of the two-layer net replaces :math:`G^\infty` by
:math:`H^\infty = G^\infty + K^\infty` (``actgram.kernel_inf(X, act, "ntk")``). Through the Hermite
expansion (chapter 2; :math:`c_k = c_k(\phi)`, :math:`R = XX^\top`, unit rows, and
:math:`c_{k}(\phi') = \sqrt{k+1}\,c_{k+1}(\phi)`),

.. math::

   G^\infty = \sum_{j\ge1} j\,c_j^2\,R^{\circ j},

.. math::

   K^\infty = \sum_{j\ge0} c_j^2\,R^{\circ j},

.. math::

   H^\infty = c_0^2\,\mathbf 1\mathbf 1^\top + \sum_{j\ge1} (j+1)\,c_j^2\,R^{\circ j}.

Every :math:`R^{\circ j}` is positive semidefinite, so (the book's derivation)
:math:`G^\infty \preceq H^\infty - c_0^2\mathbf 1\mathbf 1^\top \preceq 2G^\infty`, and with
Cauchy interlacing for the rank-one term

.. math::

   \lambda_1(G^\infty) \le \lambda_1(H^\infty) \le 2\,\lambda_2(G^\infty)
   \quad(\le 2\,\lambda_1(G^\infty) \text{ when } c_0 = \mathbb E[\phi(g)] = 0).

:func:`ntk_lambda_min` turns the brackets of :func:`actgram.smallest_eigenvalues` into a bracket
for :math:`\lambda_{\min}(H^\infty)` through this sandwich, and intersects it with a dense
float64 bracket of :math:`H^\infty` itself; :func:`kernel_lambda_min` gives the dense bracket for
``G``, ``K`` or ``ntk`` alone.

When :math:`c_0 \ne 0` (ReLU, ELU, GELU, swish, softplus, sigmoid) the rank-one term
:math:`c_0^2\mathbf 1\mathbf 1^\top` can lift the bottom of :math:`K^\infty` and of
:math:`H^\infty` above that of :math:`G^\infty` (on an antipodal pair with sigmoid,
:math:`\lambda_1(G^\infty) = 0 < \lambda_1(K^\infty)`). What holds for every :math:`c_0`
(the book's proposition) uses :math:`G_\perp = Q^\top G^\infty Q`, the compression of
:math:`G^\infty` to the complement of the constant vector (:math:`Q`, :math:`n\times(n-1)`,
orthonormal columns orthogonal to :math:`\mathbf 1`): since :math:`K^\infty - c_0^2\mathbf
1\mathbf 1^\top \preceq G^\infty` and the rank-one term vanishes on :math:`\mathbf 1^\perp`,

.. math::

   \lambda_1(K^\infty) \le \lambda_1(G_\perp),

.. math::

   \lambda_1(G^\infty) \le \lambda_1(H^\infty) \le 2\,\lambda_1(G_\perp),

.. math::

   \lambda_1(G^\infty) \le \lambda_1(G_\perp) \le \lambda_2(G^\infty)

(the last by Cauchy interlacing). :func:`complement_eigenvalues` brackets the eigenvalues of
:math:`G_\perp` below the float64 floor for 3-dimensional data (the spherical factorisation of
:mod:`actgram.spectra`, projected), and ``ntk_lambda_min(..., complement=True)`` uses
:math:`2\lambda_1(G_\perp)` as the upper end.

:func:`arora_complexity` evaluates :math:`\sqrt{2\,y^\top M^{-1} y / n}`, the data-dependent
quantity in the generalisation bound of Arora, Du, Hu, Li and Wang (ICML 2019, Theorem 5.1), for
``M`` = :math:`G^\infty` (first layer trained) or :math:`H^\infty`. For ReLU, :math:`G^\infty`
*is* their :math:`H^\infty`: :math:`G^\infty_{ij} = x_i^\top x_j(\pi - \arccos x_i^\top x_j)/(2\pi)`,
no extra factor. For other activations the same expression is an analogy, not their theorem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import as_data, as_real_array, real_scalar
from .activations import Activation, activation
from .hermite import hermite_coefficients
from .kernels import gram_inf, kernel_inf
from .spectra import (
    ENTRY_ERROR,
    EPS,
    EigenBrackets,
    LambdaMin,
    _brackets,
    _graded_svals,
    _real_harmonics,
    legendre_coefficients,
    smallest_eigenvalues,
    span_coordinates,
)

_KINDS = ("G", "K", "ntk")


def _as_activation(act) -> Activation:
    return act if isinstance(act, Activation) else activation(act)


def _check_kind(kind: str) -> str:
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS} (G: first layer, K: second layer, ntk: both); got {kind!r}")
    return kind


def dense_error(M: np.ndarray, norm: float) -> float:
    r"""Weyl radius of a dense float64 eigen-solve of a kernel matrix built by :func:`kernel_inf`.

    :math:`\delta = n\cdot 10^{-14}\max(1, \max|M_{ij}|) + 4\sqrt n\,\varepsilon\|M\|_2`: the entry
    error of the kernel (at most :math:`10^{-14}\max(1,|M_{ij}|)` per entry, so at most ``n`` times
    that in spectral norm) plus the backward error of ``eigh``. Every computed eigenvalue is
    within :math:`\delta` of the exact one (the same radius as :func:`actgram.lambda_min`'s dense path).
    """
    n = M.shape[0]
    return n * ENTRY_ERROR * max(1.0, float(np.max(np.abs(M)))) + 4.0 * math.sqrt(n) * EPS * norm


def kernel_lambda_min(X, act, kind: str = "ntk", *, bound: bool = False) -> LambdaMin:
    r"""Smallest eigenvalue of :math:`G^\infty`, :math:`K^\infty` or :math:`G^\infty + K^\infty`, dense, bracketed.

    ``X`` (n, d) unit rows; ``kind`` in ``{"G", "K", "ntk"}``. float64 ``eigvalsh`` with the bracket
    ``[lambda - delta, lambda + delta]`` (clipped at 0), ``delta`` from :func:`dense_error`:
    resolved (relative width <= 1e-2) only well above the float64 floor :math:`\varepsilon\|M\|_2`.
    ``bound=True`` (``kind="K"`` only) caps the upper end with the book's proposition (module
    docstring): :math:`\lambda_1(K^\infty) \le \lambda_1(G_\perp)` from
    :func:`complement_eigenvalues`, and :math:`\le \lambda_1(G^\infty)` (from
    :func:`actgram.smallest_eigenvalues`) when :math:`|c_0| < 10^{-12}`; ``method`` then reads
    ``"dense, capped by G_perp"`` (or ``"... by G"``) where the cap is the smaller end.
    """
    _check_kind(kind)
    act = _as_activation(act)
    X = as_data(X)
    M = kernel_inf(X, act, kind)
    lam = np.linalg.eigvalsh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = dense_error(M, norm)
    out = LambdaMin(max(float(lam[0]), 0.0), max(float(lam[0]) - delta, 0.0), max(float(lam[0]) + delta, 0.0),
                    EPS * norm, norm, "dense")
    if not bound:
        return out
    if kind != "K":
        raise ValueError(f"bound=True applies to kind='K' only; got kind={kind!r}")
    c0 = float(hermite_coefficients(act, 0, of="function")[0])
    if abs(c0) < 1e-12:
        cap, name = float(smallest_eigenvalues(X, act, 1).upper[0]), "G"
    else:
        cap, name = float(complement_eigenvalues(X, act, 1).upper[0]), "G_perp"
    if cap < out.upper:
        lo = min(out.lower, cap)
        val = out.value if out.lower <= out.value <= cap else 0.5 * (lo + cap)
        out = LambdaMin(val, lo, cap, out.floor, out.norm, f"dense, capped by {name}")
    return out


def complement_basis(n: int) -> np.ndarray:
    r"""Orthonormal basis ``Q`` (n, n-1) of the complement of the constant vector.

    The last ``n - 1`` columns of the Householder reflection :math:`I - 2uu^\top/u^\top u`,
    :math:`u = \mathbf 1/\sqrt n - e_1`, which maps :math:`e_1` to :math:`\mathbf 1/\sqrt n`.
    Orthonormal and orthogonal to :math:`\mathbf 1` up to a few units of :math:`\varepsilon`.
    """
    if n < 2:
        raise ValueError(f"the complement of the constant vector needs n >= 2 points; got n = {n}")
    u = np.full(n, 1.0 / math.sqrt(n))
    u[0] -= 1.0
    H = np.eye(n) - (2.0 / float(u @ u)) * np.outer(u, u)
    return H[:, 1:]


def complement_eigenvalues(X, act, k: int = 1) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of :math:`G_\perp = Q^\top G^\infty Q` with brackets.

    ``X`` (n, d) unit rows, n >= 2; ``Q`` from :func:`complement_basis`. Method ``"spherical"``
    (data spanning 3 dimensions, smooth built-in activations): :math:`G^\infty = BB^\top` with
    the graded spherical-harmonic factor of :func:`actgram.smallest_eigenvalues`, so
    :math:`G_\perp = (Q^\top B)(Q^\top B)^\top` and the Jacobi SVD of the column-graded
    :math:`Q^\top B` gives its eigenvalues with the same kind of bracket (coefficient bounds,
    PSD tail by its trace, relative SVD error, absolute factor error); the product
    :math:`Q^\top Y` adds at most :math:`(n+2)\,\varepsilon\sqrt n\,\|B\|_F` to the
    absolute error of the factor. Estimated brackets, like the spherical ones. Otherwise
    ``"dense"``: ``eigvalsh`` of :math:`Q^\top G^\infty Q` with the radius of
    :func:`dense_error` plus :math:`2n\varepsilon\|G\|_2` for the two products (no better
    than the float64 floor).
    """
    act = _as_activation(act)
    X = as_data(X)
    n = X.shape[0]
    Q = complement_basis(n)
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be between 1 and n - 1 = {n - 1}; got {k}")
    P = span_coordinates(X)
    if act.derivative_complex is not None and P.shape[1] == 3:
        co = legendre_coefficients(act)
        A, Alo, Ahi = co["value"], co["lower"], co["upper"]
        big = np.nonzero(Ahi > 1e-36 * Ahi.max())[0]
        last = int(min(max(big.max(), int(math.ceil(math.sqrt(n))) + 1), 160))
        tail = co["tail"] + float(np.sum(Ahi[last + 1:]))
        Y, deg = _real_harmonics(P, last)
        QY = Q.T @ Y
        fac = 4.0 * math.pi / (2.0 * deg + 1.0)

        def svals(coef):
            return _graded_svals(QY * np.sqrt(fac * coef[deg]), n - 1)

        s_mid, s_lo, s_hi = svals(A), svals(Alo), svals(Ahi)
        ells = np.arange(last + 1)
        dB = EPS * math.sqrt(n * float(np.sum(Ahi[: last + 1] * (4.0 + 2.0 * ells) ** 2)))
        fro = math.sqrt(float(np.sum((Y * np.sqrt(fac * Ahi[deg])) ** 2)))
        dB += (n + 2.0) * EPS * math.sqrt(n) * fro
        # ||Q^T T Q|| <= ||T|| <= trace T <= n * tail; _brackets multiplies by its own n - 1
        return _brackets(s_mid, s_lo, s_hi, QY, dB, tail * n / (n - 1.0), n - 1, k, "spherical")
    G = gram_inf(X, act)
    Gc = Q.T @ G @ Q
    lam = np.linalg.eigvalsh(0.5 * (Gc + Gc.T))
    norm = float(np.max(np.abs(np.linalg.eigvalsh(G))))
    delta = dense_error(G, norm) + 2.0 * n * EPS * norm
    return EigenBrackets(np.maximum(lam[:k], 0.0), np.maximum(lam[:k] - delta, 0.0),
                         np.maximum(lam[:k] + delta, 0.0), EPS * norm, norm, "dense", n - 1)


def ntk_lambda_min(X, act, *, complement: bool = False) -> LambdaMin:
    r"""Bracket for :math:`\lambda_{\min}(G^\infty + K^\infty)` from the sandwich in the module docstring.

    Lower end :math:`\max(\text{lower}(\lambda_1(G^\infty)),\ \text{dense lower})`; upper end
    :math:`\min(2\,\text{upper}(\lambda_2(G^\infty)),\ \text{dense upper})` (:math:`\lambda_1` instead
    of :math:`\lambda_2` when :math:`|c_0(\phi)| < 10^{-12}`, i.e. :math:`\mathbb E[\phi(g)] = 0`).
    The :math:`G^\infty` brackets come from :func:`actgram.smallest_eigenvalues` (below the float64
    floor for smooth activations on 2- or 3-dimensional data), so the bracket holds to the
    same extent and at worst a factor 2 (times :math:`\lambda_2/\lambda_1`) wide.
    ``value`` is the dense value when that is resolved, else the geometric mean of the bracket.
    ``complement=True`` uses the sharper upper end :math:`2\,\text{upper}(\lambda_1(G_\perp))`
    of :func:`complement_eigenvalues` (valid for every :math:`c_0`) instead of
    :math:`2\lambda_2(G^\infty)` when :math:`c_0 \ne 0`.
    """
    act = _as_activation(act)
    X = as_data(X)
    if X.shape[0] < 2:
        raise ValueError("ntk_lambda_min needs at least 2 points (the sandwich uses lambda_2 of G)")
    dense = kernel_lambda_min(X, act, "ntk")
    g = smallest_eigenvalues(X, act, 2)
    c0 = float(hermite_coefficients(act, 0, of="function")[0])  # E[phi(g)], accurate to 1e-13
    upper_g = g.upper[0] if abs(c0) < 1e-12 else g.upper[1]
    if complement and abs(c0) >= 1e-12:
        upper_g = min(float(upper_g), float(complement_eigenvalues(X, act, 1).upper[0]))
    lo = max(float(g.lower[0]), dense.lower)
    hi = min(2.0 * float(upper_g), dense.upper)
    if dense.resolved:
        return LambdaMin(dense.value, lo, hi, dense.floor, dense.norm, "dense")
    val = math.sqrt(lo * hi) if lo > 0 else hi / 2.0
    return LambdaMin(val, lo, hi, dense.floor, dense.norm, f"sandwich ({g.method} G)")


@dataclass
class Complexity:
    r"""The quantity :math:`\sqrt{2\,y^\top M^{-1} y / n}` per label vector, with its accuracy.

    ``value[k]`` for label column ``k`` (NaN where not computable); ``yMy[k]`` the quadratic form
    :math:`y^\top M^{-1} y`; ``lambda_min``/``lambda_max``/``cond`` of ``M``; ``delta`` the Weyl
    radius of the float64 solve; ``rel_error`` the bound :math:`\delta/(\lambda_{\min} - \delta)` on
    the relative error of ``yMy`` (half of it on ``value``); ``computable`` is False when the
    smallest eigenvalue is not resolved (``rel_error`` above ``max_rel_error``); ``kind``, ``n``.
    """

    value: np.ndarray
    yMy: np.ndarray
    lambda_min: float
    lambda_max: float
    cond: float
    delta: float
    rel_error: float
    computable: bool
    kind: str
    n: int

    def describe(self, k: int = 0, digits: int = 4) -> str:
        """The value for label column ``k`` as text, or why it is not computable in float64."""
        if not self.computable:
            if not self.lambda_min > self.delta:  # round-off: the computed lambda_min is no number
                return f"not computable in float64 (lambda_min is below the solve's error bound {self.delta:.1e})"
            return (f"not computable in float64 (lambda_min {self.lambda_min:.1e} is too close to the solve's "
                    f"error bound {self.delta:.1e})")
        return f"{self.value[k]:.{digits}g}"


def arora_complexity(X, y, act, *, kind: str = "G", max_rel_error: float = 1e-2) -> Complexity:
    r""":math:`\sqrt{2\,y^\top M^{-1} y / n}` for :math:`M = G^\infty` (``"G"``) or :math:`G^\infty + K^\infty`.

    Parameters
    ----------
    X : array_like
        (n, d) data with unit rows.
    y : array_like
        (n,) labels, or (n, k) with one label vector per column (all share one ``eigh``).
    act : str or Activation
        The activation.
    kind : str
        ``"G"`` (first layer), ``"ntk"`` (both layers) or ``"K"`` (second layer alone).
    max_rel_error : float
        Refuse (``computable=False``, ``value`` NaN) when the relative error bound of
        :math:`y^\top M^{-1} y` exceeds this.

    Notes
    -----
    Method: float64 ``eigh`` of ``M``; :math:`y^\top M^{-1} y = \sum_i (v_i^\top y)^2/\lambda_i`.
    Accuracy: an entry error of ``M`` and the solve's backward error together perturb ``M`` by at
    most :math:`\delta` (:func:`dense_error`) in spectral norm, so
    :math:`(M+\delta I)^{-1} \preceq \tilde M^{-1} \preceq (M - \delta I)^{-1}` and
    :math:`y^\top M^{-1}y` is known to relative error :math:`\delta/(\lambda_{\min} - \delta)`.
    For ReLU and ``kind="G"`` this is exactly Arora et al.'s quantity (their :math:`H^\infty` is our
    :math:`G^\infty`); for other activations and kinds it is the book's analogy.
    """
    _check_kind(kind)
    act = _as_activation(act)
    X = as_data(X)
    n = X.shape[0]
    Y = as_real_array(y, "y", "a real array of shape (n,) or (n, k)")
    single = Y.ndim == 1
    Y2 = Y[:, None] if single else Y
    if Y2.ndim != 2 or Y2.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X's {n} rows; got {Y.shape}")
    if not np.all(np.isfinite(Y2)):
        raise ValueError("y contains NaN or inf")
    max_rel_error = real_scalar(max_rel_error, "max_rel_error", positive=True)
    M = kernel_inf(X, act, kind)
    lam, V = np.linalg.eigh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = dense_error(M, norm)
    lmin, lmax = float(lam[0]), float(lam[-1])
    rel = delta / (lmin - delta) if lmin > delta else math.inf
    ok = rel <= max_rel_error
    if ok:
        yMy = np.sum((V.T @ Y2) ** 2 / lam[:, None], axis=0)
        val = np.sqrt(2.0 * yMy / n)
    else:
        yMy = np.full(Y2.shape[1], np.nan)
        val = np.full(Y2.shape[1], np.nan)
    cond = lmax / lmin if lmin > 0 else math.inf
    return Complexity(val, yMy, lmin, lmax, cond, delta, rel, bool(ok), kind, n)
