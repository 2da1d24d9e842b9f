r"""Infinite-width kernels: the Gram matrix :math:`G^\infty`, the random-features kernel :math:`K`.

For unit-norm inputs every kernel here is a function of the angle
:math:`\theta_{ij} = \arccos(x_i\cdot x_j)` only:

.. math::

   G^\infty_{ij} = \rho_{ij}\, \kappa_{\phi'}(\theta_{ij}), \qquad
   K_{ij} = \kappa_{\phi}(\theta_{ij}), \qquad
   \kappa_f(\theta) = \mathbb{E}[f(u) f(v)],\quad
   (u, v) \sim N\!\left(0, \begin{pmatrix}1&\rho\\ \rho&1\end{pmatrix}\right).

How :math:`\kappa` is evaluated
-------------------------------
* Closed forms where they exist (ReLU, leaky ReLU, abs, step, ``relu_power`` r <= 3, erf, sin,
  polynomials through their exact Hermite expansion).
* Otherwise a **polar quadrature**: write :math:`(u, v) = (r\cos t,\ r\cos(t-\theta))` with
  :math:`r` Rayleigh and :math:`t` uniform. Kinks at 0 become the rays
  :math:`\cos t = 0` and :math:`\cos(t-\theta) = 0`; the :math:`t`-circle is split there into four
  arcs (Gauss-Legendre, 48 nodes each) and :math:`r \in [0, 13]` into six panels
  (Gauss-Legendre, 24 nodes each). A kink at :math:`c \ne 0` adds the :math:`r`-breakpoints
  :math:`c/\cos t`, :math:`c/\cos(t-\theta)` and a geometrically graded rule on each arc.
  Every piece is analytic, so the rule converges geometrically (measured error below 1e-15
  against the closed forms, for :math:`\theta` in :math:`[0, \pi]` including the ends).
* Because the arcs move linearly with :math:`\theta`, :math:`\kappa(\theta)` is analytic in
  :math:`\theta` even for kinked activations (in :math:`\rho` it has a square-root singularity at
  :math:`\rho = \pm 1`). It is therefore tabulated once per activation as a piecewise Chebyshev
  interpolant in :math:`\theta` (16 panels of degree 20), whose error is measured at build time
  and stored in :attr:`ThetaTable.error`; for every built-in it is below 1e-14.
* Angles are computed stably: :math:`\theta = 2\,\mathrm{atan2}(\|x_i - x_j\|, \|x_i + x_j\|)`
  for near-duplicates and near-antipodes (:math:`|\rho| > 0.9`), where :math:`\arccos\rho`
  would lose half the digits.

Accuracy: every entry of :func:`gram_inf` / :func:`kernel_inf` is within 1e-14 * max(1, ``|entry|``) of the
exact value for unit-norm input (tested against closed forms and 30-digit mpmath quadrature).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ._validate import as_data, as_real_array, check_matrix_size
from .activations import Activation, activation

# polar quadrature rule
_T_NODES = 48
_R_EDGES = np.array([0.0, 1.5, 3.0, 4.5, 6.5, 9.0, 13.0])
_R_NODES = 24
# theta table
_PANELS = 16
_DEGREE = 20


def _as_activation(act) -> Activation:
    return act if isinstance(act, Activation) else activation(act)


def _pick(act: Activation, which: str):
    if which == "dd":
        if not act.derivative_defined:
            raise ValueError(
                f"{act.name} has derivative zero almost everywhere, so its G matrix (which "
                "multiplies phi'(w.x_i) phi'(w.x_j)) is not defined. Use kind='K' for its "
                "random-features kernel, or the ReLU, whose derivative is the step."
            )
        return act.derivative
    return act.fn


def _arc_rule(graded: bool) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, 1] for one arc of the t-circle.

    Plain Gauss-Legendre when every kink is at 0 (the integrand is analytic on the arc). A kink
    at c != 0 makes the arc integrand behave like exp(-c^2 / (2 cos^2 t)) at the arc ends (flat,
    not analytic), so then the arc is cut into panels graded geometrically towards both ends.
    """
    x0, w0 = np.polynomial.legendre.leggauss(_T_NODES if not graded else 16)
    if not graded:
        return 0.5 * (x0 + 1.0), 0.5 * w0
    half = np.concatenate([[0.0], 0.5 ** np.arange(16, 0, -1)])  # 0, 2^-16, ..., 1/2
    edges = np.concatenate([half, 1.0 - half[-2::-1]])
    a, b = edges[:-1, None], edges[1:, None]
    return (a + 0.5 * (b - a) * (x0 + 1.0)).ravel(), (0.5 * (b - a) * w0).ravel()


