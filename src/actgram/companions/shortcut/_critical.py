r"""The spurious critical point and the frozen-filter critical angles (the book's
derivations; module docstring of :mod:`actgram.companions.shortcut`)."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ._closed_form import _ALPHA, _BETA, _single, _vec, kappa


def spurious_point(v_star, a_star) -> tuple[np.ndarray, np.ndarray]:
    r"""The spurious critical point :math:`(v, a) = (-v^*, a_{\mathrm{sp}})` (the book's
    derivation).

    :math:`a_{\mathrm{sp}} = \bigl(-a^* + \pi S/(k + \pi - 1)\,\mathbf 1\bigr)/(\pi -
    1)`, :math:`S = \mathbf 1^\top a^*`. Both gradients vanish there (exactly for
    :math:`u`; up to round-off for :math:`a`). ``v_star``: (p,) unit, ``a_star``: (k,).
    """
    v_star = _vec(v_star, "v_star", unit=True)
    a_star = _vec(a_star, "a_star")
    k = a_star.shape[-1]
    S = np.sum(a_star, axis=-1, keepdims=True)
    a_sp = (-a_star + math.pi * S / (k + math.pi - 1.0)) / (math.pi - 1.0)
    return -v_star, a_sp


def spurious_margin(a_star) -> float:
    r""":math:`-a^*\cdot a_{\mathrm{sp}} = \bigl(\|a^*\|^2 - \pi S^2/(k + \pi - 1)\bigr)
    /(\pi - 1)`.

    Positive exactly when the spurious critical point is a local minimum (module
    docstring).
    """
    a_star = _single(a_star)
    k = a_star.size
    S = float(a_star.sum())
    return ((float(a_star @ a_star) - math.pi * S * S / (k + math.pi - 1.0))
            / (math.pi - 1.0))


def critical_angle(a_star, phase: str = "settled") -> float:
    r"""Frozen-filter critical angle (a heuristic of the book's, module docstring).

    With the filter frozen at angle :math:`\varphi` from :math:`v^*`, the filter's next
    move is towards :math:`v^*` when :math:`a\cdot a^* > 0`. Two frozen-filter guesses
    for the sign:

    - ``phase="settled"``: the second layer has settled at :math:`a =
      A^{-1}B(\varphi)a^*`;
      the root of :math:`a^{*\top}A^{-1}B(\varphi)a^* = 0` is
      :math:`\kappa(\varphi_c) = \beta\bigl(1 - \tfrac{S^2/(\alpha + k\beta)}
      {a^{*\top}A^{-1}a^*}\bigr)`;
    - ``phase="early"``: the second layer has just left :math:`a = 0`, along
      :math:`-\nabla_a L = B(\varphi)a^*`; the root of :math:`a^{*\top}B(\varphi)a^* =
      0` is :math:`\kappa(\varphi_c) = \beta(1 - S^2/\|a^*\|^2)`;

    with :math:`\alpha = (\pi - 1)/(2\pi)`, :math:`\beta = 1/(2\pi)`, :math:`S = \mathbf
    1^\top a^*`. :math:`\kappa` decreases on :math:`[0, \pi]`, so each root is unique;
    Brent's method finds it to about 1e-14. Refused when no root exists (the target is
    not in :math:`[0, \beta]`; for ``"settled"`` that is exactly when the spurious point
    is not a local minimum). Neither is a theorem about the coupled dynamics:
    :func:`zero_ball_threshold` measures the true threshold of gradient descent started
    at :math:`a = 0`.
    """
    a_star = _single(a_star)
    if phase not in ("settled", "early"):
        raise ValueError(f'phase must be "settled" or "early"; got {phase!r}')
    k = a_star.size
    S = float(a_star.sum())
    n2 = float(a_star @ a_star)
    if phase == "settled":
        q = (n2 - _BETA * S * S / (_ALPHA + k * _BETA)) / _ALPHA  # a*^T A^{-1} a*
        target = _BETA * (1.0 - S * S / (_ALPHA + k * _BETA) / q)
    else:
        target = _BETA * (1.0 - S * S / n2) if n2 > 0 else -1.0
    if not 0.0 < target <= _BETA:
        raise ValueError(
            f"no critical angle for this teacher (phase {phase!r}): the sign of a . a* "
            "never changes on [0, pi]. For 'settled' this happens exactly when "
            "(k + pi - 1)||a*||^2 <= pi (1^T a*)^2, i.e. when the spurious point is "
            "not a local minimum (see spurious_margin)"
        )
    return float(brentq(lambda t: float(kappa(t)) - target, 0.0, math.pi, xtol=1e-15,
                        rtol=1e-15))
