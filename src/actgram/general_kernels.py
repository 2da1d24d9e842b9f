r"""Kernels for inputs of any norm and a first-layer bias.

With pre-activations :math:`u = w\cdot x + b`, :math:`v = w\cdot y + b`, :math:`w \sim N(0, I)`,
:math:`b \sim N(0, \sigma_b^2)` (``bias_var`` :math:`= \sigma_b^2`), the pair :math:`(u, v)`
is centred normal with covariance

.. math::

   \Sigma = \begin{pmatrix} |x|^2 + \sigma_b^2 & x\cdot y + \sigma_b^2 \\
                            x\cdot y + \sigma_b^2 & |y|^2 + \sigma_b^2 \end{pmatrix}.

The bias is a constant extra input coordinate: with :math:`\tilde x = (x, \sigma_b)`,
:math:`u = \tilde w\cdot\tilde x`, so everything reduces to rows :math:`\tilde x` of any norm
and no bias. Writing :math:`\tilde x = s\,\hat x` (:math:`s = |\tilde x|`, :math:`\hat x` unit),

.. math::

   K(x, y) = \mathbb{E}[\phi(s_x u')\,\phi(s_y v')], \qquad
   G(x, y) = (x\cdot y + \sigma_b^2\,[\text{bias trained}])\;
             \mathbb{E}[\phi'(s_x u')\,\phi'(s_y v')],

:math:`(u', v')` standard normal with correlation :math:`\hat x\cdot\hat y` (its angle computed
stably by :func:`actgram.kernels.pair_angles`).

Convention for G with a bias: G is the gradient kernel of the first layer's trained
parameters. By default (``bias_trained=True``) the biases are trained with the weights, so
:math:`\partial u/\partial(w, b)\cdot\partial v/\partial(w, b) = x\cdot y + \sigma_b^2`
with the bias gradient scaled like its initial standard deviation: this is neural-tangents'
``stax.Dense(W_std=1, b_std=sigma_b, parameterization="ntk")`` first layer with inputs
``x * sqrt(d)`` (neural-tangents divides ``W_std^2`` by the fan-in d); the book's
``G + K`` then equals neural-tangents' NTK of
``serial(Dense(1, b_std), Activation, Dense(1, W_std=1, b_std=0))``.
``bias_trained=False`` keeps the biases fixed: prefactor :math:`x\cdot y`.

How the expectation is evaluated:

* homogeneous activations (``act.homogeneous_degree``: ReLU, leaky ReLU, abs, step,
  ``relu_power``): exact scaling
  :math:`\mathbb{E}[\phi(s_x u')\phi(s_y v')] = (s_x s_y)^p\,\kappa(\theta)` (degree
  :math:`p`; :math:`p - 1` for :math:`\phi'`), with or without bias (the bias is a coordinate);
* polynomials: exact Hermite expansion of :math:`\phi(s z)` per row;
* erf and sin (``act.general_dual``, declared in their blocks): closed forms
  :math:`\tfrac{2}{\pi}\arcsin\frac{2c}{\sqrt{(1+2a)(1+2b)}}`,
  :math:`\tfrac{4}{\pi}((1+2a)(1+2b)-4c^2)^{-1/2}`,
  :math:`e^{-(a+b)/2}\sinh c`, :math:`e^{-(a+b)/2}\cosh c` (:math:`a, b, c` the entries of
  :math:`\Sigma`);
* every other activation: when all rows share one norm :math:`s` (unit rows with a bias), the
  error-controlled :math:`\theta`-table of :math:`z \mapsto \phi(s z)`; otherwise the polar
  rule of :func:`actgram.kernels.polar_quadrature` entry by entry (cost: one table per about
  500 distinct entries), its level chosen and checked against an independent rule as in
  :func:`actgram.kernels.dual_quadrature`.

Accuracy: 1e-14 * max(1, ``|entry|``) for the closed forms and built-ins (tested against
closed forms and Monte-Carlo-free references in tests/test_general_inputs.py); 1e-12 for
user callables (with a RuntimeWarning where the two rules disagree by more).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ._guards import EPS
from .activations import Activation
from .hermite import _poly_hermite

__all__ = ["general_kernel"]

_SCALED: dict[tuple, Activation] = {}


def _scaled(act: Activation, s: float) -> Activation:
    """The activation z -> phi(s z) with derivative z -> phi'(s z) (not d/dz)."""
    key = act.key + ("scaled", s)
    cache = _SCALED if act.builtin else act.cache
    if key not in cache:
        cache[key] = Activation(
            f"{act.name}(scaled by {s:.17g})", lambda z: act.fn(s * z),
            lambda z: act.derivative(s * z), kinks=tuple(k / s for k in act.kinks),
            jump_order=act.jump_order, builtin=False,
            derivative_defined=act.derivative_defined)
    return cache[key]


