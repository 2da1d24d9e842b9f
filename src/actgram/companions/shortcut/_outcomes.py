r"""Where the runs end: classification of trials, binomial intervals for success rates,
and the measured threshold angle of gradient descent from :math:`a = 0`."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binomtest

from ..._validate import positive_int, real_scalar
from ._closed_form import _filters, _layers, _single, angle
from ._critical import spurious_point
from ._training import direction_at_angle, train


def classify(u, a, v_star, a_star, *, angle_tol: float = 0.05,
             a_tol: float = 0.05) -> np.ndarray:
    r"""Label each trial ``"global"``, ``"spurious"`` or ``"other"``.

    ``"global"``: angle to :math:`v^*` below ``angle_tol`` and :math:`\|a - a^*\| \le`
    ``a_tol`` :math:`\|a^*\|`; ``"spurious"``: angle to :math:`-v^*` below ``angle_tol``
    and :math:`\|a - a_{\mathrm{sp}}\| \le` ``a_tol`` :math:`\|a^*\|`. The spurious
    minimum is degenerate (cubic in the angle), so gradient descent approaches it only
    like :math:`1/t`: the tolerances must allow for that.
    """
    u, v_star = _filters(u, v_star)
    a, a_star = _layers(a, a_star)
    angle_tol = real_scalar(angle_tol, "angle_tol", positive=True)
    a_tol = real_scalar(a_tol, "a_tol", positive=True)
    t = angle(u, v_star)
    _, a_sp = spurious_point(v_star if v_star.ndim == 1 else v_star[0], a_star)
    scale = np.linalg.norm(a_star)
    near_star = np.linalg.norm(a - a_star, axis=-1) <= a_tol * scale
    near_sp = np.linalg.norm(a - a_sp, axis=-1) <= a_tol * scale
    is_global = (t < angle_tol) & near_star
    is_spur = (math.pi - t < angle_tol) & near_sp
    return np.where(is_global, "global", np.where(is_spur, "spurious", "other"))


def success_interval(successes: int, trials: int,
                     confidence: float = 0.95) -> tuple[float, float, float]:
    r"""Success rate and its exact (Clopper-Pearson) binomial confidence interval.

    Returns ``(rate, low, high)``; the interval covers the true rate with probability at
    least ``confidence`` (scipy.stats.binomtest, method "exact").
    """
    n = positive_int(trials, "trials")
    if (isinstance(successes, bool) or not isinstance(successes, (int, np.integer))
            or not 0 <= successes <= n):
        raise ValueError(f"successes must be an integer in [0, trials = {n}]; "
                         f"got {successes!r}")
    c = real_scalar(confidence, "confidence", positive=True)
    if c >= 1:
        raise ValueError(f"confidence must lie in (0, 1); got {confidence}")
    ci = binomtest(int(successes), n).proportion_ci(confidence_level=c, method="exact")
    return successes / n, float(ci.low), float(ci.high)


def zero_ball_threshold(a_star, *, eta: float = 1.0, steps: int = 3000,
                        tol: float = 1e-4) -> float:
    r"""Measured threshold angle of gradient descent from :math:`a = 0` (the limit of a
    vanishing ball).

    The shortcut net is started with its filter at angle :math:`\varphi` from
    :math:`v^*` and :math:`a = 0`; the outcome is deterministic. Bisection on
    :math:`\varphi \in [0, \pi]` between an angle that ends at the global optimum and
    one that ends at the spurious point, to ``tol`` radians. Only the angle matters (the
    loss depends on the filter through :math:`\theta` only), so :math:`p = 2` is used.
    Raises if a trial ends at neither point within ``steps``. Accuracy: ``tol`` plus the
    dependence on the step size (about 0.03 degrees between :math:`\eta = 1` and
    :math:`\eta = 0.25` for the book's teacher).
    """
    a_star = _single(a_star)
    tol = real_scalar(tol, "tol", positive=True)
    v_star = np.array([1.0, 0.0])
    k = a_star.size

    def ends_global(phi: float) -> bool:
        u0 = direction_at_angle(v_star, [phi])
        res = train(u0, np.zeros((1, k)), v_star, a_star, eta=eta, steps=steps,
                    record_every=steps)
        label = classify(res.u, res.a, v_star, a_star)[0]
        if label == "other":
            raise RuntimeError(f"the trial at angle {phi:.6g} ended at neither point "
                               f"after {steps} steps; raise steps")
        return label == "global"

    lo, hi = 0.0, math.pi
    if not ends_global(lo):
        raise RuntimeError("gradient descent started at the teacher's filter did not "
                           "stay at the global optimum")
    if ends_global(hi - 1e-9):
        return math.pi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if ends_global(mid):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
