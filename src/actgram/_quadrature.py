r"""The polar quadrature rule for the dual kernels (private; see actgram.kernels).

:math:`\mathbb{E}[f(u)f(v)]` for :math:`(u, v)` standard normal with correlation
:math:`\cos\theta`, written in polar coordinates :math:`(u, v) = (r\cos t,
r\cos(t-\theta))`: the :math:`t`-circle is cut at the kink rays into four arcs
(Gauss-Legendre), :math:`r` into panels; :func:`radial_extent` chooses the radial extent
from the growth of ``f``; :func:`_choose_level` picks the lowest refinement level whose
values agree with an independent rule (:meth:`PolarRule.independent`). Accuracy: see
:mod:`actgram.kernels`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_of, require_derivative
from .activations import Activation

# polar quadrature rule (error-controlled; see the module docstring)
_T_NODES = 48
_R_NODES = 24
_R_BASE = np.array([0.0, 1.5, 3.0, 4.5, 6.5, 9.0, 13.0])  # first radial panel edges
_R_STEP = 2.5          # panel width beyond the base edges
_TAIL_TOL = 1e-17      # bound on the dropped radial tail (absolute)
_PROBE_MAX = 80.0      # growth probe: |z| <= this
_ACCEPT = 1e-14        # built-ins: |rule - independent rule| <= _ACCEPT * max(1, |k|)
_ACCEPT_USER = 1e-13   # the same for user callables (stated accuracy 1e-12)
_WARN = 1e-12          # warn above this relative error
_LEVELS = 3            # refinement levels tried before warning


def _pick(act: Activation, of: str):
    """phi' (``of="derivative"``; refused where it is zero almost everywhere) or phi
    (``of="function"``); ``of`` is checked."""
    if check_of(of) == "derivative":
        require_derivative(act, "G")
        return act.derivative
    return act.fn


@dataclass(frozen=True)
class PolarRule:
    """Parameters of the polar rule: radial extent ``R``, Gauss-Legendre nodes per arc
    (or per graded arc panel, ``grade_t > 0``: panels refined geometrically to
    ``2**-grade_t`` of the arc at both ends), nodes per radial panel, radial grading
    towards 0 (``grade_r`` extra panels halving towards ``r = 0``) and a stretch of the
    panel pattern (``stretch``; the independent check rule uses a different one).
    ``mirror``: use the symmetry t -> theta - t of the integrand (half the evaluations
    of ``f``; applied where both scales are 1 and every kink is at 0)."""

    R: float
    nt: int = _T_NODES
    nr: int = _R_NODES
    grade_t: int = 0
    grade_r: int = 0
    stretch: float = 1.0
    mirror: bool = False

    def independent(self) -> PolarRule:
        """A rule with other nodes, other panel edges and a longer radial extent."""
        return PolarRule(self.R * 1.15 + 1.0, self.nt + 12, self.nr + 8, self.grade_t,
                         self.grade_r, 0.83, self.mirror)


def _level_rule(R: float, level: int, mirror: bool = False) -> PolarRule:
    """Rule of refinement ``level``: 0 the plain rule; 1 twice the arc nodes (broad,
    fast-growing integrands); 2 arcs and radial panels graded geometrically towards the
    rays and towards ``r = 0`` (steep activations). ``mirror``: see
    :class:`PolarRule`."""
    return (PolarRule(R, mirror=mirror), PolarRule(R, nt=96, nr=32, mirror=mirror),
            PolarRule(R, nt=12, nr=24, grade_t=7, grade_r=4, mirror=mirror))[level]


#: angles where the refinement level is chosen (ends, near-ends and interior)
_PROBE_THETA = np.array([0.0, 1e-3, 0.1, 0.5, 1.2, 2.0, 2.8, 3.1, math.pi - 1e-3,
                         math.pi])


def _choose_level(f, kinks, R: float, th: np.ndarray, accept: float):
    """Lowest refinement level whose values at ``th`` agree with the independent rule to
    ``accept`` * max(1, ``|value|``); returns ``(level, values, relative difference)``
    (the last level if none agrees)."""
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

    Plain Gauss-Legendre when ``grade == 0`` (every kink at 0, smooth activation: the
    integrand is analytic on the arc). A kink at c != 0 makes the arc integrand behave
    like exp(-c^2 / (2 cos^2 t)) at the arc ends (flat, not analytic), and a steep
    activation varies fast there: then the arc is cut into panels graded geometrically
    towards both ends.
    """
    x0, w0 = np.polynomial.legendre.leggauss(nt)
    if not grade:
        return 0.5 * (x0 + 1.0), 0.5 * w0
    half = np.concatenate([[0.0], 0.5 ** np.arange(grade, 0, -1)])  # 0, 2^-g, ..., 1/2
    edges = np.concatenate([half, 1.0 - half[-2::-1]])
    a, b = edges[:-1, None], edges[1:, None]
    return (a + 0.5 * (b - a) * (x0 + 1.0)).ravel(), (0.5 * (b - a) * w0).ravel()