def dual_quadrature(act, theta, which: str = "dd") -> np.ndarray:
    r"""Evaluate :math:`\kappa(\theta) = \mathbb{E}[f(u)f(v)]` by the polar rule (no table).

    ``which="dd"`` uses :math:`f = \phi'`, ``"ff"`` uses :math:`f = \phi`. Vectorised over
    ``theta`` (angles in :math:`[0, \pi]`). Error below 1e-15 for the built-ins.
    """
    act = _as_activation(act)
    f = _pick(act, which)
    th = np.atleast_1d(np.asarray(theta, dtype=np.float64)).ravel()
    if np.any((th < 0) | (th > math.pi)) or not np.all(np.isfinite(th)):
        raise ValueError("theta must lie in [0, pi]")
    nz_kinks = np.array([k for k in act.kinks if k != 0.0])
    xt, wt = _arc_rule(graded=bool(nz_kinks.size))
    xr, wr = np.polynomial.legendre.leggauss(_R_NODES)
    xr, wr = 0.5 * (xr + 1.0), 0.5 * wr
    out = np.empty(th.size)
    chunk = 2 if nz_kinks.size else 16  # bounded working memory (graded arcs have more nodes)
    for s in range(0, th.size, chunk):
        T = th[s:s + chunk]
        # arcs [-pi/2, T-pi/2], [T-pi/2, pi/2], [pi/2, T+pi/2], [T+pi/2, 3pi/2]
        lo = np.stack([-0.5 * np.pi + 0 * T, T - 0.5 * np.pi, 0.5 * np.pi + 0 * T, T + 0.5 * np.pi], -1)
        width = np.stack([T, np.pi - T, T, np.pi - T], -1)
        t = lo[..., None] + width[..., None] * xt            # (c, 4, Nt)
        wtt = width[..., None] * wt                           # (c, 4, Nt)
        a = np.cos(t)
        b = np.cos(t - T[:, None, None])
        # r-panels: fixed edges plus breakpoints where u = r a or v = r b crosses a nonzero kink
        edges = np.broadcast_to(_R_EDGES, a.shape + (_R_EDGES.size,))
        if nz_kinks.size:
            with np.errstate(divide="ignore", invalid="ignore"):
                extra = np.concatenate([nz_kinks / a[..., None], nz_kinks / b[..., None]], -1)
            extra = np.where((extra > 0) & (extra < _R_EDGES[-1]), extra, _R_EDGES[-1])
            edges = np.sort(np.concatenate([edges, extra], -1), -1)
        e0, e1 = edges[..., :-1], edges[..., 1:]              # (c, 4, Nt, P)
        r = e0[..., None] + (e1 - e0)[..., None] * xr          # (c, 4, Nt, P, Nr)
        wr_ = (e1 - e0)[..., None] * wr
        u = r * a[..., None, None]
        v = r * b[..., None, None]
        integrand = r * np.exp(-0.5 * r * r) * f(u) * f(v) * wr_
        inner = integrand.sum(axis=(-1, -2))                   # (c, 4, Nt)
        out[s:s + chunk] = (inner * wtt).sum(axis=(-1, -2)) / (2.0 * np.pi)
    return out.reshape(np.shape(theta)) if np.ndim(theta) else out[0]


