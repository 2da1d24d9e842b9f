r"""Finite-width matrices at initialisation.

The two-layer net :math:`f(x) = m^{-1/2}\sum_k a_k\,\phi(w_k\cdot x)` with
:math:`w_k \sim N(0, I_d)` has, at initialisation, the Gram matrix of its first layer

.. math::  G^0_{ij} = (x_i\cdot x_j)\,\frac1m\sum_{k=1}^m \phi'(w_k\cdot x_i)\,\phi'(w_k\cdot x_j),

an unbiased Monte Carlo estimate of :math:`G^\infty` whose entries fluctuate by
:math:`O(m^{-1/2})`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_data, as_real_array, check_matrix_size, positive_int
from .activations import Activation, activation


def sample_weights(m: int, d: int, seed: int | None = 0) -> np.ndarray:
    """First-layer weights ``W`` of shape ``(m, d)``, i.i.d. standard normal, float64.

    ``seed`` feeds :func:`numpy.random.default_rng`, so the same seed gives the same matrix on
    every machine.
    """
    m = positive_int(m, "width m")
    d = positive_int(d, "input dimension d")
    return np.random.default_rng(seed).standard_normal((m, d))


def _as_weights(W, d: int) -> np.ndarray:
    W = as_real_array(W, "W", "a real array of shape (m, d)")
    if W.ndim != 2 or W.shape[0] == 0:
        raise ValueError(f"W must have shape (m, d) with m >= 1; got shape {W.shape}")
    if W.shape[1] != d:
        raise ValueError(f"W has {W.shape[1]} columns but the data have d = {d}; W must be (m, {d})")
    if not np.all(np.isfinite(W)):
        raise ValueError("W contains NaN or inf")
    return W


def features(X, W, act, of: str = "derivative", *, normalize: bool = False) -> np.ndarray:
    r"""The matrix :math:`A_{ik} = f(w_k\cdot x_i)` with ``f`` = :math:`\phi'` or :math:`\phi`, shape (n, m)."""
    act = act if isinstance(act, Activation) else activation(act)
    X = as_data(X, normalize=normalize)
    W = _as_weights(W, X.shape[1])
    f = act.derivative if of == "derivative" else act.fn
    A = np.asarray(f(X @ W.T), dtype=np.float64)
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{act.name}: non-finite values of phi{chr(39) if of == 'derivative' else ''} at "
                         "the pre-activations w.x; check the activation and the weights")
    return A


def gram_init(X, W, act, *, kind: str = "G", normalize: bool = False) -> np.ndarray:
    r"""Finite-width Gram matrix at initialisation, shape (n, n), float64.

    ``kind="G"``: :math:`G^0 = (XX^\top)\circ(A A^\top)/m` with :math:`A = \phi'(XW^\top)`;
    ``kind="K"``: :math:`B B^\top/m` with :math:`B = \phi(XW^\top)` (second layer);
    ``kind="ntk"``: their sum. Exact for the given ``W`` (no sampling inside).
    """
    act = act if isinstance(act, Activation) else activation(act)
    if kind not in ("G", "K", "ntk"):
        raise ValueError(f"kind must be 'G', 'K' or 'ntk'; got {kind!r}")
    if kind in ("G", "ntk") and not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere: G0 would be the zero "
                         "matrix and says nothing; use kind='K'")
    X = as_data(X, normalize=normalize)
    W = _as_weights(W, X.shape[1])
    n, m = X.shape[0], W.shape[0]
    check_matrix_size(n, copies=3, what="finite-width Gram matrix")
    AA = np.zeros((n, n))  # sum_k phi'(w_k.x_i) phi'(w_k.x_j)
    BB = np.zeros((n, n))  # sum_k phi(w_k.x_i) phi(w_k.x_j)
    step = max(1, int(2e7 // max(n, 1)))  # columns of W per block: bounded working memory
    for s in range(0, m, step):
        Z = X @ W[s:s + step].T
        if kind in ("G", "ntk"):
            A = np.asarray(act.derivative(Z), dtype=np.float64)
            AA += A @ A.T
        if kind in ("K", "ntk"):
            B = np.asarray(act.fn(Z), dtype=np.float64)
            BB += B @ B.T
    out = ((X @ X.T) * AA + BB) / m
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{act.name}: the finite-width matrix has non-finite entries")
    return 0.5 * (out + out.T)
