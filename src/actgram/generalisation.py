r"""Both layers trained, and the data-dependent generalisation quantity of Arora et al. (2019).

Training both layers of the two-layer net replaces :math:`G^\infty` by
:math:`H^\infty = G^\infty + K^\infty` (``actgram.kernel_inf(X, act, "ntk")``). Through the Hermite
expansion (chapter 2; :math:`c_k = c_k(\phi)`, :math:`R = XX^\top`, unit rows, and
:math:`c_{k}(\phi') = \sqrt{k+1}\,c_{k+1}(\phi)`),

.. math::

   G^\infty = \sum_{j\ge1} j\,c_j^2\,R^{\circ j}, \qquad
   K^\infty = \sum_{j\ge0} c_j^2\,R^{\circ j}, \qquad
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
from .kernels import kernel_inf
from .spectra import ENTRY_ERROR, EPS, LambdaMin, smallest_eigenvalues

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


def kernel_lambda_min(X, act, kind: str = "ntk") -> LambdaMin:
    r"""Smallest eigenvalue of :math:`G^\infty`, :math:`K^\infty` or :math:`G^\infty + K^\infty`, dense, bracketed.

    ``X`` (n, d) unit rows; ``kind`` in ``{"G", "K", "ntk"}``. float64 ``eigvalsh`` with the bracket
    ``[lambda - delta, lambda + delta]`` (clipped at 0), ``delta`` from :func:`dense_error`:
    resolved (relative width <= 1e-2) only well above the float64 floor :math:`\varepsilon\|M\|_2`.
    """
    _check_kind(kind)
    act = _as_activation(act)
    X = as_data(X)
    M = kernel_inf(X, act, kind)
    lam = np.linalg.eigvalsh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = dense_error(M, norm)
    return LambdaMin(max(float(lam[0]), 0.0), max(float(lam[0]) - delta, 0.0), max(float(lam[0]) + delta, 0.0),
                     EPS * norm, norm, "dense")


def ntk_lambda_min(X, act) -> LambdaMin:
    r"""Bracket for :math:`\lambda_{\min}(G^\infty + K^\infty)` from the sandwich in the module docstring.

    Lower end :math:`\max(\text{lower}(\lambda_1(G^\infty)),\ \text{dense lower})`; upper end
    :math:`\min(2\,\text{upper}(\lambda_2(G^\infty)),\ \text{dense upper})` (:math:`\lambda_1` instead
    of :math:`\lambda_2` when :math:`|c_0(\phi)| < 10^{-12}`, i.e. :math:`\mathbb E[\phi(g)] = 0`).
    The :math:`G^\infty` brackets come from :func:`actgram.smallest_eigenvalues` (below the float64
    floor for smooth activations on 2- or 3-dimensional data), so the bracket is rigorous to the
    same extent and at worst a factor 2 (times :math:`\lambda_2/\lambda_1`) wide.
    ``value`` is the dense value when that is resolved, else the geometric mean of the bracket.
    """
    act = _as_activation(act)
    X = as_data(X)
    if X.shape[0] < 2:
        raise ValueError("ntk_lambda_min needs at least 2 points (the sandwich uses lambda_2 of G)")
    dense = kernel_lambda_min(X, act, "ntk")
    g = smallest_eigenvalues(X, act, 2)
    c0 = float(hermite_coefficients(act, 0, of="function")[0])  # E[phi(g)], accurate to 1e-13
    upper_g = g.upper[0] if abs(c0) < 1e-12 else g.upper[1]
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