def polar_quadrature(f, theta, rule: PolarRule, kinks=(), sa=None,
                     sb=None) -> np.ndarray:
    r""":math:`\mathbb{E}[f(s_a u) f(s_b v)]`, :math:`(u, v)` standard normal with
    correlation :math:`\cos\theta`, by the polar ``rule`` (one value per angle; ``sa``,
    ``sb`` optional per-angle scales, default 1). No error control: see
    :func:`dual_quadrature`."""
    th = np.asarray(theta, dtype=np.float64).ravel()
    mirror = rule.mirror and sa is None and sb is None
    sa = (np.ones_like(th) if sa is None
          else np.broadcast_to(np.asarray(sa, float), th.shape))
    sb = (np.ones_like(th) if sb is None
          else np.broadcast_to(np.asarray(sb, float), th.shape))
    nz_kinks = np.array([k for k in kinks if k != 0.0])
    mirror = mirror and not nz_kinks.size
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
        if mirror:
            out[s:s + chunk] = _mirrored_arcs(f, T, xt, wt, xr, wr, R_edges)
            continue
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
        # r-panels: fixed edges plus breakpoints where u = r a or v = r b crosses a
        # nonzero kink
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
        integrand = (r * np.exp(-0.5 * r * r) * np.asarray(f(u), float)
                     * np.asarray(f(v), float))
        inner = (integrand * wr_).sum(axis=(-1, -2))           # (c, 4, Nt)
        out[s:s + chunk] = (inner * wtt).sum(axis=(-1, -2)) / (2.0 * np.pi)
    return out


def _mirrored_arcs(f, T, xt, wt, xr, wr, R_edges) -> np.ndarray:
    """The same rule by the symmetry t -> T - t, which swaps u and v (unit scales, kinks
    at 0 only): the arc [pi/2, T + pi/2] is the mirror image of [-pi/2, T - pi/2] (its
    integral counted twice), and on [T - pi/2, pi/2] and [T + pi/2, 3pi/2], each its own
    image, f(v) at node j is f(u) at node n - 1 - j (symmetric nodes and weights): f is
    evaluated at half the points. One arc at a time (smaller temporaries: faster)."""
    e0, e1 = R_edges[:-1, None], R_edges[1:, None]
    r = e0 + (e1 - e0) * xr                                # (P, Nr)
    g = r * np.exp(-0.5 * r * r) * ((e1 - e0) * wr)
    out = np.zeros(T.size)
    arcs = ((-0.5 * np.pi + 0 * T, T, 2.0), (T - 0.5 * np.pi, np.pi - T, 1.0),
            (T + 0.5 * np.pi, np.pi - T, 1.0))
    for k, (lo, width, count) in enumerate(arcs):
        t = lo[:, None] + width[:, None] * xt              # (c, Nt)
        fu = np.asarray(f(r * np.cos(t)[..., None, None]), float)  # (c, Nt, P, Nr)
        fv = (np.asarray(f(r * np.cos(t - T[:, None])[..., None, None]), float)
              if k == 0 else fu[:, ::-1])
        inner = ((fu * fv) * g).sum(axis=(-1, -2))         # (c, Nt)
        out += count * (inner * (width[:, None] * wt)).sum(-1)
    return out / (2.0 * np.pi)


def radial_extent(f, name: str = "activation", scale: float = 1.0) -> float:
    r"""Radius ``R`` beyond which the polar integrand of :math:`\mathbb{E}[f(su)f(sv)]`,
    ``s <= scale``, is negligible: :math:`\int_R^\infty r e^{-r^2/2} M(r)^2 dr \le
    10^{-17}` with :math:`M(r) = \max_{|z| \le s r}|f(z)|` (probed on a grid of step
    0.02 out to :math:`|z| = 80`). Raises ValueError when :math:`|f|` grows like
    :math:`e^{z^2/4}` or faster (the kernel is infinite) or is not finite on the
    line."""
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
        where = (f"the kernel has non-finite entries, since f({scale * r[end]:.3g}) "
                 "is not finite" if end < r.size else
                 f"|f(+-{scale * r[-1]:.3g})|^2 exp(-z^2/2) is still "
                 f"{math.exp(min(L[-1], 700)):.1e}")
        raise ValueError(
            f"{name}: the dual kernel E[f(u) f(v)] is infinite or cannot be "
            f"integrated in float64: {where}. It is finite only when |f(z)| grows more "
            "slowly than exp(z^2/4) (f(u) f(v) against the Gaussian weight); use an "
            "activation with slower growth (for exp(b z^2): b < 1/4), or scale its "
            "argument down."
        )
    tail = np.cumsum((np.exp(L) * 0.02)[::-1])[::-1]
    k = int(np.argmax(tail <= _TAIL_TOL))
    return float(max(6.0, math.ceil(2.0 * r[k]) / 2.0))


def _accept(act: Activation) -> float:
    return _ACCEPT if act.builtin else _ACCEPT_USER
