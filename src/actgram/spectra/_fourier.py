r"""Method ``"fourier"``: data spanning a 2-dimensional subspace, smooth built-ins.

Points on a circle, :math:`x_i = (\cos\alpha_i, \sin\alpha_i)` in an orthonormal basis
of their span, have :math:`G_{ij} = F(\alpha_i - \alpha_j)` with
:math:`F(\beta) = \cos\beta\,\kappa(\beta)` and, writing :math:`w = r(\cos t, \sin t)`,

.. math::

   \kappa(\beta) = \int_0^\infty r e^{-r^2/2} \frac{1}{2\pi}\int_0^{2\pi}
   g_r(t)\,g_r(t-\beta)\,dt\,dr, \qquad g_r(t) = \phi'(r\cos t),

so the Fourier coefficients of :math:`\kappa` are the non-negative averages
:math:`\hat\kappa_\ell = \int r e^{-r^2/2}|\hat g_r(\ell)|^2 dr` and
:math:`\hat F_\ell = (\hat\kappa_{\ell-1} + \hat\kappa_{\ell+1})/2 \ge 0`. Hence

.. math::  G = \Phi\,\mathrm{diag}(\hat F)\,\Phi^\top = BB^\top, \qquad
           \Phi = [1,\ \sqrt2\cos\ell\alpha,\ \sqrt2\sin\ell\alpha]_{\ell \ge 1},

and :math:`\lambda_i(G) = \sigma_i(B)^2`. Tiny :math:`\hat g_r(\ell)` are computed with
*relative* accuracy by shifting the contour, :math:`\hat g_r(\ell) = e^{-\ell\eta}
\frac{1}{2\pi}\int g_r(t - i\eta)e^{-i\ell t}dt` (FFT of :math:`\phi'` at complex
points, :math:`\eta` below the singularity of :math:`\phi'`), choosing for each
:math:`\ell` the shift with the smallest error estimate. A Jacobi SVD of the graded
factor gives every :math:`\sigma_i` of the float64 factor with small *relative* error;
the rounding of the factor itself is an absolute error :math:`\|\Delta B\| \approx
\varepsilon\sqrt{\|G\|}` in :math:`\sigma`, so :math:`\lambda = \sigma^2` is resolved
down to about :math:`(10^2\varepsilon)^2\|G\|`, ten orders of magnitude below the
float64 floor.

What the bracket rests on (``"fourier"``):

1. Loewner monotonicity: with coefficient bounds :math:`0 \le \hat F^{lo} \le \hat F \le
   \hat F^{hi}`, :math:`\lambda_i(B_{lo}B_{lo}^\top) \le \lambda_i(G) \le
   \lambda_i(B_{hi}B_{hi}^\top) + \|T_L\|`, where the truncated tail
   :math:`T_L = \sum_{\ell > L}\hat F_\ell(\ldots)` is PSD with
   :math:`\|T_L\| \le \mathrm{tr}\,T_L = n\sum_{|\ell| > L}\hat F_\ell`.
2. The coefficient error estimate: floating-point error of the FFT
   (:math:`4\sqrt N\varepsilon\max|g_r(\cdot - i\eta)|`), aliasing (the size of the
   shifted coefficients near the Nyquist index), and the :math:`r`-quadrature error (the
   difference between two Gauss-Legendre rules, 16 and 24 nodes per panel). These are
   estimates, not proofs.
3. Two floating-point errors, both through Weyl's inequality for singular values: the
   float64 factor differs from the exact one by :math:`\|\Delta B\|_F \le \varepsilon\,
   (\sum_\ell \hat F_\ell\,\sum_i 4(2 + \ell(|\alpha_i| + 1))^2)^{1/2}` (rounding of
   :math:`\ell\alpha_i`, of cos/sin and of the angles: an *absolute* error in
   :math:`\sigma`), and the Jacobi SVD (``dgejsv``, ``JOBA='F'``) of the float64
   factor has
   *relative* error at most :math:`16\sqrt{nM}\,\varepsilon\,\kappa(\Phi)` (Drmac and
   Veselic's bound for row-scaled matrices; the constant is ours). The first term sets
   the floor: eigenvalues are resolved to 1e-2 relative down to about
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg.lapack import dgejsv

from .._guards import EPS
from .._validate import as_activation, positive_int
from ..activations import Activation
from ._result import EigenBrackets

_N_FFT = 4096
_R_MAX = 15.0
_ETA_FRACTIONS = (0.0, 0.15, 0.3, 0.45, 0.6, 0.72, 0.82, 0.9, 0.95, 0.98)
_COEF_CUTOFF = (
    1e-44  # relative size below which Fourier coefficients are treated as tail
)


def span_coordinates(X: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Coordinates of unit rows in an orthonormal basis of their span, shape (n, d').

    The span dimension d' counts singular values of ``X`` above ``tol`` times the
    largest; the coordinates are renormalised to unit length (they are unit up to
    rounding).
    """
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    dim = int(np.sum(s > tol * s[0]))
    P = X @ Vt[:dim].T
    return P / np.linalg.norm(P, axis=1, keepdims=True)


