r"""Infinite-width kernels: the Gram matrix :math:`G^\infty`, the random-features kernel :math:`K`.

For unit-norm inputs every kernel here is a function of the angle
:math:`\theta_{ij} = \arccos(x_i\cdot x_j)` only:

.. math::

   G^\infty_{ij} = \rho_{ij}\, \kappa_{\phi'}(\theta_{ij}), \qquad
   K_{ij} = \kappa_{\phi}(\theta_{ij}),

.. math::

   \kappa_f(\theta) = \mathbb{E}[f(u) f(v)],\quad
   (u, v) \sim N\!\left(0, \begin{pmatrix}1&\rho\\ \rho&1\end{pmatrix}\right).

How :math:`\kappa` is evaluated
-------------------------------
* Closed forms where they exist (ReLU, leaky ReLU, abs, step, ``relu_power`` r <= 3, erf, sin,
  polynomials, built-in or recognised callables, through their exact Hermite expansion,
  evaluated in :math:`\rho` directly).
* Otherwise a **polar quadrature**: write :math:`(u, v) = (r\cos t,\ r\cos(t-\theta))` with
  :math:`r` Rayleigh and :math:`t` uniform. Kinks at 0 become the rays
  :math:`\cos t = 0` and :math:`\cos(t-\theta) = 0`; the :math:`t`-circle is split there into four
  arcs (Gauss-Legendre, 48 nodes each) and :math:`r \in [0, R]` into panels (24 nodes each).
  A kink at :math:`c \ne 0` adds the :math:`r`-breakpoints
  :math:`c/\cos t`, :math:`c/\cos(t-\theta)` and a geometrically graded rule on each arc.
  Every piece is analytic, so the rule converges geometrically.
* **Error control** (every activation, built-in or callable): the radial extent :math:`R` is
  chosen from the integrand (:func:`radial_extent`: the Gaussian-weighted tail of
  :math:`\max|f|^2` beyond :math:`R` below 1e-17, probing the callable's growth out to
  :math:`|z| = 80`; an activation growing like :math:`e^{z^2/4}` or faster has an infinite
  kernel and is refused with a ValueError). Each result is compared with an *independent* rule
  (other nodes, other panel edges, a longer radial extent, :meth:`PolarRule.independent`);
  where they differ by more than 1e-14 * max(1, ``|kappa|``) (1e-13 for callables) the rule is
  refined (twice the arc nodes; then arcs and radial panels graded geometrically, for steep
  activations). A RuntimeWarning is raised only where the relative difference stays above
  1e-12. Measured: below 3e-15 for the built-ins, below 1e-12 for exp(0.1 z^2), exp(0.2 z^2),
  exp(3 z), erf(4 z), erf(8 z) as plain callables (tests/test_error_control.py).
* Because the arcs move linearly with :math:`\theta`, :math:`\kappa(\theta)` is analytic in
  :math:`\theta` even for kinked activations (in :math:`\rho` it has a square-root singularity at
  :math:`\rho = \pm 1`). It is therefore tabulated once per activation as a piecewise Chebyshev
  interpolant in :math:`\theta` (16 panels of degree 20; a callable starts with 8 and the panels
  are doubled, up to 64, where the interpolant misses), whose error against the independent
  rule is measured at build time and stored in :attr:`ThetaTable.error` (absolute) and
  ``rel_error``; for every built-in it is below 1e-14.
* Angles are computed stably: :math:`\theta = 2\,\mathrm{atan2}(\|x_i - x_j\|, \|x_i + x_j\|)`
  for near-duplicates and near-antipodes (:math:`|\rho| > 0.9`), where :math:`\arccos\rho`
  would lose half the digits.

Accuracy: every entry of :func:`gram_inf` / :func:`kernel_inf` is within 1e-14 * max(1, ``|entry|``) of the
exact value for unit-norm input and built-in activations (tested against closed forms and
30-digit mpmath quadrature), and within 1e-12 for user callables or a RuntimeWarning says what
was reached. Rows of any norm and a first-layer bias: :mod:`actgram.general_kernels`.
"""

from __future__ import annotations

import math

import numpy as np

from ._guards import pair_angles
from ._quadrature import PolarRule, _pick, polar_quadrature, radial_extent
from ._tables import _TABLES, ThetaTable, dual_quadrature, theta_table
from ._validate import (
    UNIT_NORM_TOL,
    as_activation,
    as_data,
    as_real_array,
    check_kind,
    check_matrix_size,
    check_rows,
)
from .activations import Activation

