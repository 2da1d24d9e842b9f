r"""Theta tables: :math:`\kappa(\theta)` as a piecewise Chebyshev interpolant (private).

:func:`theta_table` builds (once per activation and ``f``) the interpolant on 16 panels
(user callables: 4) of degree 20 from the polar rule of :mod:`actgram._quadrature`,
measures it against an independent rule and refines the panels that miss until they
agree; :func:`dual_quadrature` is the rule with error control but no table.
Accuracy: see :mod:`actgram.kernels`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ._guards import clenshaw_panels
from ._quadrature import (
    _LEVELS,
    _PROBE_THETA,
    _WARN,
    _accept,
    _choose_level,
    _level_rule,
    _pick,
    polar_quadrature,
    radial_extent,
)
from ._validate import as_activation
from .activations import Activation

# theta table
_PANELS = 16
_MAX_PANELS = 64  # panels are doubled up to this when the interpolant misses
_DEGREE = 20

_TABLES: dict[tuple, object] = {}  # tables and radial extents of built-ins


def _extent(act: Activation, of: str) -> float:
    key = act.key + ("R", of)
    cache = _TABLES if act.builtin else act.cache
    if key not in cache:
        cache[key] = radial_extent(_pick(act, of), act.name)
    return cache[key]


def dual_quadrature(act, theta, of: str = "derivative") -> np.ndarray:
    r""":math:`\kappa(\theta) = \mathbb{E}[f(u)f(v)]` by the polar rule (no table).

    ``of="derivative"`` uses :math:`f = \phi'`, ``"function"`` uses :math:`f = \phi`.
    Vectorised over ``theta`` (angles in :math:`[0, \pi]`). Error control: the radial
    extent comes from the growth of ``f`` (:func:`radial_extent`); each value is
    compared with an independent rule (other nodes, panels and extent) and the rule is
    refined (graded arcs, more nodes) until the two agree to 1e-14 * max(1,
    ``|value|``); a RuntimeWarning says what was reached otherwise. Error below 1e-15
    for the built-ins, below 1e-12 for the steep and fast-growing callables of
    tests/test_error_control.py.
    """
    act = as_activation(act)
    f = _pick(act, of)
    th = np.atleast_1d(np.asarray(theta, dtype=np.float64)).ravel()
    if np.any((th < 0) | (th > math.pi)) or not np.all(np.isfinite(th)):
        raise ValueError("theta must lie in [0, pi]")
    R = _extent(act, of)
    _, val, err = _choose_level(f, act.kinks, R, th, _accept(act))
    if err > _WARN:
        warnings.warn(f"{act.name}: the polar quadrature of E[f(u) f(v)] reached only "
                      f"{err:.1e} relative accuracy (two independent rules differ by "
                      "that)", RuntimeWarning, stacklevel=2)
    return val.reshape(np.shape(theta)) if np.ndim(theta) else val[0]


@dataclass
class ThetaTable:
    r"""Piecewise Chebyshev interpolant of :math:`\kappa(\theta)` on :math:`[0, \pi]`.

    ``coef[p, j]`` is the coefficient of :math:`T_j` on panel ``p``; ``error`` is the
    largest difference from direct quadrature measured at the midpoints between
    interpolation nodes.
    """

    coef: np.ndarray
    error: float
    rel_error: float = 0.0

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        """Clenshaw evaluation at an array of angles (compiled and parallel for 4096
        angles or more when numba is installed, see :mod:`actgram._fused`; same
        operations)."""
        if np.size(theta) >= 4096:
            from . import _fused

            if _fused.enabled():
                return _fused.table_eval(self.coef, theta)
        return clenshaw_panels(self.coef, theta)


def _cheb_nodes(deg: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))[::-1]


def _build_panels(f, kinks, R: float, level: int, panels: int, idx, degree: int,
                  user: bool = False):
    """Chebyshev coefficients on the panels ``idx`` (of ``panels`` equal panels of
    [0, pi]) from the rule of ``level``, with the check points, the independent rule's
    values there and the scales max(1, ``|kappa|``); arrays with one row per panel.

    Built-ins: every fourth midpoint between nodes, scaled by the panel's largest
    ``|kappa|``. Callables (``user``): ten midpoints and both panel edges (where the
    interpolant is least accurate), each scaled by ``|kappa|`` there, and the rules use
    the integrand's mirror symmetry (:class:`PolarRule`). Returns ``(coef, check
    angles, check positions in [-1, 1], independent values, scales)``.
    """
    y = _cheb_nodes(degree)
    h = math.pi / panels
    left = h * np.asarray(idx, dtype=np.float64)
    th = left[:, None] + 0.5 * h * (y + 1.0)
    V = np.polynomial.chebyshev.chebvander(y, degree)
    ym = 0.5 * (y[:-1] + y[1:])[::2 * degree // _DEGREE if user else 4]
    if user:
        ym = np.concatenate([[-1.0], ym, [1.0]])
    thm = left[:, None] + 0.5 * h * (ym + 1.0)
    rule = _level_rule(R, level, mirror=user)
    vals = polar_quadrature(f, th.ravel(), rule, kinks).reshape(th.shape)
    coef = np.linalg.solve(V, vals.T).T
    chk = polar_quadrature(f, thm.ravel(), rule.independent(), kinks).reshape(thm.shape)
    ys = np.broadcast_to(ym, thm.shape)
    if user:
        return coef, thm, ys, chk, np.maximum(1.0, np.abs(chk))
    local = np.maximum(1.0, np.max(np.abs(vals), axis=1))
    return coef, thm, ys, chk, np.broadcast_to(local[:, None], thm.shape)


class _Panels:
    """A table under construction: each panel has its own refinement level and degree
    and is rebuilt alone when its check fails (a steep kernel refines only the panels
    where it is steep). ``user``: a callable's table (see :func:`_build_panels`)."""

    def __init__(self, f, kinks, R: float, level: int, panels: int, user: bool):
        self.f, self.kinks, self.R, self.user = f, kinks, R, user
        self.level = np.full(panels, level)
        self.degree = np.full(panels, _DEGREE)
        self.rows: list = [None] * panels
        self.build(np.arange(panels))

    def build(self, idx: np.ndarray) -> None:
        """(Re)build the panels ``idx``, one quadrature call per (level, degree)."""
        keys = sorted({(int(self.level[p]), int(self.degree[p])) for p in idx})
        for lev, deg in keys:
            grp = [p for p in idx if self.level[p] == lev and self.degree[p] == deg]
            out = _build_panels(self.f, self.kinks, self.R, lev, self.level.size,
                                grp, deg, self.user)
            for k, p in enumerate(grp):
                self.rows[p] = tuple(a[k] for a in out)

    def table(self) -> ThetaTable:
        """The interpolant (lower-degree panels padded with zero coefficients, which
        Clenshaw's recurrence evaluates exactly as the unpadded panel)."""
        width = max(r[0].size for r in self.rows)
        coef = np.zeros((len(self.rows), width))
        for p, r in enumerate(self.rows):
            coef[p, :r[0].size] = r[0]
        return ThetaTable(coef, 0.0)

    def _interp(self, table: ThetaTable, p: int) -> np.ndarray:
        """The interpolant at panel ``p``'s check points: the table there (built-ins),
        or the panel's own polynomial (callables: its edges belong to it, not to the
        neighbour that the table would pick)."""
        coef, thm, ys = self.rows[p][:3]
        if self.user:
            return np.polynomial.chebyshev.chebval(ys, coef)
        return table(thm)

    def check(self, table: ThetaTable) -> tuple[np.ndarray, np.ndarray]:
        """Per panel: largest absolute and relative difference from the check rule."""
        diff = [np.abs(self._interp(table, p) - r[3]) for p, r in enumerate(self.rows)]
        return (np.array([np.max(d) for d in diff]),
                np.array([np.max(d / r[4]) for d, r in zip(diff, self.rows,
                                                            strict=True)]))

    def refine(self, table: ThetaTable, bad: np.ndarray, acc: float) -> bool:
        """Refine the failing panels ``bad``: a finer rule where the quadrature fails
        (the same rule at the check angles disagrees with the independent one), a
        doubled degree where the interpolant misses that rule's values (both where
        both fail), else twice the panels; False when nothing is left to refine."""
        split, redo = False, []
        for p in bad:
            thm, _, chk, local = self.rows[p][1:]
            rule = _level_rule(self.R, self.level[p], mirror=self.user)
            same = polar_quadrature(self.f, thm, rule, self.kinks)
            interp_bad = np.max(np.abs(self._interp(table, p) - same) / local) > acc
            quad_bad = np.max(np.abs(same - chk) / local) > acc
            finer = quad_bad and self.level[p] < _LEVELS - 1
            higher = interp_bad and self.degree[p] == _DEGREE
            # both at once where both miss (one rebuild instead of two)
            self.level[p] += finer
            if higher:
                self.degree[p] *= 2  # squares an analytic kappa's convergence factor
            if finer or higher:
                redo.append(p)
            elif interp_bad and self.level.size < _MAX_PANELS:
                split = True
        if split:  # twice the panels, each inheriting its parent's level
            self.level = np.repeat(self.level, 2)
            self.degree = np.full(self.level.size, _DEGREE)
            self.rows = [None] * self.level.size
            redo = list(range(self.level.size))
        self.build(np.asarray(redo, dtype=int))
        return bool(redo)


