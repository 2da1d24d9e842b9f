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
import warnings
from dataclasses import dataclass

import numpy as np

from ._validate import UNIT_NORM_TOL, as_data, as_real_array, check_matrix_size, real_scalar
from .activations import Activation, activation

# polar quadrature rule (error-controlled; see the module docstring)
_T_NODES = 48
_R_NODES = 24
_R_BASE = np.array([0.0, 1.5, 3.0, 4.5, 6.5, 9.0, 13.0])  # first radial panel edges
_R_STEP = 2.5          # panel width beyond the base edges
_TAIL_TOL = 1e-17      # bound on the dropped radial tail (absolute; entries are >= 1 or scaled)
_PROBE_MAX = 80.0      # growth probe: |z| <= this
_ACCEPT = 1e-14        # built-ins: |rule - independent rule| <= _ACCEPT * max(1, |kappa|)
_ACCEPT_USER = 1e-13   # the same for user callables (stated accuracy 1e-12)
_WARN = 1e-12          # warn above this relative error
_LEVELS = 3            # refinement levels tried before warning
# theta table
_PANELS = 16
_MAX_PANELS = 64  # panels are doubled up to this when the interpolant misses
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


@dataclass(frozen=True)
class PolarRule:
    """Parameters of the polar rule: radial extent ``R``, Gauss-Legendre nodes per arc
    (or per graded arc panel, ``grade_t > 0``: panels refined geometrically to ``2**-grade_t``
    of the arc at both ends), nodes per radial panel, radial grading towards 0 (``grade_r``
    extra panels halving towards ``r = 0``) and a stretch of the panel pattern (``stretch``;
    the independent check rule uses a different one)."""

    R: float
    nt: int = _T_NODES
    nr: int = _R_NODES
    grade_t: int = 0
    grade_r: int = 0
    stretch: float = 1.0

    def independent(self) -> PolarRule:
        """A rule with other nodes, other panel edges and a longer radial extent."""
        return PolarRule(self.R * 1.15 + 1.0, self.nt + 12, self.nr + 8, self.grade_t,
                         self.grade_r, 0.83)


def _level_rule(R: float, level: int) -> PolarRule:
    """Rule of refinement ``level``: 0 the plain rule; 1 twice the arc nodes (broad, fast-growing
    integrands); 2 arcs and radial panels graded geometrically towards the rays and towards
    ``r = 0`` (steep activations)."""
    return (PolarRule(R), PolarRule(R, nt=96, nr=32),
            PolarRule(R, nt=12, nr=24, grade_t=7, grade_r=4))[level]


#: angles where the refinement level is chosen (ends, near-ends and interior)
_PROBE_THETA = np.array([0.0, 1e-3, 0.1, 0.5, 1.2, 2.0, 2.8, 3.1, math.pi - 1e-3, math.pi])


def _choose_level(f, kinks, R: float, th: np.ndarray, accept: float):
    """Lowest refinement level whose values at ``th`` agree with the independent rule to
    ``accept`` * max(1, ``|value|``); returns ``(level, values, relative difference)`` (the
    last level if none agrees)."""
    for level in range(_LEVELS):
        rule = _level_rule(R, level)
        val = polar_quadrature(f, th, rule, kinks)
        chk = polar_quadrature(f, th, rule.independent(), kinks)
        err = float(np.max(np.abs(val - chk) / np.maximum(1.0, np.abs(chk))))
        if err <= accept:
            break
    return level, val, err


def _r_edges(rule: PolarRule) -> np.ndarray:
    base = _R_BASE * rule.stretch
    extra = np.arange(base[-1] + _R_STEP, rule.R + _R_STEP, _R_STEP)
    e = np.concatenate([base, extra])
    e = e[e < rule.R - 0.25 * _R_STEP]
    e = np.concatenate([e, [rule.R]])
    if rule.grade_r:
        e = np.concatenate([[0.0], e[1] * 0.5 ** np.arange(rule.grade_r, 0, -1), e[1:]])
    return e