__all__ = ["PolarRule", "ThetaTable", "_TABLES", "check_finite_kernel", "dual_kernel",
           "dual_quadrature", "gram_inf", "kernel_inf", "pair_angles", "polar_quadrature",
           "radial_extent", "theta_table"]


def dual_kernel(act, theta, of: str = "derivative") -> np.ndarray:
    r""":math:`\kappa(\theta) = \mathbb{E}[f(u)f(v)]` for an array of angles.

    ``of="derivative"``: :math:`f = \phi'` (refused where :math:`\phi'` is zero almost
    everywhere); ``of="function"``: :math:`f = \phi`. Closed form if the activation has one,
    else its theta table (1e-14 * max(1, ``|kappa|``) for the built-ins, see the module
    docstring).
    """
    act = as_activation(act)
    _pick(act, of)
    th = as_real_array(theta, "theta", "an array of angles")
    if not np.all((th >= 0.0) & (th <= math.pi)):  # also catches NaN
        raise ValueError(
            "theta must be angles in [0, pi] (theta = arccos(rho) for unit inputs); got values in "
            f"[{np.nanmin(th) if th.size else 0:.6g}, {np.nanmax(th) if th.size else 0:.6g}]"
            + (" and NaN" if np.any(np.isnan(th)) else "")
        )
    if of in act.dual:
        return act.dual[of](th)
    if act.hermite_poly is not None:
        from .hermite import hermite_coefficients

        deg = len(act.hermite_poly) + 1
        c = hermite_coefficients(act, deg, of=of)
        return np.polynomial.polynomial.polyval(np.cos(th), c * c)
    if not act.builtin and th.size <= 64 and (act.key + (of,)) not in act.cache:
        # a user activation at a few angles: direct quadrature is cheaper than a table
        # (built-ins always tabulate: the table is shared and reused, e.g. layer by layer)
        return dual_quadrature(act, th, of)
    return theta_table(act, of)(th)


def kernel_inf(X, act, kind: str = "G", *, Y=None, normalize: bool = False, rows: str = "unit",
               bias_var: float = 0.0, bias_trained: bool = True) -> np.ndarray:
    r"""Infinite-width kernel matrix of a two-layer net, float64.

    Parameters
    ----------
    X : array (n, d), unit rows (``rows="unit"``) or any nonzero rows (``rows="any"``)
        Inputs. ``normalize=True`` computes the kernel of the *normalised* rows
        ``x / |x|`` (not the kernel of the inputs themselves).
    act : str, callable or Activation
    kind : {"G", "K", "ntk"}
        ``"G"``: :math:`G^\infty_{ij} = \rho_{ij}\,\mathbb{E}[\phi'(w\cdot x_i)\phi'(w\cdot x_j)]`
        (first layer trained); ``"K"``: :math:`\mathbb{E}[\phi(w\cdot x_i)\phi(w\cdot x_j)]`
        (second layer trained); ``"ntk"``: ``G + K`` (both layers).
    Y : array (n2, d), optional
        Second set of points for a cross-kernel (rows of X against rows of Y).
    rows : {"unit", "any"}
        ``"unit"`` (default): rows must have unit norm (the book's setting; others are
        refused with a message). ``"any"``: the true kernel of the rows as given, the
        pre-activations having covariance ``[[|x|^2, x.y], [x.y, |y|^2]]`` (plus ``bias_var``
        on every entry): :mod:`actgram.general_kernels`.
    bias_var : float, default 0
        Variance :math:`\sigma_b^2` of a first-layer bias ``u = w.x + b``. With a bias,
        ``G_ij = (x_i.x_j + bias_var) E[phi'(u)phi'(v)]`` when the biases are trained
        (``bias_trained=True``, neural-tangents' ``Dense(W_std, b_std)`` convention), else
        ``x_i.x_j E[...]``. See :mod:`actgram.general_kernels`.
    bias_trained : bool, default True

    Accuracy: within 1e-14 * max(1, ``|entry|``) of the exact entries for built-in activations
    (measured worst case 4e-15 against 20-digit references).
    """
    kind = check_kind(kind)
    act = as_activation(act)
    bias_var = check_rows(rows, bias_var, normalize)
    general = rows == "any" or bias_var > 0
    unit = rows == "unit"
    X = as_data(X, normalize=normalize, unit=unit, allow_zero=bias_var > 0)
    if Y is not None:
        Y = as_data(Y, name="Y", normalize=normalize, unit=unit, allow_zero=bias_var > 0)
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"X has {X.shape[1]} columns but Y has {Y.shape[1]}; they must match")
    check_matrix_size(X.shape[0], X.shape[0] if Y is None else Y.shape[0], copies=6, what="kernel")
    if general and not unit and bias_var == 0:  # rows="any" with unit rows: the fast path
        norms = [np.linalg.norm(A, axis=1) for A in (X, Y) if A is not None]
        general = any(np.max(np.abs(nm - 1.0)) > UNIT_NORM_TOL for nm in norms)
        X = X if general else X / norms[0][:, None]
        Y = Y if general or Y is None else Y / norms[1][:, None]
    if general:
        from .general_kernels import general_kernel

        out = general_kernel(X, Y, act, kind, bias_var, bias_trained)
        check_finite_kernel(out, act)
        return 0.5 * (out + out.T) if Y is None else out
    if act.hermite_poly is not None:  # a polynomial kernel, evaluated in rho directly
        return _poly_kernel_inf(X, Y, act, kind)
    if X.shape[0] * (X.shape[0] if Y is None else Y.shape[0]) >= 4096:
        from . import _fused

        if _fused.enabled():  # one compiled pass: angle, table or closed form, both triangles
            fused = _fused.kernel(X, Y, act, kind)
            if fused is not None:
                return fused
    R, theta = pair_angles(X, Y)
    out = np.zeros_like(R)
    if kind in ("G", "ntk"):
        out += R * dual_kernel(act, theta, "derivative")
    if kind in ("K", "ntk"):
        out += dual_kernel(act, theta, "function")
    check_finite_kernel(out, act)
    if Y is None:
        out = 0.5 * (out + out.T)  # exact symmetry (entries are already equal up to round-off)
    return out


