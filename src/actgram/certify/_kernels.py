r"""Entries of :math:`G^\infty` as arb balls: pairwise correlations, closed forms, Hermite series."""

from __future__ import annotations

import numpy as np

from ..activations import Activation
from ._flint import require, working_precision
from ._hermite import SERIES, hermite_squares

CLOSED = ("relu", "leaky_relu", "abs", "relu_power", "erf", "sin", "polynomial", "monomial")


def supported_activations() -> list[str]:
    """Built-in activations with a certified kernel route (``relu_power`` for r = 1, 2, 3)."""
    return sorted(CLOSED + tuple(SERIES))


def _route(act: Activation) -> str | None:
    """``act.family`` where a certified route exists for it, else None."""
    family = act.family
    if family == "relu_power" and act.params.get("r", 0) > 3:
        return None
    return family if family in CLOSED or family in SERIES else None


def check_supported(act: Activation) -> str:
    """The route (``act.family``) for ``act``, or a ValueError listing the supported
    activations."""
    family = _route(act)
    if family is None:
        raise ValueError(
            f"no certified kernel route for {act.name}; method='certified' supports the built-ins "
            f"{', '.join(supported_activations())} (relu_power with r <= 3). Use method='auto'."
        )
    return family


def correlations(X: np.ndarray, bits: int):
    r"""Balls for :math:`\rho_{ij} = x_i\cdot x_j/(\|x_i\|\|x_j\|)` from the float64 rows (exact).

    Returns an ``arb_mat``; the diagonal is exactly 1.
    """
    flint = require()
    n = X.shape[0]
    with working_precision(bits):
        A = flint.arb_mat(X.tolist())  # float64 -> exact arb
        R = A * A.transpose()
        norms = [R[i, i].sqrt() for i in range(n)]
        for i in range(n):
            R[i, i] = 1
            for j in range(i + 1, n):
                R[i, j] = R[j, i] = R[i, j] / (norms[i] * norms[j])
    return R


def _hermite_poly(coeffs) -> list:
    """Squared normalised Hermite coefficients of phi' for a polynomial phi (exact)."""
    arb = require().arb
    a = [arb(float(c)) for c in coeffs]
    da = [k * a[k] for k in range(1, len(a))] or [arb(0)]
    b = [arb(0)] * (len(da) + 1)  # phi' in the He basis, Horner: b <- z b + a_m
    for c in reversed(da):
        nb = [arb(0)] * len(b)
        for k, bk in enumerate(b):
            if k + 1 < len(nb):
                nb[k + 1] += bk
            if k >= 1:
                nb[k - 1] += k * bk
        nb[0] += c
        b = nb
    return [b[k] ** 2 * arb.fac_ui(k) for k in range(len(b))]


def _angular(family: str, act: Activation, rho):
    """Closed-form kappa(rho) for the arc-cosine family; theta = atan2(sqrt(1 - rho^2), rho)."""
    arb = require().arb
    pi = arb.pi()
    s = (1 - rho * rho).nonnegative_part().sqrt()
    t = arb.atan2(s, rho)
    j0 = (pi - t) / (2 * pi)
    if family == "relu":
        return j0
    if family in ("leaky_relu", "abs"):
        a = arb(float(act.arccos[0]))  # the declared negative-side slope
        return a + (1 - a) ** 2 * j0
    r = int(act.params["r"])
    if r == 1:
        return j0
    if r == 2:
        return 4 * (s + (pi - t) * rho) / (2 * pi)
    return 9 * (3 * s * rho + (pi - t) * (1 + 2 * rho * rho)) / (2 * pi)


def _kappa_fn(family: str, act: Activation, bits: int):
    """A function rho-ball -> kappa(rho)-ball, and kappa(1) (the diagonal)."""
    flint = require()
    arb = flint.arb
    if family in ("relu", "leaky_relu", "abs", "relu_power"):
        return (lambda r: _angular(family, act, r)), _angular(family, act, arb(1))
    if family == "erf":
        def f(r):
            return 4 / (arb.pi() * (9 - 4 * r * r).sqrt())
        return f, f(arb(1))
    if family == "sin":
        def f(r):
            return r.cosh() / arb(1).exp()
        return f, f(arb(1))
    if family in ("polynomial", "monomial"):
        poly = flint.arb_poly(_hermite_poly(act.hermite_poly))
        return poly, poly(arb(1))
    series = hermite_squares(family, bits)
    poly = flint.arb_poly(series["squares"])
    tail, K = series["tail"], len(series["squares"]) - 1

    def f(r):  # |sum_{k > K} a_k^2 r^k| <= min(1, |r|)^(K+1) * tail   (|rho| <= 1)
        mag = min(r.abs_upper(), arb(1))
        bound = mag ** (K + 1) * tail
        return poly(r) + (-bound).union(bound)

    return f, series["S"]


def kernel_balls(X: np.ndarray, act: Activation, bits: int):
    r"""The matrix :math:`G^\infty_{ij} = \rho_{ij}\,\kappa(\rho_{ij})` as an ``arb_mat`` of balls.

    ``X`` holds the points as float64 rows (taken as exact and normalised exactly); ``bits``
    is the working precision, and for the Hermite-series activations the truncation tail is
    below :math:`2^{-\mathrm{bits}}`.
    """
    flint = require()
    family = check_supported(act)
    n = X.shape[0]
    R = correlations(X, bits + 16)
    with working_precision(bits + 16):
        kappa, diag = _kappa_fn(family, act, bits)
        G = flint.arb_mat(n, n)
        for i in range(n):
            G[i, i] = diag
            for j in range(i + 1, n):
                r = R[i, j]
                G[i, j] = G[j, i] = r * kappa(r)
    return G
