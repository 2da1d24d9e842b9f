r"""Method ``"spherical"``: data spanning a 3-dimensional subspace, smooth built-ins.

By Funk-Hecke, :math:`F(\rho) = \rho\,\kappa(\rho) = \sum_\ell A_\ell P_\ell(\rho)` with
:math:`A_\ell \ge 0`, and the addition theorem gives
:math:`G = \sum_\ell A_\ell\frac{4\pi}{2\ell+1} Y_\ell Y_\ell^\top = BB^\top` with the
real spherical harmonics :math:`Y_\ell` (:math:`n \times (2\ell+1)`). The :math:`A_\ell`
come from the circle's Chebyshev coefficients :math:`2\hat F_j` through the exact
Chebyshev-to-Legendre relation (:func:`legendre_coefficients`), with bounds carried
through the signed matrix; the factor is graded and goes through the same Jacobi SVD.
Degrees up to 160 enter the factor; smaller modes (relative size below 1e-36) and the
rest go to the PSD tail, bounded by its trace.
"""

from __future__ import annotations

import math

import numpy as np

from .._guards import EPS
from .._validate import as_activation
from ..activations import Activation
from ._fourier import (
    _COEF_CACHE,
    _N_FFT,
    factor_brackets,
    fourier_coefficients,
    graded_svals,
    span_coordinates,
)
from ._result import EigenBrackets

_L3_COEF = 600  # Legendre coefficients computed up to this degree
_L3_CAP = 160  # at most this degree enters the factor B (columns (L + 1)^2)
_L3_CUTOFF = 1e-36  # relative size below which Legendre modes go to the tail


def sphere_coordinates(X: np.ndarray, tol: float = 1e-12) -> np.ndarray | None:
    """Coordinates of the points in an orthonormal basis of their span, if it is 3-D."""
    P = span_coordinates(X, tol)
    return P if P.shape[1] == 3 else None


def legendre_coefficients(act, L: int = _L3_COEF) -> dict[str, np.ndarray | float]:
    r"""Legendre coefficients :math:`A_\ell`, :math:`\ell = 0..L`, of :math:`F(\rho) =
    \rho\,\kappa_{\phi'}(\rho)`.

    :math:`F = \sum_\ell A_\ell P_\ell`, all :math:`A_\ell \ge 0` (Funk-Hecke on the
    sphere). Computed from the Chebyshev coefficients :math:`c_j = 2\hat F_j` of
    :func:`fourier_coefficients` (relative accuracy, with bounds) through the exact
    relation :math:`A_n = (n + \tfrac12)\sum_{j \ge n,\ j \equiv n\ (2)} c_j \int_{-1}^1
    T_j P_n`, with the integrals by Gauss-Legendre quadrature (exact for these degrees)
    and the bounds propagated through the positive and negative parts of the matrix.
    Returns ``value``, ``lower``, ``upper`` and ``tail`` (a bound on :math:`\sum_{n > L}
    A_n`, assuming geometric decay of the Chebyshev tail).
    """
    act = as_activation(act)
    key = act.key + ("legendre", L)
    if act.builtin and key in _COEF_CACHE:
        return _COEF_CACHE[key]
    Lc = _N_FFT // 2 - 64
    co = fourier_coefficients(act, Lc)
    scale = np.full(Lc + 1, 2.0)
    scale[0] = 1.0
    c, clo, chi = (scale * co[k] for k in ("value", "lower", "upper"))
    N = (Lc + L) // 2 + 8
    x, w = np.polynomial.legendre.leggauss(N)
    T = np.cos(np.outer(np.arange(Lc + 1), np.arccos(x)))
    Pn = np.empty((L + 1, N))
    Pn[0] = 1.0
    Pn[1] = x
    for k in range(1, L):
        Pn[k + 1] = ((2 * k + 1) * x * Pn[k] - k * Pn[k - 1]) / (k + 1)
    nn = np.arange(L + 1)[:, None]
    jj = np.arange(Lc + 1)[None, :]
    M = (nn + 0.5) * ((Pn * w) @ T.T)
    M[(jj < nn) | ((jj - nn) % 2 == 1)] = 0.0  # exact zeros (orthogonality, parity)
    Mp, Mm = np.maximum(M, 0.0), np.maximum(-M, 0.0)
    A = M @ c
    round_err = 4.0 * (N + Lc) * EPS * (np.abs(M) @ chi)
    trunc = (
        (2.0 * np.arange(L + 1) + 1.0) * 2.0 * co["tail"]
    )  # |int T_j P_n| <= 2, sum_{j>Lc} c_j
    Ahi = Mp @ chi - Mm @ clo + round_err + trunc
    Alo = np.maximum(Mp @ clo - Mm @ chi - round_err - trunc, 0.0)
    A = np.clip(A, Alo, Ahi)
    # sum_{n > L} A_n <= sum_{j > L} (j + 1)^2 c_j: bounded by the computed c_j beyond L
    # and, beyond Lc, by 4 (Lc + 1)^2 * tail (geometric decay assumed there)
    j = np.arange(L + 1, Lc + 1)
    tail = float(
        np.sum((j + 1.0) ** 2 * chi[L + 1 :]) + 4.0 * (Lc + 1) ** 2 * 2.0 * co["tail"]
    )
    res = {"value": A, "lower": Alo, "upper": Ahi, "tail": tail}
    if act.builtin:
        _COEF_CACHE[key] = res
    return res