@dataclass
class ThetaTable:
    r"""Piecewise Chebyshev interpolant of :math:`\kappa(\theta)` on :math:`[0, \pi]`.

    ``coef[p, j]`` is the coefficient of :math:`T_j` on panel ``p``; ``error`` is the largest
    difference from direct quadrature measured at the midpoints between interpolation nodes.
    """

    coef: np.ndarray
    error: float

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        """Clenshaw evaluation at an array of angles (compiled and parallel for 4096 angles
        or more when numba is installed, see :mod:`actgram._fused`; same operations)."""
        if np.size(theta) >= 4096:
            from . import _fused

            if _fused.enabled():
                return _fused.table_eval(self.coef, theta)
        P, D1 = self.coef.shape
        x = np.asarray(theta, dtype=np.float64) * (P / math.pi)
        p = np.clip(np.floor(x).astype(np.intp), 0, P - 1)
        y = 2.0 * (x - p) - 1.0                               # local coordinate in [-1, 1]
        b1 = np.zeros_like(y)
        b2 = np.zeros_like(y)
        y2 = 2.0 * y
        for j in range(D1 - 1, 0, -1):
            b1, b2 = self.coef[p, j] + y2 * b1 - b2, b1
        return self.coef[p, 0] + y * b1 - b2


_TABLES: dict[tuple, ThetaTable] = {}


def _cheb_nodes(deg: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))[::-1]


def theta_table(act, which: str = "dd") -> ThetaTable:
    """Build (or fetch from the cache) the interpolant of the dual kernel of ``act``."""
    act = _as_activation(act)
    key = act.key + (which,)
    cache = _TABLES if act.builtin else act.cache
    if key in cache:
        return cache[key]
    y = _cheb_nodes(_DEGREE)
    h = math.pi / _PANELS
    left = h * np.arange(_PANELS)
    th = left[:, None] + 0.5 * h * (y + 1.0)
    vals = dual_quadrature(act, th.ravel(), which).reshape(th.shape)
    V = np.polynomial.chebyshev.chebvander(y, _DEGREE)
    coef = np.linalg.solve(V, vals.T).T
    table = ThetaTable(coef, 0.0)
    # measure: midpoints between consecutive nodes of every panel
    ym = 0.5 * (y[:-1] + y[1:])
    thm = (left[:, None] + 0.5 * h * (ym + 1.0)).ravel()
    table.error = float(np.max(np.abs(table(thm) - dual_quadrature(act, thm, which))))
    if table.error > 1e-10:
        warnings.warn(
            f"the interpolated dual kernel of {act.name} deviates from direct quadrature by "
            f"{table.error:.1e}; kernel entries carry that error (is the activation smooth "
            "between its declared kinks?)", RuntimeWarning, stacklevel=3)
    cache[key] = table
    return table


def dual_kernel(act, theta, which: str = "dd") -> np.ndarray:
    r""":math:`\kappa(\theta)` for an array of angles: closed form if known, else the table."""
    act = _as_activation(act)
    _pick(act, which)
    th = as_real_array(theta, "theta", "an array of angles")
    if not np.all((th >= 0.0) & (th <= math.pi)):  # also catches NaN
        raise ValueError(
            "theta must be angles in [0, pi] (theta = arccos(rho) for unit inputs); got values in "
            f"[{np.nanmin(th) if th.size else 0:.6g}, {np.nanmax(th) if th.size else 0:.6g}]"
            + (" and NaN" if np.any(np.isnan(th)) else "")
        )
    if which in act.dual:
        return act.dual[which](th)
    if act.hermite_poly is not None:
        from .hermite import hermite_coefficients

        deg = len(act.hermite_poly) + 1
        c = hermite_coefficients(act, deg, of="derivative" if which == "dd" else "function")
        return np.polynomial.polynomial.polyval(np.cos(th), c * c)
    if not act.builtin and th.size <= 64 and (act.key + (which,)) not in act.cache:
        # a user activation at a few angles: direct quadrature is cheaper than a table
        # (built-ins always tabulate: the table is shared and reused, e.g. layer by layer)
        return dual_quadrature(act, th, which)
    return theta_table(act, which)(th)


