r"""The book's own bounds on :math:`\lambda_{\min}(G^\infty)` (derived here, not taken from the paper).

All rest on :math:`G^\infty = \sum_k c_k(\phi')^2 R^{\circ(k+1)}` with every term PSD and
:math:`R^{\circ j}` of unit diagonal, so Gershgorin on a Hadamard power gives
:math:`\lambda_{\min}(R^{\circ j}) \ge 1 - r_j` with :math:`r_j` a bound on the off-diagonal row
sums of :math:`|\rho|^j`.

* :func:`separation_bound`: for :math:`\delta`-separated data (:math:`|\rho_{ij}| \le 1-\delta^2/2`),
  :math:`\lambda_{\min} \ge \max_{K_0}\,(1 - (n-1)(1-\delta^2/2)^{K_0+1})_+\,T(K_0)`, with the
  tail mass :math:`T(K_0) = \sum_{k \ge K_0} c_k(\phi')^2` (:func:`tail_mass`).
* :func:`correlation_bound`: :math:`\lambda_{\min} \ge \sum_k c_k^2\,(1 - r_{k+1})_+` with the
  data's own row sums (or :math:`(n-1)\rho_{\max}^{j}`).
* :func:`pair_bound`: an *upper* bound, :math:`\lambda_{\min} \le \min_{i\ne j}(G_{ii} - |G_{ij}|)`
  (interlacing with the worst :math:`2\times2` principal submatrix).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_activation, as_data, check_array, positive_int
from .hermite import hermite_coefficients
from .kernels import dual_kernel, gram_inf


def tail_mass(act, kmax: int) -> np.ndarray:
    r""":math:`T(K_0) = \sum_{k \ge K_0} c_k(\phi')^2` for :math:`K_0 = 0, \dots, k_{max} + 1`.

    Computed as :math:`\mathbb{E}[\phi'(g)^2] - \sum_{k < K_0} c_k^2`, so its absolute accuracy
    is that of the coefficients (1e-13 each, checked to ``kmax = 2000`` against closed forms in
    the kinks chapter) times ``kmax``; tails below about ``kmax * 1e-15`` are not resolved.
    """
    act = as_activation(act)
    kmax = positive_int(kmax, "kmax")
    head = np.cumsum(hermite_coefficients(act, kmax) ** 2)
    return float(dual_kernel(act, 0.0, "derivative")) - np.concatenate([[0.0], head])


def separation_bound(tail: np.ndarray, n: int, delta: float) -> float:
    r"""The book's Gershgorin bound for ``n`` points with separation ``delta``.

    :math:`\max_{K_0}(1 - (n-1)q^{K_0+1})_+ T(K_0)` with :math:`q = 1 - \delta^2/2` and ``tail``
    from :func:`tail_mass`. Returns 0 (true but empty) when no :math:`K_0` in range makes the
    Gershgorin factor positive.
    """
    tail = check_array(tail, "tail", ndim=1, what="the 1-D array of tail_mass")
    K0 = np.arange(tail.size)
    factor = 1.0 - (n - 1) * (1.0 - delta**2 / 2.0) ** (K0 + 1)
    return float(np.max(np.where(factor > 0, factor * tail, 0.0)))


def abs_correlations(X, *, normalize: bool = False) -> np.ndarray:
    r""":math:`|\rho_{ij}| = |x_i\cdot x_j|` with the diagonal set to 0, shape (n, n).

    ``normalize=True``: the correlations of the normalised rows ``x / |x|``.
    """
    X = as_data(X, normalize=normalize)
    A = np.abs(X @ X.T)
    np.fill_diagonal(A, 0.0)
    return A


def correlation_bound(X, act, *, row_sums: bool = True, kmax: int = 200,
                      normalize: bool = False) -> float:
    r"""The book's correlation lower bound :math:`\sum_k c_k^2 (1 - r_{k+1})_+` on :math:`\lambda_{\min}`.

    :math:`r_j = \max_i\sum_{l\ne i}|\rho_{il}|^j` (``row_sums=True``) or
    :math:`(n-1)\rho_{\max}^j`. The coefficients are shrunk by their stated error
    (:math:`(|c_k| - 10^{-13})_+^2`) and everything beyond ``kmax`` is counted as 0, so the
    bound stays a bound. ``normalize=True``: the bound for the normalised rows.
    """
    c2 = np.maximum(np.abs(hermite_coefficients(as_activation(act), kmax)) - 1e-13, 0.0) ** 2
    A = abs_correlations(X, normalize=normalize)
    powers = np.arange(1, c2.size + 1)
    if row_sums:
        r = np.array([np.max(np.sum(A**j, axis=1)) for j in powers])
    else:
        r = (A.shape[0] - 1) * A.max() ** powers
    return float(np.sum(c2 * np.maximum(0.0, 1.0 - r)))


def pair_bound(X, act, *, normalize: bool = False) -> float:
    r"""Upper bound :math:`\min_{i\ne j}(G_{ii} - |G_{ij}|) \ge \lambda_{\min}(G^\infty)` (interlacing).

    ``normalize=True``: the bound for the normalised rows.
    """
    G = gram_inf(X, as_activation(act), normalize=normalize)
    if G.shape[0] < 2:
        raise ValueError("pair_bound needs at least two points")
    P = np.diag(G)[:, None] - np.abs(G)
    np.fill_diagonal(P, np.inf)
    return float(P.min())


def harmonic_count(d_span: int, p: int) -> int:
    r"""Number of harmonics of degree :math:`\ell \le p`, :math:`\ell \equiv p \pmod 2`, on :math:`S^{d'-1}`.

    For ``d_span = 2`` (circle) each degree :math:`\ell > 0` has 2 harmonics; for
    ``d_span = 3`` degree :math:`\ell` has :math:`2\ell + 1`. This is the rank of
    :math:`G^\infty` for :math:`\phi = z^p` on generic data spanning ``d_span`` dimensions.
    """
    p = positive_int(p, "p", minimum=0)
    if d_span == 2:
        return sum(2 if deg > 0 else 1 for deg in range(p % 2, p + 1, 2))
    if d_span == 3:
        return sum(2 * deg + 1 for deg in range(p % 2, p + 1, 2))
    raise ValueError(f"harmonic_count is implemented for d_span = 2 or 3; got {d_span}")
