"""A user callable's tables: cheap to build (the first call) without losing accuracy.

Guards the per-panel refinement, the mirrored polar rule and the callables' check (ten
midpoints and both edges of every panel, relative to max(1, |kappa|) at each point) in
actgram._tables / actgram._quadrature; benchmarks/first_call.py measures the time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

import actgram as ag
from actgram._quadrature import _level_rule, polar_quadrature
from actgram._tables import theta_table

TH = np.array([0.0, 1e-9, 1e-3, 0.3, 1.0, math.pi / 2, 2.5, math.pi - 1e-3, math.pi])


@pytest.mark.parametrize("level", [0, 1, 2])
@pytest.mark.parametrize("f", [lambda z: np.where(z > 0, 2 * z, -0.5 * z),
                               lambda z: np.exp(0.2 * z * z),
                               lambda z: special.erf(4 * z)],
                         ids=["abrelu", "gauss0.2", "erf4"])
def test_mirrored_rule_is_the_same_rule(f, level):
    # catches a wrong arc, weight or node reversal in the mirrored evaluation (which
    # would move values by far more than rounding)
    plain = polar_quadrature(f, TH, _level_rule(12.0, level))
    mirrored = polar_quadrature(f, TH, _level_rule(12.0, level, mirror=True))
    assert np.max(np.abs(mirrored - plain) / np.maximum(1.0, np.abs(plain))) < 2e-15


def test_mirror_not_used_with_scales_or_off_zero_kinks():
    # the symmetry swaps u and v: it holds only for equal unit scales and kinks at 0
    f = lambda z: np.maximum(z - 0.5, 0.0)  # noqa: E731
    rule = _level_rule(12.0, 0, mirror=True)
    plain = polar_quadrature(f, TH[:4], _level_rule(12.0, 0), kinks=(0.5,))
    assert np.array_equal(polar_quadrature(f, TH[:4], rule, kinks=(0.5,)), plain)
    g = np.tanh
    sa, sb = np.full(4, 2.0), np.full(4, 0.5)
    assert np.array_equal(polar_quadrature(g, TH[:4], rule, sa=sa, sb=sb),
                          polar_quadrature(g, TH[:4], _level_rule(12.0, 0), sa=sa, sb=sb))


def test_callable_table_accurate_where_kappa_varies_fast():
    # exp(3z): kappa = exp(9 (1 + cos theta)) falls by a factor 600 across a panel of
    # width pi/4; a check scaled by the panel's largest value, or without the panel
    # edges, passed a table 4e-13 off at theta = pi/2
    act = ag.activation(lambda z: np.exp(3 * z))
    th = np.linspace(0.0, math.pi, 2001)
    for of, scale in (("function", 1.0), ("derivative", 9.0)):
        tab = theta_table(act, of)
        ref = scale * np.exp(9.0 * (1.0 + np.cos(th)))
        err = np.abs(tab(th) - ref) / np.maximum(1.0, ref)
        assert err.max() < 5e-14, (of, err.max())
        assert tab.rel_error <= 1e-13


def test_steep_callable_refines_only_some_panels():
    # erf(4z): kappa = (2/pi) arcsin(32 rho / 33) is steep only near theta = 0 and pi;
    # the middle panels keep degree 20 (zero-padded), the table stays within 1e-13
    act = ag.activation(lambda z: special.erf(4 * z))
    tab = theta_table(act, "function")
    th = np.linspace(0.0, math.pi, 2001)
    ref = 2 / np.pi * np.arcsin(32 * np.cos(th) / 33)
    assert np.max(np.abs(tab(th) - ref)) < 5e-14
    padded = np.all(tab.coef[:, 21:] == 0.0, axis=1)
    assert tab.coef.shape[1] == 41 and padded.any() and not padded.all()


def test_callable_tables_cost_bounded():
    # the work of a first call (evaluations of phi), independent of the machine's
    # load: this table took 12.8e6 evaluations before the per-panel refinement and the
    # mirrored rule (8 panels, the probe-angle level choice), 4.2e6 now
    count = [0]

    def f(z):
        count[0] += np.size(z)
        return np.tanh(2 * z)

    act = ag.activation(f, derivative=lambda z: 2.0 / np.cosh(2 * z) ** 2)
    count[0] = 0
    theta_table(act, "function")
    assert count[0] <= 5_000_000
