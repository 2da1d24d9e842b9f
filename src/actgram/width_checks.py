r"""Finite-width Monte Carlo estimates of the infinite-width Gram matrices, written
independently of :mod:`actgram.kernels` and :mod:`actgram.deep`, for checks that would
fail if those modules were wrong.

The deep network is the one of :func:`actgram.deep_gram`: with :math:`h^{(0)} = x`
(unit norm),

.. math::

    h^{(l)} = \sqrt{c/m}\;\phi\big(W^{(l)} h^{(l-1)}\big) \quad (l = 1, \dots, L-1),
    \qquad c = 1/\mathbb{E}[\phi(g)^2],

and the trained layer's Gram matrix at width :math:`m` is

.. math::

    \hat G_{ij} = (h_i \cdot h_j)\, \frac1m \sum_{k=1}^{m} \phi'(w_k\cdot h_i)\,\phi'(w_k\cdot h_j),

with :math:`h = h^{(L-1)}` and :math:`w_k \sim N(0, I)`. As every width grows,
:math:`\hat G \to G^{(L)}` (for :math:`L = 1`, :math:`G^\infty`).

Only the distribution of the vector :math:`(w_k\cdot h_1, \dots, w_k\cdot h_n)` matters, and it
is :math:`N(0, C)` with :math:`C = H H^\top` (rows of :math:`H` are the :math:`h_i`). The
trained layer therefore draws :math:`z_k = S g_k` with :math:`S S^\top = C` (a symmetric
square root from ``eigh``, negative round-off eigenvalues clipped to 0) and
:math:`g_k \sim N(0, I_n)`: exact in distribution, and :math:`O(nm)` instead of
:math:`O(m^2)` work. Each random layer in front is drawn the same way from the correlation
matrix of the layer before it (the rows of :math:`W^{(l)}` are independent
:math:`N(0, I)`), so every layer is exact in distribution.

Accuracy: a single estimate has entry errors of order :math:`m^{-1/2}` (Monte Carlo), plus a
bias of order :math:`m^{-1}` from the random layers in front (the trained layer is unbiased
given them). :func:`deep_gram_monte_carlo_stats` repeats the estimate with independent seeds
and returns the mean and its standard error per entry, so a check can compare a kernel
entry with the mean in units of that standard error.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import as_data, check_array, positive_int

Array = np.ndarray
Elementwise = Callable[[Array], Array]

__all__ = ["layer_constant", "deep_gram_monte_carlo", "deep_gram_monte_carlo_stats"]


def layer_constant(phi: Elementwise, nodes: int = 200) -> float:
    r"""The constant :math:`c = 1/\mathbb{E}[\phi(g)^2]`, :math:`g \sim N(0, 1)`.

    Computed with a ``nodes``-point Gauss-Hermite rule (probabilists' weight, from
    ``numpy.polynomial.hermite_e``), independently of the package's own kernels. Accuracy: exact for
    polynomial :math:`\phi^2` of degree below ``2 * nodes``; for smooth :math:`\phi` (tanh,
    swish) about 1e-15 relative; for kinked :math:`\phi` (ReLU) the rule converges only
    algebraically, about 1e-5 relative at 200 nodes. The checks that use it compare at a
    Monte Carlo accuracy of about 1e-3.
    """
    z, w = np.polynomial.hermite_e.hermegauss(int(nodes))
    second = float(np.sum(w * np.asarray(phi(z), dtype=float) ** 2) / np.sqrt(2.0 * np.pi))
    if not second > 0:
        raise ValueError("E[phi(g)^2] must be positive: phi vanishes on the quadrature nodes")
    return 1.0 / second


def _sqrt_psd(C: Array) -> Array:
    """S with S S^T = C for a symmetric PSD matrix (round-off negatives clipped to 0)."""
    ev, V = np.linalg.eigh(0.5 * (C + C.T))
    return V * np.sqrt(np.clip(ev, 0.0, None))


def _unit_rows(X, normalize: bool) -> Array:
    """``X`` as a float64 (n, d) array with unit rows (the normalised rows if ``normalize``)."""
    if normalize:
        return as_data(X, normalize=True)
    X = check_array(X, "X", ndim=2, what="an (n, d) array with unit rows")
    if not np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-12):
        raise ValueError("X must be an (n, d) array with unit rows (or pass normalize=True for "
                         "the estimate on the normalised rows)")
    return X


def deep_gram_monte_carlo(X: Array, phi: Elementwise, dphi: Elementwise, depth: int,
                          width: int, seed: int, c: float | None = None, *,
                          normalize: bool = False) -> Array:
    r"""One finite-width estimate of the trained layer's Gram matrix :math:`G^{(L)}`.

    Parameters
    ----------
    X : (n, d) array with unit rows.
    phi, dphi : the activation and its derivative, numpy elementwise callables.
    depth : L >= 1, the number of hidden layers (L = 1: :math:`G^\infty`).
    width : m, the width of every layer (random and trained).
    seed : seed of ``numpy.random.default_rng``.
    c : :math:`1/\mathbb{E}[\phi(g)^2]`; default :func:`layer_constant` (phi).
    normalize : estimate the matrix of the normalised rows ``x / |x|`` (default: rows must
        have unit norm).

    Returns
    -------
    (n, n) array: :math:`\hat G`, entry errors of order ``width ** -0.5``.
    """
    X = _unit_rows(X, normalize)
    depth, width = positive_int(depth, "depth"), positive_int(width, "width")
    if c is None and depth > 1:
        c = layer_constant(phi)
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    C = X @ X.T  # correlations seen by the next layer: H H^T
    for _ in range(depth - 1):  # random layers, exact in distribution via sqrt(C)
        Z = rng.standard_normal((width, n)) @ _sqrt_psd(C).T  # rows: w_k . h_i over i
        F = np.asarray(phi(Z), dtype=float)
        C = (c / width) * (F.T @ F)
    Z = rng.standard_normal((width, n)) @ _sqrt_psd(C).T
    D = np.asarray(dphi(Z), dtype=float)
    return C * (D.T @ D) / width


def deep_gram_monte_carlo_stats(X: Array, phi: Elementwise, dphi: Elementwise, depth: int,
                                width: int, repeats: int, seed: int = 0,
                                c: float | None = None, *,
                                normalize: bool = False) -> tuple[Array, Array]:
    r"""Mean and standard error over ``repeats`` independent estimates of :math:`G^{(L)}`.

    Each repeat calls :func:`deep_gram_monte_carlo` with seed ``[seed, r]`` (``normalize``
    as there). The standard
    error is the sample standard deviation over repeats divided by ``sqrt(repeats)``; with
    ``repeats`` = R the ratio (mean - true) / se of one entry follows approximately a
    Student t distribution with R - 1 degrees of freedom (plus the O(1/width) bias of the
    random layers, negligible against se for width >> repeats).

    Returns
    -------
    mean, se : (n, n) arrays.
    """
    repeats = positive_int(repeats, "repeats (>= 2 for a standard error)", minimum=2)
    X = _unit_rows(X, normalize)
    if c is None and int(depth) > 1:
        c = layer_constant(phi)
    est = np.stack([deep_gram_monte_carlo(X, phi, dphi, depth, width,
                                          np.random.SeedSequence([seed, r]).generate_state(1)[0],
                                          c=c)
                    for r in range(repeats)])
    return est.mean(axis=0), est.std(axis=0, ddof=1) / np.sqrt(repeats)
