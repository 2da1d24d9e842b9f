r"""Finite-width matrices at initialisation.

The two-layer net :math:`f(x) = m^{-1/2}\sum_k a_k\,\phi(w_k\cdot x)` with
:math:`w_k \sim N(0, I_d)` has, at initialisation, the Gram matrix of its first layer

.. math::  G^0_{ij} = (x_i\cdot x_j)\,\frac1m\sum_{k=1}^m \phi'(w_k\cdot x_i)\,\phi'(w_k\cdot x_j),

an unbiased Monte Carlo estimate of :math:`G^\infty` whose entries fluctuate by
:math:`O(m^{-1/2})`.
"""

from __future__ import annotations

import numpy as np

from ._validate import (
    as_activation,
    as_data,
    check_array,
    check_kind,
    check_matrix_size,
    check_of,
    positive_int,
    require_derivative,
)


def sample_weights(m: int, d: int, seed: int | None = 0) -> np.ndarray:
    """First-layer weights ``W`` of shape ``(m, d)``, i.i.d. standard normal, float64.

    ``seed`` feeds :func:`numpy.random.default_rng`, so the same seed gives the same matrix on
    every machine.
    """
    m = positive_int(m, "width m")
    d = positive_int(d, "input dimension d")
    return np.random.default_rng(seed).standard_normal((m, d))


def _weights_shape(d: int) -> str:
    return f"an array of shape (m, {d}) with m >= 1 (as many columns as X has)"


def features(X, W, act, of: str = "derivative", *, normalize: bool = False) -> np.ndarray:
    r"""The matrix :math:`A_{ik} = f(w_k\cdot x_i)` with ``f`` = :math:`\phi'` or :math:`\phi`, shape (n, m)."""
    act = as_activation(act)
    of = check_of(of)
    if of == "derivative":
        require_derivative(act, "the phi' features")
    X = as_data(X, normalize=normalize)
    W = check_array(W, "W", shape=(None, X.shape[1]), min_size=1,
                    what=_weights_shape(X.shape[1]))
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
    act = as_activation(act)
    kind = check_kind(kind)
    if kind in ("G", "ntk"):
        require_derivative(act, "G0")
    X = as_data(X, normalize=normalize)
    W = check_array(W, "W", shape=(None, X.shape[1]), min_size=1,
                    what=_weights_shape(X.shape[1]))
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