def real_harmonics(P: np.ndarray, L: int) -> tuple[np.ndarray, np.ndarray]:
    """Real orthonormal spherical harmonics of degrees 0..L at unit points P (n, 3).

    Returns ``(Y, deg)``: ``Y`` of shape (n, (L+1)^2) and the degree of each column.
    """
    from scipy import special

    theta = np.arccos(np.clip(P[:, 2], -1.0, 1.0))
    phi = np.arctan2(P[:, 1], P[:, 0])
    cols, deg = [], []
    for ell in range(L + 1):
        m = np.arange(ell + 1)[:, None]
        if hasattr(special, "sph_harm_y"):
            Y = special.sph_harm_y(ell, m, theta[None, :], phi[None, :])
        else:  # pragma: no cover - SciPy < 1.15
            Y = special.sph_harm(m, ell, phi[None, :], theta[None, :])
        cols.append(Y[0].real[None, :])
        if ell:
            cols.append(math.sqrt(2.0) * Y[1:].real)
            cols.append(math.sqrt(2.0) * Y[1:].imag)
        deg += [ell] * (2 * ell + 1)
    return np.concatenate(cols, axis=0).T, np.array(deg)


def sphere_factor(P: np.ndarray, act: Activation) -> tuple:
    r"""The graded factor :math:`G = \sum_\ell A_\ell\frac{4\pi}{2\ell+1}Y_\ell
    Y_\ell^\top`.

    Returns ``(Y, deg, fac, (A, Alo, Ahi), tail, dB)``: harmonics, their degrees, the
    weights :math:`4\pi/(2\ell+1)`, the Legendre coefficients with bounds, a bound on
    the trace of the PSD tail per point and the absolute error of the float64 factor.
    """
    n = P.shape[0]
    co = legendre_coefficients(act)
    A, Alo, Ahi = co["value"], co["lower"], co["upper"]
    big = np.nonzero(Ahi > _L3_CUTOFF * Ahi.max())[0]
    need = int(math.ceil(math.sqrt(n))) + 1
    last = int(min(max(big.max(), need), _L3_CAP))
    tail = co["tail"] + float(np.sum(Ahi[last + 1 :]))
    Y, deg = real_harmonics(P, last)
    fac = 4.0 * math.pi / (2.0 * deg + 1.0)
    # |dY| <= eps (4 + 2 l) |Y|-scale per entry; sum_m Y_lm(x)^2 = (2l + 1) / (4 pi) per
    # point
    ells = np.arange(last + 1)
    dB = EPS * math.sqrt(n * float(np.sum(Ahi[: last + 1] * (4.0 + 2.0 * ells) ** 2)))
    return Y, deg, fac, (A, Alo, Ahi), tail, dB


def sphere_brackets(P: np.ndarray, act: Activation, k: int) -> EigenBrackets:
    """Brackets of the ``k`` smallest eigenvalues of G from :func:`sphere_factor`."""
    n = P.shape[0]
    Y, deg, fac, coefs, tail, dB = sphere_factor(P, act)
    s_mid, s_lo, s_hi = (graded_svals(Y * np.sqrt(fac * c[deg]), n) for c in coefs)
    return factor_brackets(s_mid, s_lo, s_hi, Y, dB, tail, n, k, "spherical")