def _poly_kernel_inf(X, Y, act: Activation, kind: str) -> np.ndarray:
    """Kernel of a polynomial activation for unit rows: sum_k c_k^2 rho^k in rho = x.y
    (no detour through the angle, which costs digits near rho = 0)."""
    from .hermite import hermite_coefficients

    R = np.clip(X @ (X if Y is None else Y).T, -1.0, 1.0)
    if Y is None:
        np.fill_diagonal(R, 1.0)
    deg = len(act.hermite_poly) + 1
    out = np.zeros_like(R)
    if kind in ("G", "ntk"):
        _pick(act, "derivative")
        c = hermite_coefficients(act, deg, of="derivative")
        out += R * np.polynomial.polynomial.polyval(R, c * c)
    if kind in ("K", "ntk"):
        c = hermite_coefficients(act, deg, of="function")
        out += np.polynomial.polynomial.polyval(R, c * c)
    check_finite_kernel(out, act)
    return 0.5 * (out + out.T) if Y is None else out


def check_finite_kernel(K: np.ndarray, act: Activation) -> None:
    """Refuse a kernel with non-finite entries (an activation that is not finite everywhere)."""
    if not np.all(np.isfinite(K)):
        raise ValueError(
            f"{act.name}: the kernel has non-finite entries, so phi or phi' is not finite (or too "
            "large to integrate against the Gaussian) somewhere on the real line, not only on the "
            "[-2, 2] that activation() probes; the dual kernel E[f(u) f(v)] must be finite"
        )


def gram_inf(X, act, *, normalize: bool = False, rows: str = "unit", bias_var: float = 0.0,
             bias_trained: bool = True) -> np.ndarray:
    r"""The infinite-width Gram matrix :math:`G^\infty` of the trained first layer, shape (n, n).

    :math:`G^\infty_{ij} = (x_i\cdot x_j)\,\mathbb{E}_{w\sim N(0,I)}[\phi'(w\cdot x_i)\,\phi'(w\cdot x_j)]`
    for unit-norm rows of ``X`` (Du, Zhai, Poczos and Singh's H-infinity). Entries within
    1e-14 * max(1, ``|entry|``) of the exact value for every built-in activation. Rows of any
    norm (``rows="any"``) and a first-layer bias (``bias_var``): see :func:`kernel_inf`.
    """
    return kernel_inf(X, act, "G", normalize=normalize, rows=rows, bias_var=bias_var,
                      bias_trained=bias_trained)
