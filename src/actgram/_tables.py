r"""Theta tables: :math:`\kappa(\theta)` as a piecewise Chebyshev interpolant (private).

:func:`theta_table` builds (once per activation and ``f``) the interpolant on 16 panels
of degree 20 from the polar rule of :mod:`actgram._quadrature`, measures it against an
independent rule and refines until they agree; :func:`dual_quadrature` is the rule with
error control but no table. Accuracy: see :mod:`actgram.kernels`.
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


def _build_table(f, kinks, R: float, level: int, panels: int, degree: int = _DEGREE):
    """Interpolant on ``panels`` panels from the rule of ``level``, with the independent
    rule's values at check points (every fourth midpoint between nodes, five per panel)
    and the panel scales."""
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


def theta_table(act, of: str = "derivative") -> ThetaTable:
    """Build (or fetch from the cache) the interpolant of the dual kernel of ``act``.

    Values at the Chebyshev nodes come from the polar rule; the interpolant is then
    compared, at the midpoints between nodes, with an *independent* rule (other nodes,
    panel edges and radial extent, :meth:`PolarRule.independent`). If they differ by
    more than 1e-14 * max(1, ``|kappa|`` on the panel), the rule is refined (graded arcs
    and radial panels, more nodes; two levels) where the two rules disagree, or, where
    the interpolant misses, the degree doubled (20 to 40) and then the panels (up to
    64), and the table rebuilt. ``error`` is the absolute and ``rel_error`` the relative
    difference reached; a RuntimeWarning is raised only when the relative difference
    exceeds 1e-12.
    """
    act = as_activation(act)
    f = _pick(act, of)
    key = act.key + (of,)
    cache = _TABLES if act.builtin else act.cache
    if key in cache:
        return cache[key]
    R = _extent(act, of)
    acc = _accept(act)
    level, _, _ = _choose_level(f, act.kinks, R, _PROBE_THETA, acc)
    # callables: start coarse, refine on a miss
    panels = _PANELS if act.builtin else _PANELS // 2
    degree = _DEGREE
    while True:
        table, rule, thm, chk, local = _build_table(f, act.kinks, R, level, panels,
                                                    degree)
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
            f"the dual kernel of {act.name} is accurate only to {rel:.1e} relative "
            "(the table and an independent quadrature rule differ by that after "
            "refinement); kernel entries carry that error (is the activation smooth "
            "between its declared kinks?)",
            RuntimeWarning, stacklevel=3)
    cache[key] = table
    return table