def _poly_kernel(a, sx, sy, R) -> np.ndarray:
    """sum_k c_k(phi(s_x .)) c_k(phi(s_y .)) rho^k for the polynomial with coefficients a."""
    a = np.asarray(a, dtype=np.float64)
    K = a.size
    Cx = np.array([_poly_hermite(tuple(a * s ** np.arange(K)), K - 1) for s in sx])
    Cy = Cx if sy is sx else np.array([_poly_hermite(tuple(a * s ** np.arange(K)), K - 1)
                                       for s in sy])
    out = np.zeros_like(R)
    for k in range(K - 1, -1, -1):  # Horner in rho
        out = out * R + np.outer(Cx[:, k], Cy[:, k])
    return out


def _expectation(act: Activation, of: str, sx, sy, R, theta, symmetric: bool):
    """E[f(s_x u') f(s_y v')], f = phi (of = "function") or phi' ("derivative")."""
    from ._quadrature import _choose_level, _level_rule, _pick, polar_quadrature, radial_extent
    from .kernels import dual_kernel

    f = _pick(act, of)
    p = act.homogeneous_degree
    if p is not None:
        deg = p if of == "function" else p - 1
        return np.outer(sx, sy) ** deg * dual_kernel(act, theta, of)
    if act.hermite_poly is not None:
        a = np.asarray(act.hermite_poly, dtype=np.float64)
        if of == "derivative":
            a = np.polynomial.polynomial.polyder(a) if a.size > 1 else np.zeros(1)
        return _poly_kernel(a, sx, sy if not symmetric else sx, R)
    A, B = np.add.outer(sx**2, 0 * sy), np.add.outer(0 * sx, sy**2)
    C = np.outer(sx, sy) * R
    closed = act.general_dual(of)  # erf, sin: declared closed forms for any covariance
    if closed is not None:
        return closed(A, B, C)
    # one norm for all rows (to a few ulps: rows normalised by the caller, or unit rows
    # augmented by the bias, differ in the last bit): the scaled activation's table; a
    # relative change of 4 eps in the scale moves the kernel by far less than 1e-14
    lo, hi = min(sx.min(), sy.min()), max(sx.max(), sy.max())
    if hi - lo <= 4.0 * EPS * hi:
        return dual_kernel(_scaled(act, float(sx[0])), theta, of)
    # distinct norms: the polar rule entry by entry (upper triangle when symmetric)
    smax = float(max(sx.max(), sy.max()))
    iu = np.triu_indices(R.shape[0]) if symmetric else np.indices(R.shape).reshape(2, -1)
    th, sa, sb = theta[iu], sx[iu[0]], sy[iu[1]]
    R_ext = radial_extent(f, act.name, scale=smax)
    acc = 1e-14 if act.builtin else 1e-13
    level, _, _ = _choose_level(lambda z: f(smax * z), tuple(k / smax for k in act.kinks),
                                R_ext, np.array([0.0, 0.5, 1.5, 2.6, math.pi]), acc)
    rule = _level_rule(R_ext, level)
    vals = polar_quadrature(f, th, rule, act.kinks, sa, sb)
    pick = np.unique(np.linspace(0, th.size - 1, min(th.size, 64)).astype(int))
    chk = polar_quadrature(f, th[pick], rule.independent(), act.kinks,
                           sa[pick], sb[pick])
    rel = float(np.max(np.abs(vals[pick] - chk) / np.maximum(1.0, np.abs(chk))))
    if rel > 1e-12:
        warnings.warn(f"{act.name}: kernel entries for rows of different norms are accurate "
                      f"only to about {rel:.1e} relative (two quadrature rules differ by that)",
                      RuntimeWarning, stacklevel=4)
    out = np.empty(R.shape)
    out[iu] = vals
    if symmetric:
        out.T[iu] = vals
    return out


def general_kernel(X: np.ndarray, Y: np.ndarray | None, act: Activation, kind: str,
                   bias_var: float = 0.0, bias_trained: bool = True) -> np.ndarray:
    r"""Kernel ``kind`` ("G", "K" or "ntk") for rows of any (nonzero) norm and bias variance
    ``bias_var``; ``X``, ``Y`` validated float64 arrays. See the module docstring for the
    formulas, the G convention with a bias and the accuracy."""
    from ._guards import pair_angles

    sb = math.sqrt(bias_var)

    def augment(A):
        return np.hstack([A, np.full((A.shape[0], 1), sb)]) if sb > 0 else A

    Xt = augment(X)
    sx = np.linalg.norm(Xt, axis=1)
    if Y is None:
        Yt, sy = Xt, sx
    else:
        Yt = augment(Y)
        sy = np.linalg.norm(Yt, axis=1)
    symmetric = Y is None
    R, theta = pair_angles(Xt / sx[:, None], None if symmetric else Yt / sy[:, None])
    out = np.zeros_like(R)
    if kind in ("G", "ntk"):
        pref = np.outer(sx, sy) * R  # x.y + bias_var (exact |x|^2 + bias_var on the diagonal)
        if not bias_trained and sb > 0:
            pref = pref - bias_var
        out += pref * _expectation(act, "derivative", sx, sy, R, theta, symmetric)
    if kind in ("K", "ntk"):
        out += _expectation(act, "function", sx, sy, R, theta, symmetric)
    return out