def _arc_rule(nt: int, grade: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, 1] for one arc of the t-circle.

    Plain Gauss-Legendre when ``grade == 0`` (every kink at 0, smooth activation: the integrand
    is analytic on the arc). A kink at c != 0 makes the arc integrand behave like
    exp(-c^2 / (2 cos^2 t)) at the arc ends (flat, not analytic), and a steep activation varies
    fast there: then the arc is cut into panels graded geometrically towards both ends.
    """
    x0, w0 = np.polynomial.legendre.leggauss(nt)
    if not grade:
        return 0.5 * (x0 + 1.0), 0.5 * w0
    half = np.concatenate([[0.0], 0.5 ** np.arange(grade, 0, -1)])  # 0, 2^-g, ..., 1/2
    edges = np.concatenate([half, 1.0 - half[-2::-1]])
    a, b = edges[:-1, None], edges[1:, None]
    return (a + 0.5 * (b - a) * (x0 + 1.0)).ravel(), (0.5 * (b - a) * w0).ravel()


def polar_quadrature(f, theta, rule: PolarRule, kinks=(), sa=None, sb=None) -> np.ndarray:
    r""":math:`\mathbb{E}[f(s_a u) f(s_b v)]`, :math:`(u, v)` standard normal with correlation
    :math:`\cos\theta`, by the polar ``rule`` (one value per angle; ``sa``, ``sb`` optional
    per-angle scales, default 1). No error control: see :func:`dual_quadrature`."""
    th = np.asarray(theta, dtype=np.float64).ravel()
    sa = np.ones_like(th) if sa is None else np.broadcast_to(np.asarray(sa, float), th.shape)
    sb = np.ones_like(th) if sb is None else np.broadcast_to(np.asarray(sb, float), th.shape)
    nz_kinks = np.array([k for k in kinks if k != 0.0])
    grade, nt = rule.grade_t, rule.nt
    if nz_kinks.size and grade < 16:
        grade, nt = 16, 16
    xt, wt = _arc_rule(nt, grade)
    xr, wr = np.polynomial.legendre.leggauss(rule.nr)
    xr, wr = 0.5 * (xr + 1.0), 0.5 * wr
    R_edges = _r_edges(rule)
    R = R_edges[-1]
    out = np.empty(th.size)
    per_angle = 4 * xt.size * (R_edges.size - 1 + 2 * nz_kinks.size) * xr.size
    chunk = max(1, min(16, 400_000 // per_angle))  # bounded working memory
    for s in range(0, th.size, chunk):
        T = th[s:s + chunk]
        A = sa[s:s + chunk, None, None, None, None]
        B = sb[s:s + chunk, None, None, None, None]
        # arcs [-pi/2, T-pi/2], [T-pi/2, pi/2], [pi/2, T+pi/2], [T+pi/2, 3pi/2]
        lo = np.stack([-0.5 * np.pi + 0 * T, T - 0.5 * np.pi, 0.5 * np.pi + 0 * T,
                       T + 0.5 * np.pi], -1)
        width = np.stack([T, np.pi - T, T, np.pi - T], -1)
        t = lo[..., None] + width[..., None] * xt            # (c, 4, Nt)
        wtt = width[..., None] * wt                           # (c, 4, Nt)
        a = np.cos(t)
        b = np.cos(t - T[:, None, None])
        # r-panels: fixed edges plus breakpoints where u = r a or v = r b crosses a nonzero kink
        edges = np.broadcast_to(R_edges, a.shape + (R_edges.size,))
        if nz_kinks.size:
            with np.errstate(divide="ignore", invalid="ignore"):
                extra = np.concatenate([nz_kinks / (A[..., 0] * a[..., None]),
                                        nz_kinks / (B[..., 0] * b[..., None])], -1)
            extra = np.where((extra > 0) & (extra < R), extra, R)
            edges = np.sort(np.concatenate([edges, extra], -1), -1)
        e0, e1 = edges[..., :-1], edges[..., 1:]              # (c, 4, Nt, P)
        r = e0[..., None] + (e1 - e0)[..., None] * xr          # (c, 4, Nt, P, Nr)
        wr_ = (e1 - e0)[..., None] * wr
        u = r * (A * a[..., None, None])
        v = r * (B * b[..., None, None])
        integrand = r * np.exp(-0.5 * r * r) * np.asarray(f(u), float) * np.asarray(f(v), float)
        inner = (integrand * wr_).sum(axis=(-1, -2))           # (c, 4, Nt)
        out[s:s + chunk] = (inner * wtt).sum(axis=(-1, -2)) / (2.0 * np.pi)
    return out


def radial_extent(f, name: str = "activation", scale: float = 1.0) -> float:
    r"""Radius ``R`` beyond which the polar integrand of :math:`\mathbb{E}[f(su)f(sv)]`,
    ``s <= scale``, is negligible: :math:`\int_R^\infty r e^{-r^2/2} M(r)^2 dr \le 10^{-17}`
    with :math:`M(r) = \max_{|z| \le s r}|f(z)|` (probed on a grid of step 0.02 out to
    :math:`|z| = 80`). Raises ValueError when :math:`|f|` grows like :math:`e^{z^2/4}` or
    faster (the kernel is infinite) or is not finite on the line."""
    r = np.linspace(0.0, _PROBE_MAX, 4001)
    with np.errstate(all="ignore"):
        m = np.maximum(np.abs(np.asarray(f(scale * r), float)),
                       np.abs(np.asarray(f(-scale * r), float)))
    bad = ~np.isfinite(m)
    end = int(np.argmax(bad)) if bad.any() else r.size
    M = np.maximum.accumulate(m[:end])
    with np.errstate(divide="ignore"):
        L = np.log(np.maximum(r[:end], 1e-300)) - 0.5 * r[:end] ** 2 + 2.0 * np.log(M)
    log_tol = math.log(_TAIL_TOL)
    if end < 2 or not L[-1] < log_tol - 10.0 or not np.all(np.diff(L[-40:]) < 0):
        where = (f"the kernel has non-finite entries, since f({scale * r[end]:.3g}) is not finite"
                 if end < r.size else
                 f"|f(+-{scale * r[-1]:.3g})|^2 exp(-z^2/2) is still {math.exp(min(L[-1], 700)):.1e}")
        raise ValueError(
            f"{name}: the dual kernel E[f(u) f(v)] is infinite or cannot be integrated in "
            f"float64: {where}. It is finite only when |f(z)| grows more slowly than "
            "exp(z^2/4) (f(u) f(v) against the Gaussian weight); use an activation with slower "
            "growth (for exp(b z^2): b < 1/4), or scale its argument down."
        )
    tail = np.cumsum((np.exp(L) * 0.02)[::-1])[::-1]
    k = int(np.argmax(tail <= _TAIL_TOL))
    return float(max(6.0, math.ceil(2.0 * r[k]) / 2.0))


def _accept(act: Activation) -> float:
    return _ACCEPT if act.builtin else _ACCEPT_USER


def _extent(act: Activation, which: str) -> float:
    key = act.key + ("R", which)
    cache = _TABLES if act.builtin else act.cache
    if key not in cache:
        cache[key] = radial_extent(_pick(act, which), act.name)
    return cache[key]


def dual_quadrature(act, theta, which: str = "dd") -> np.ndarray:
    r"""Evaluate :math:`\kappa(\theta) = \mathbb{E}[f(u)f(v)]` by the polar rule (no table).

    ``which="dd"`` uses :math:`f = \phi'`, ``"ff"`` uses :math:`f = \phi`. Vectorised over
    ``theta`` (angles in :math:`[0, \pi]`). Error control: the radial extent comes from the
    growth of ``f`` (:func:`radial_extent`); each value is compared with an independent rule
    (other nodes, panels and extent) and the rule is refined (graded arcs, more nodes) until the
    two agree to 1e-14 * max(1, ``|value|``); a RuntimeWarning says what was reached otherwise.
    Error below 1e-15 for the built-ins, below 1e-12 for the steep and fast-growing
    callables of tests/test_error_control.py.
    """
    act = _as_activation(act)
    f = _pick(act, which)
    th = np.atleast_1d(np.asarray(theta, dtype=np.float64)).ravel()
    if np.any((th < 0) | (th > math.pi)) or not np.all(np.isfinite(th)):
        raise ValueError("theta must lie in [0, pi]")
    R = _extent(act, which)
    _, val, err = _choose_level(f, act.kinks, R, th, _accept(act))
    if err > _WARN:
        warnings.warn(f"{act.name}: the polar quadrature of E[f(u) f(v)] reached only "
                      f"{err:.1e} relative accuracy (two independent rules differ by that)",
                      RuntimeWarning, stacklevel=2)
    return val.reshape(np.shape(theta)) if np.ndim(theta) else val[0]


@dataclass
class ThetaTable:
    r"""Piecewise Chebyshev interpolant of :math:`\kappa(\theta)` on :math:`[0, \pi]`.

    ``coef[p, j]`` is the coefficient of :math:`T_j` on panel ``p``; ``error`` is the largest
    difference from direct quadrature measured at the midpoints between interpolation nodes.
    """

    coef: np.ndarray
    error: float
    rel_error: float = 0.0

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


_TABLES: dict[tuple, object] = {}  # tables and radial extents of built-ins


def _cheb_nodes(deg: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))[::-1]


def _build_table(f, kinks, R: float, level: int, panels: int, degree: int = _DEGREE):
    """Interpolant on ``panels`` panels from the rule of ``level``, with the independent rule's
    values at check points (every fourth midpoint between nodes, five per panel) and the panel
    scales."""
    y = _cheb_nodes(degree)
    h = math.pi / panels
    left = h * np.arange(panels)
    th = left[:, None] + 0.5 * h * (y + 1.0)
    V = np.polynomial.chebyshev.chebvander(y, degree)
    ym = 0.5 * (y[:-1] + y[1:])[::4]
    thm = (left[:, None] + 0.5 * h * (ym + 1.0)).ravel()
    rule = _level_rule(R, level)
    vals = polar_quadrature(f, th.ravel(), rule, kinks).reshape(th.shape)
    table = ThetaTable(np.linalg.solve(V, vals.T).T, 0.0)
    chk = polar_quadrature(f, thm, rule.independent(), kinks)
    local = np.repeat(np.maximum(1.0, np.max(np.abs(vals), axis=1)), ym.size)
    return table, rule, thm, chk, local


def theta_table(act, which: str = "dd") -> ThetaTable:
    """Build (or fetch from the cache) the interpolant of the dual kernel of ``act``.

    Values at the Chebyshev nodes come from the polar rule; the interpolant is then compared,
    at the midpoints between nodes, with an *independent* rule (other nodes, panel edges and
    radial extent, :meth:`PolarRule.independent`). If they differ by more than
    1e-14 * max(1, ``|kappa|`` on the panel), the rule is refined (graded arcs and radial
    panels, more nodes; two levels) where the two rules disagree, or, where the interpolant
    misses, the degree doubled (20 to 40) and then the panels (up to 64), and the table
    rebuilt. ``error`` is the absolute and
    ``rel_error`` the relative difference reached; a RuntimeWarning is raised only when the
    relative difference exceeds 1e-12.
    """
    act = _as_activation(act)
    key = act.key + (which,)
    cache = _TABLES if act.builtin else act.cache
    if key in cache:
        return cache[key]
    f = _pick(act, which)
    R = _extent(act, which)
    acc = _accept(act)
    level, _, _ = _choose_level(f, act.kinks, R, _PROBE_THETA, acc)
    panels = _PANELS if act.builtin else _PANELS // 2  # callables: start coarse, refine on a miss
    degree = _DEGREE
    while True:
        table, rule, thm, chk, local = _build_table(f, act.kinks, R, level, panels, degree)
        diff = np.abs(table(thm) - chk)
        rel = float(np.max(diff / local))
        if rel <= acc:
            break
        # which failed: the interpolant (more panels) or the quadrature (finer rule)?
        same = polar_quadrature(f, thm, rule, act.kinks)
        interp_bad = np.max(np.abs(table(thm) - same) / local) > acc
        quad_bad = np.max(np.abs(same - chk) / local) > acc
        if quad_bad and level < _LEVELS - 1:
            level += 1
        elif interp_bad and degree == _DEGREE:
            degree *= 2  # squares the geometric convergence factor of an analytic kappa
        elif interp_bad and panels < _MAX_PANELS:
            panels *= 2
        else:
            break
    table.error = float(np.max(diff))
    table.rel_error = rel
    if rel > _WARN:
        warnings.warn(
            f"the dual kernel of {act.name} is accurate only to {rel:.1e} relative (the table "
            "and an independent quadrature rule differ by that after refinement); kernel "
            "entries carry that error (is the activation smooth between its declared kinks?)",
            RuntimeWarning, stacklevel=3)
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
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}")
    act = _as_activation(act)
    if rows not in ("unit", "any"):
        raise ValueError(f"rows must be 'unit' or 'any'; got {rows!r}")
    bias_var = real_scalar(bias_var, "bias_var")
    if bias_var < 0:
        raise ValueError(f"bias_var is a variance and must be >= 0; got {bias_var}")
    if normalize and rows == "any":
        raise ValueError("normalize=True (kernel of the normalised rows) and rows='any' (kernel of "
                         "the rows as given) contradict each other; choose one")
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
        out += R * dual_kernel(act, theta, "dd")
    if kind in ("K", "ntk"):
        out += dual_kernel(act, theta, "ff")
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
        _pick(act, "dd")
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