def theta_table(act, of: str = "derivative") -> ThetaTable:
    """Build (or fetch from the cache) the interpolant of the dual kernel of ``act``.

    Values at the Chebyshev nodes come from the polar rule; the interpolant is then
    compared, at the midpoints between nodes, with an *independent* rule (other nodes,
    panel edges and radial extent, :meth:`PolarRule.independent`). If they differ by
    more than 1e-14 * max(1, ``|kappa|`` on the panel) (user callables: 1e-13, see
    below), the rule is refined (graded arcs
    and radial panels, more nodes; two levels) where the two rules disagree, or, where
    the interpolant misses, the degree doubled (20 to 40) and then the panels (up to
    64); only the failing panels are rebuilt (each panel keeps its own rule and degree;
    panels of lower degree are padded with zero coefficients). A user callable's table
    starts from 4 panels and the plain rule, is checked at ten midpoints and both edges
    of every panel relative to max(1, ``|kappa|``) at each point (the stated accuracy),
    and its rules use the integrand's mirror symmetry (half the evaluations).
    ``error`` is the absolute and ``rel_error`` the relative difference reached; a
    RuntimeWarning is raised only when the relative difference exceeds 1e-12.
    """
    act = as_activation(act)
    f = _pick(act, of)
    key = act.key + (of,)
    cache = _TABLES if act.builtin else act.cache
    if key in cache:
        return cache[key]
    R = _extent(act, of)
    acc = _accept(act)
    if act.builtin:  # the level that the probe angles ask for, on every panel
        level, _, _ = _choose_level(f, act.kinks, R, _PROBE_THETA, acc)
        state = _Panels(f, act.kinks, R, level, _PANELS, user=False)
    else:  # callables: start coarse, refine the panels that miss
        off_zero = any(k != 0.0 for k in act.kinks)  # no mirror symmetry: 8 panels
        state = _Panels(f, act.kinks, R, 0, _PANELS // (2 if off_zero else 4), user=True)
    while True:
        table = state.table()
        diff, rels = state.check(table)
        bad = np.nonzero(rels > acc)[0]
        if not bad.size or not state.refine(table, bad, acc):
            break
    table.error = float(np.max(diff))
    rel = table.rel_error = float(np.max(rels))
    if rel > _WARN:
        warnings.warn(
            f"the dual kernel of {act.name} is accurate only to {rel:.1e} relative "
            "(the table and an independent quadrature rule differ by that after "
            "refinement); kernel entries carry that error (is the activation smooth "
            "between its declared kinks?)",
            RuntimeWarning, stacklevel=3)
    cache[key] = table
    return table
