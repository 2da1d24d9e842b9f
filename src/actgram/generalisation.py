r"""The data-dependent generalisation quantity of Arora et al. (2019).

:func:`arora_complexity` evaluates :math:`\sqrt{2\,y^\top M^{-1} y / n}`, the data-dependent
quantity in the generalisation bound of Arora, Du, Hu, Li and Wang (ICML 2019, Theorem
5.1), for ``M`` = :math:`G^\infty` (first layer trained), :math:`K^\infty` or
:math:`H^\infty = G^\infty + K^\infty` (both layers). For ReLU, :math:`G^\infty` *is* their
:math:`H^\infty`: :math:`G^\infty_{ij} = x_i^\top x_j(\pi - \arccos x_i^\top x_j)/(2\pi)`,
no extra factor. For other activations the same expression is an analogy, not their
theorem. The spectra of these matrices (the sandwich
:math:`\lambda_1(G) \le \lambda_1(G + K) \le 2\lambda_1(G_\perp)`, the complement
:math:`G_\perp`) are in :mod:`actgram.spectra`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._guards import dense_radius, entry_error
from ._validate import as_activation, as_data, check_array, check_kind, real_scalar
from .kernels import kernel_inf


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


def arora_complexity(X, y, act, *, kind: str = "G", max_rel_error: float = 1e-2,
                     normalize: bool = False) -> Complexity:
    r""":math:`\sqrt{2\,y^\top M^{-1} y / n}` for :math:`M = G^\infty` (``"G"``), :math:`K^\infty`
    or :math:`G^\infty + K^\infty`.

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
    normalize : bool
        The quantity for the kernel of the normalised rows of ``X``.

    Notes
    -----
    Method: float64 ``eigh`` of ``M``; :math:`y^\top M^{-1} y = \sum_i (v_i^\top y)^2/\lambda_i`.
    Accuracy: an entry error of ``M`` and the solve's backward error together perturb ``M`` by at
    most :math:`\delta` (:func:`actgram._guards.dense_radius`) in spectral norm, so
    :math:`(M+\delta I)^{-1} \preceq \tilde M^{-1} \preceq (M - \delta I)^{-1}` and
    :math:`y^\top M^{-1}y` is known to relative error :math:`\delta/(\lambda_{\min} - \delta)`.
    For ReLU and ``kind="G"`` this is exactly Arora et al.'s quantity (their :math:`H^\infty` is our
    :math:`G^\infty`); for other activations and kinds it is the book's analogy.
    """
    kind = check_kind(kind)
    act = as_activation(act)
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    Y = check_array(y, "y", ndim=(1, 2), what="a real array of shape (n,) or (n, k)")
    Y2 = Y[:, None] if Y.ndim == 1 else Y
    if Y2.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, k) to match X's {n} rows; got {Y.shape}")
    max_rel_error = real_scalar(max_rel_error, "max_rel_error", positive=True)
    M = kernel_inf(X, act, kind)
    lam, V = np.linalg.eigh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = dense_radius(n, np.max(np.abs(M)), norm, entry_error(act))
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