def circle_angles(X: np.ndarray, tol: float = 1e-12) -> np.ndarray | None:
    """Angles of the points in an orthonormal basis of their span, if it is 2-D."""
    P = span_coordinates(X, tol)
    return np.arctan2(P[:, 1], P[:, 0]) if P.shape[1] == 2 else None


def _r_rule(nodes: int, width: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    x0, w0 = np.polynomial.legendre.leggauss(nodes)
    edges = np.arange(0.0, _R_MAX + 1e-9, width)
    r = (edges[:-1, None] + 0.5 * width * (x0 + 1.0)).ravel()
    w = np.tile(0.5 * width * w0, edges.size - 1)
    return r, w * r * np.exp(-0.5 * r * r)


def _ghat_sq(
    act: Activation, r: np.ndarray, L: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|ghat_r(l)|^2 for l = 0..L with an error estimate, and Cauchy tail constants.

    Returns ``(val, err, tail)``: ``val[j, l]`` estimate, ``err[j, l]`` bound on its
    error, ``tail[j]`` bound on ``sum_{l > L} |ghat_{r_j}(l)|^2`` (both signs counted
    once).
    """
    f = act.derivative_complex
    N = _N_FFT
    t = 2.0 * np.pi * np.arange(N) / N
    ell = np.arange(L + 1)
    dist = act.pole_distance
    eta_max = np.arcsinh((dist if math.isfinite(dist) else 6.0) / np.maximum(r, 1e-300))
    eta_max = np.minimum(eta_max, 4.0)
    best = np.zeros((r.size, L + 1))
    err = np.full((r.size, L + 1), np.inf)
    tail = np.full(r.size, np.inf)
    for frac in _ETA_FRACTIONS:
        eta = frac * eta_max
        z = r[:, None] * np.cos(t[None, :] - 1j * eta[:, None])
        vals = f(z)
        M = np.max(np.abs(vals), axis=1)
        C = np.fft.fft(vals, axis=1) / N
        alias = np.max(np.abs(C[:, N // 2 - 16 : N // 2 + 16]), axis=1)
        decay = np.exp(-np.outer(eta, ell))
        est = np.abs(C[:, : L + 1]) * decay
        e = (4.0 * math.sqrt(N) * EPS * M + alias)[:, None] * decay
        better = e < err
        best[better] = est[better]
        err[better] = e[better]
        # Cauchy: |ghat(l)| <= M e^{-l eta}; sum over l > L of the square
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            q = np.exp(-2.0 * eta)
            tl = np.where(eta > 0, M**2 * q ** (L + 1) / (1.0 - q), np.inf)
        tail = np.minimum(tail, tl)
    err = np.minimum(err, best + err)  # |true| <= best + err in any case
    val_sq = best**2
    err_sq = 2.0 * best * err + err**2
    return val_sq, err_sq, tail


_COEF_CACHE: dict[tuple, dict] = {}


def _kappa_hat(act: Activation) -> dict:
    """Fourier coefficients of kappa_{phi'} on the circle, l = 0.._N_FFT/2 - 63, with
    bounds.

    Cached per built-in activation. Keys: ``k``, ``klo``, ``khi`` (arrays), ``beyond``
    (bound on sum_{l > Lmax} kappa_l from Cauchy's estimate) and ``r_tail`` (the r >
    R_MAX part).
    """
    key = act.key + ("kappa_hat",)
    if act.builtin and key in _COEF_CACHE:
        return _COEF_CACHE[key]
    Lk = _N_FFT // 2 - 63
    out = []
    for nodes in (16, 24):
        r, w = _r_rule(nodes)
        v, e, tl = _ghat_sq(act, r, Lk)
        out.append((w @ v, w @ e, w @ tl))
    (k16, _, t16), (k, ek, tk) = out
    quad_err = np.abs(k - k16)
    sup = float(np.max(np.abs(act.derivative(np.linspace(-_R_MAX, _R_MAX, 20001)))))
    r_tail = sup**2 * math.exp(
        -0.5 * _R_MAX**2
    )  # r > R_MAX, for every l and for the sum
    kerr = ek + quad_err + r_tail
    klo = np.maximum(k - kerr, 0.0)
    khi = k + kerr
    # exact zeros from the symmetry of phi': g_r(t + pi) = +-g_r(t) (up to a constant)
    zero = np.zeros(k.size, dtype=bool)
    if act.derivative_symmetry == "even":
        zero[1::2] = True
    elif act.derivative_symmetry == "const+odd":
        zero[2::2] = True
    k, klo, khi = (np.where(zero, 0.0, a) for a in (k, klo, khi))
    res = {
        "k": k,
        "klo": klo,
        "khi": khi,
        "beyond": float(max(tk, t16)),
        "r_tail": r_tail,
    }
    if act.builtin:
        _COEF_CACHE[key] = res
    return res


def fourier_coefficients(act, L: int) -> dict[str, np.ndarray | float]:
    r"""Fourier coefficients :math:`\hat F_\ell`, :math:`\ell = 0..L`, of
    :math:`\cos\beta\,\kappa_{\phi'}(\beta)`.

    Returns a dict with ``"value"``, ``"lower"``, ``"upper"`` (arrays of length ``L +
    1``) and ``"tail"``: a bound on :math:`\sum_{|\ell| > L}\hat F_\ell`. Needs a smooth
    built-in activation (one with ``derivative_complex``); ``L <= 1984``.
    """
    act = as_activation(act)
    if act.derivative_complex is None:
        raise ValueError(
            f"{act.name}: the Fourier method needs phi' continued to complex "
            "arguments (smooth built-ins only); use method='dense'"
        )
    Lmax = _N_FFT // 2 - 64
    L = positive_int(L, "L", minimum=1)
    if Lmax < L:
        raise ValueError(f"L = {L} exceeds the {Lmax} coefficients the FFT resolves")
    kh = _kappa_hat(act)
    k, klo, khi = (kh[x][: L + 2] for x in ("k", "klo", "khi"))

    # kappa-hat is even in l: F_l = (k_{l-1} + k_{l+1}) / 2 for l = 0..L
    def shift(a):
        ext = np.concatenate([a[1:2], a])  # index l-1 with k_{-1} = k_1
        return 0.5 * (ext[:-2] + a[1:])

    F, Flo, Fhi = shift(k), shift(klo), shift(khi)
    # sum_{|l|>L} F_l <= sum_{|l| >= L} kappa_l = 2 sum_{l >= L} kappa_l
    tail = 2.0 * (float(np.sum(kh["khi"][L:])) + kh["beyond"]) + kh["r_tail"]
    return {"value": F, "lower": Flo, "upper": Fhi, "tail": float(tail)}


def graded_svals(B: np.ndarray, n: int) -> np.ndarray:
    """Singular values of ``B = Phi diag(w)`` (n x M), descending, padded with zeros to
    n.

    Uses LAPACK's preconditioned Jacobi SVD ``dgejsv`` with ``JOBA='F'`` on ``B^T``,
    which computes the singular values of a row-scaled matrix ``D C`` with relative
    error of order ``eps * cond(C)`` however graded ``D`` is (Drmac and Veselic 2008). A
    plain SVD would give only ``eps * ||B||`` absolute error, i.e. the float64 floor
    again for ``sigma^2``.
    """
    M = B.shape[1]
    if n > M:  # fewer modes than points: rank-deficient, pad
        A = np.zeros((n, n))
        A[:, :M] = B
        B = A
    sva, _, _, work, _, info = dgejsv(
        np.asfortranarray(B.T), joba=2, jobu=3, jobv=3, jobr=1, jobp=0
    )
    if info != 0:  # pragma: no cover - LAPACK failure
        raise RuntimeError(f"LAPACK dgejsv failed with info = {info}")
    s = np.sort(np.asarray(sva) * (work[0] / work[1]))[::-1]
    return s[:n]


def fourier_brackets(alpha: np.ndarray, act: Activation, k: int) -> EigenBrackets:
    n = alpha.size
    # G depends on angle differences only: centre the angles (smaller |alpha|, smaller
    # rounding in l * alpha)
    ref = math.atan2(float(np.mean(np.sin(alpha))), float(np.mean(np.cos(alpha))))
    alpha = np.angle(np.exp(1j * (alpha - ref)))
    L = min(max(2 * n, 512), _N_FFT // 2 - 64)
    co = fourier_coefficients(act, L)
    F, Flo, Fhi = co["value"], co["lower"], co["upper"]
    # drop modes whose upper bound is negligible; they go into the tail
    keep = Fhi > _COEF_CUTOFF * Fhi.max()
    keep[0] = True
    # at least n modes, so that the basis has full row rank (tiny weights cost no
    # accuracy)
    last = max(int(np.nonzero(keep)[0].max()), n)
    tail = co["tail"] + 2.0 * float(np.sum(Fhi[last + 1 :]))
    ell = np.arange(1, last + 1)
    C = np.cos(np.outer(alpha, ell)) * math.sqrt(2.0)
    S = np.sin(np.outer(alpha, ell)) * math.sqrt(2.0)
    basis = np.concatenate([np.ones((n, 1)), C, S], axis=1)

    def svals(coef):
        w = np.sqrt(np.concatenate([coef[:1], coef[1 : last + 1], coef[1 : last + 1]]))
        return graded_svals(basis * w, n)

    s_mid, s_lo, s_hi = svals(F), svals(Flo), svals(Fhi)
    # |dPhi_il| <= sqrt(2) eps (2 + l (|alpha_i| + 1)): rounding of l * alpha, of
    # cos/sin and of the angle itself; dB bounds ||dPhi D^{1/2}||_F (the absolute error
    # of the factor)
    a = np.abs(alpha)[:, None]
    per_mode = 2.0 * np.sum(
        2.0 * (2.0 + ell[None, :] * (a + 1.0)) ** 2, axis=0
    )  # cos and sin
    dB = EPS * math.sqrt(float(np.sum(Fhi[1 : last + 1] * per_mode)))
    return factor_brackets(s_mid, s_lo, s_hi, basis, dB, tail, n, k, "fourier")


def factor_brackets(s_mid, s_lo, s_hi, basis, dB, tail, n, k, method) -> EigenBrackets:
    """Turn singular values of the factor into eigenvalue brackets.

    Two errors: the Jacobi SVD of the float64 factor is accurate to the *relative* error
    ``16 sqrt(n M) eps cond(basis)`` (row-scaled matrix, Drmac and Veselic); the float64
    factor differs from the exact one by at most ``dB`` in norm (Weyl: an absolute error
    in sigma).
    """
    ms = basis.shape[1]
    g = np.linalg.eigvalsh(basis @ basis.T)
    rel = 1.0
    if g[0] > 0:
        rel = min(1.0, 16.0 * math.sqrt(n * ms) * EPS * math.sqrt(g[-1] / g[0]))
    lam = np.sort(s_mid[:n] ** 2)
    lo = np.sort(np.maximum(s_lo[:n] * (1.0 - rel) - dB, 0.0) ** 2)
    hi = np.sort((s_hi[:n] * (1.0 + rel) + dB) ** 2 + n * tail)
    norm = float(s_hi[0] ** 2)
    sl = slice(0, k)
    return EigenBrackets(
        lam[sl],
        np.minimum(lo[sl], lam[sl]),
        np.maximum(hi[sl], lam[sl]),
        EPS * norm,
        norm,
        method,
        n,
    )