def pair_angles(X: np.ndarray, Y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Correlations :math:`\rho_{ij} = x_i\cdot y_j` and stable angles :math:`\theta_{ij}`.

    Rows must be unit norm (not checked here). Where :math:`|\rho| > 0.9` the angle is
    recomputed as :math:`2\,\mathrm{atan2}(\|x-y\|, \|x+y\|)`, accurate to a few ulps even for
    near-duplicates, where :math:`\arccos` loses half the digits.
    """
    if X.shape[0] * (X.shape[0] if Y is None else Y.shape[0]) >= 4096:
        from . import _fused

        if _fused.enabled():  # one compiled parallel pass after the product (same numbers)
            return _fused.pair_angles(X, Y)
    Y = X if Y is None else Y
    R = np.clip(X @ Y.T, -1.0, 1.0)
    theta = np.arccos(R)
    i, j = np.nonzero(np.abs(R) > 0.9)
    step = max(1, 2_000_000 // max(1, X.shape[1]))
    for s in range(0, i.size, step):
        a, b = X[i[s:s + step]], Y[j[s:s + step]]
        theta[i[s:s + step], j[s:s + step]] = 2.0 * np.arctan2(
            np.linalg.norm(a - b, axis=1), np.linalg.norm(a + b, axis=1))
    if Y is X:
        np.fill_diagonal(theta, 0.0)
        np.fill_diagonal(R, 1.0)
    return R, theta


_KINDS = ("G", "K", "ntk")


def kernel_inf(X, act, kind: str = "G", *, Y=None, normalize: bool = False) -> np.ndarray:
    r"""Infinite-width kernel matrix of a two-layer net, float64.

    Parameters
    ----------
    X : array (n, d), unit rows
        Inputs; ``normalize=True`` rescales rows to unit norm instead of refusing them.
    act : str, callable or Activation
    kind : {"G", "K", "ntk"}
        ``"G"``: :math:`G^\infty_{ij} = \rho_{ij}\,\mathbb{E}[\phi'(w\cdot x_i)\phi'(w\cdot x_j)]`
        (first layer trained); ``"K"``: :math:`\mathbb{E}[\phi(w\cdot x_i)\phi(w\cdot x_j)]`
        (second layer trained); ``"ntk"``: ``G + K`` (both layers).
    Y : array (n2, d), optional
        Second set of points for a cross-kernel (rows of X against rows of Y).

    Accuracy: within 1e-14 * max(1, ``|entry|``) of the exact entries for built-in activations
    (measured worst case 4e-15 against 20-digit references).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}")
    act = _as_activation(act)
    X = as_data(X, normalize=normalize)
    if Y is not None:
        Y = as_data(Y, name="Y", normalize=normalize)
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"X has {X.shape[1]} columns but Y has {Y.shape[1]}; they must match")
    check_matrix_size(X.shape[0], X.shape[0] if Y is None else Y.shape[0], copies=6, what="kernel")
    if X.shape[0] * (X.shape[0] if Y is None else Y.shape[0]) >= 4096:
        from . import _fused

        if _fused.enabled():  # one compiled pass: angle, table or closed form, both triangles
            fused = _fused.kernel(X, Y, act, kind)
            if fused is not None:
                return fused
    R, theta = pair_angles(X, Y)
    out = np.zeros_like(R)
    if kind in ("G", "ntk"):
        out += R * dual_kernel(act, theta, "dd")
    if kind in ("K", "ntk"):
        out += dual_kernel(act, theta, "ff")
    check_finite_kernel(out, act)
    if Y is None:
        out = 0.5 * (out + out.T)  # exact symmetry (entries are already equal up to round-off)
    return out


def check_finite_kernel(K: np.ndarray, act: Activation) -> None:
    """Refuse a kernel with non-finite entries (an activation that is not finite everywhere)."""
    if not np.all(np.isfinite(K)):
        raise ValueError(
            f"{act.name}: the kernel has non-finite entries, so phi or phi' is not finite (or too "
            "large to integrate against the Gaussian) somewhere on the real line, not only on the "
            "[-2, 2] that activation() probes; the dual kernel E[f(u) f(v)] must be finite"
        )


def gram_inf(X, act, *, normalize: bool = False) -> np.ndarray:
    r"""The infinite-width Gram matrix :math:`G^\infty` of the trained first layer, shape (n, n).

    :math:`G^\infty_{ij} = (x_i\cdot x_j)\,\mathbb{E}_{w\sim N(0,I)}[\phi'(w\cdot x_i)\,\phi'(w\cdot x_j)]`
    for unit-norm rows of ``X`` (Du, Zhai, Poczos and Singh's H-infinity). Entries within
    1e-14 * max(1, ``|entry|``) of the exact value for every built-in activation. See
    :func:`kernel_inf`.
    """
    return kernel_inf(X, act, "G", normalize=normalize)
