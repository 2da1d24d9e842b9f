r"""Decay laws on the circle, derived: Hermite coefficients of sech^2, aliasing, fits.

Everything here is the book's own derivation (chapters 2 and 5), not the paper's.

Hermite coefficients of :math:`\phi'(x) = a\,\mathrm{sech}^2(x/s)` with :math:`a s^2 = 1`
-----------------------------------------------------------------------------------------
This family holds :math:`\tanh' = \mathrm{sech}^2` (:math:`s = 1`) and
:math:`\sigma' = \tfrac14\mathrm{sech}^2(x/2)` (:math:`s = 2`, the sigmoid). The poles of
:math:`\phi'` nearest the real axis are at :math:`\pm i\tau`, :math:`\tau = \pi s/2`. With the
Fourier transform :math:`\int a\,\mathrm{sech}^2(x/s)e^{-i\omega x}dx = \pi\omega/\sinh(\tau\omega)`
and :math:`\mathbb{E}[e^{i\omega g}\mathrm{He}_k(g)] = (i\omega)^k e^{-\omega^2/2}`,

.. math::  c_k(\phi') = \frac{i^k}{\sqrt{k!}}\int_0^\infty
           \frac{\omega^{k+1} e^{-\omega^2/2}}{\sinh(\tau\omega)}\,d\omega \quad (k\ \text{even}),

and :math:`c_k = 0` for odd :math:`k`. The integrand is positive, so there is no cancellation:
:func:`sech2_log_c2` evaluates it with the trapezoidal rule (step 0.05) in log space. The
integrand is analytic in the strip :math:`|\mathrm{Im}\,\omega| < \pi/\tau`, so the rule's
relative error is about :math:`e^{(\pi/\tau)^2}e^{-2\pi(\pi/\tau)/h}`, below 1e-50; what
remains is rounding, a relative error of about :math:`10^{-16}(k+1)\log\omega^*`, i.e. below
1e-11 in :math:`c_k^2` for :math:`k \le 10^4`. :func:`sech2_c2_mpmath` is an independent check
(partial fractions :math:`\phi' = -\sum_m (x - b_m)^{-2}`, :math:`b_m = 2i\tau(m + 1/2)`, the
Faddeeva function and the three-term recurrence of :math:`\mathbb{E}[\mathrm{He}_k(g)/(g-b)]`
run in enough digits to absorb its instability).

Laplace's method at the saddle :math:`\omega^* \approx \sqrt{k+1} - \tau/2` gives

.. math::  c_k(\phi')^2 = A\sqrt{k+1}\,e^{-2\tau\sqrt{k+1}}\,(1 + O(k^{-1/2})), \qquad
           A = 2\sqrt{2\pi}\,e^{\tau^2/2}

(:func:`sech2_c2_asymptotic`): the rate :math:`c = 2\tau` is twice the distance of the poles
from the real axis (:math:`c = \pi` for tanh), and the power is :math:`q = 1/2`.

Fourier coefficients on the circle and the half-circle spectrum
---------------------------------------------------------------
For unit vectors at angle :math:`\beta`, :math:`\kappa(\beta) = \sum_k c_k^2\cos^k\beta`, so
:math:`\hat\kappa_\ell = \sum_{k \ge |\ell|,\,k \equiv \ell} c_k^2\,2^{-k}\binom{k}{(k-\ell)/2}`
(a sum of positive terms, :func:`kappa_hat_from_c2`) and
:math:`\hat F_\ell = (\hat\kappa_{\ell-1} + \hat\kappa_{\ell+1})/2` for
:math:`F(\beta) = \cos\beta\,\kappa(\beta)`. A saddle point over :math:`k` (at
:math:`k^* = (\ell^2/c)^{2/3}`) with :math:`c_k^2 \approx A\sqrt{k}e^{-c\sqrt k}` gives
:math:`\hat\kappa_\ell \approx B_\kappa\,\ell\,e^{-C\ell^{2/3}}`, :math:`C = \tfrac32 c^{2/3}`
(:func:`circle_law`, which also states the constant and the derivation).

Half circle (:func:`half_circle_eigenvalues`): the points :math:`\alpha_j = \pi j/n` are half of
the :math:`2n`-point grid of the full circle. Writing :math:`S_m = \sum_{\ell \equiv m
\,(2n)}\hat F_\ell` (:math:`\ell \in \mathbb{Z}`) and :math:`u_m = (e^{i\pi m j/n})_j`,
:math:`G = \sum_{m=0}^{2n-1} S_m u_m u_m^*`. The :math:`u_m` with odd :math:`m` are an orthogonal
basis of :math:`\mathbb{C}^n`, and so are those with even :math:`m` (each of squared norm
:math:`n`). If :math:`\phi'` is even, :math:`F(\beta + \pi) = -F(\beta)`, so
:math:`\hat F_\ell = 0` for even :math:`\ell`, :math:`S_m = 0` for even :math:`m`, and the
eigenvalues of :math:`G` are exactly :math:`nS_m`, :math:`m` odd. Otherwise
:math:`G \succeq n(\min_{m\,\mathrm{odd}} S_m + \min_{m\,\mathrm{even}} S_m)\,I`
(:func:`half_circle_lower_bound`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, logsumexp

TAU_TANH = math.pi / 2  # poles of tanh' at +-i pi/2
TAU_SIGMOID = math.pi  # poles of sigmoid' at +-i pi
_H = 0.05  # trapezoidal step in omega


def sech2_log_c2(k, tau: float = TAU_TANH) -> np.ndarray:
    r"""Natural log of :math:`c_k(\phi')^2` for :math:`\phi' = a\,\mathrm{sech}^2(x/s)`, even ``k``.

    ``k``: even integers >= 0 (array-like); ``tau = pi s / 2`` (``TAU_TANH`` for tanh,
    ``TAU_SIGMOID`` for the sigmoid). Formula and accuracy: module docstring (relative error of
    :math:`c_k^2` below about 1e-11 for :math:`k \le 10^4`; the log is accurate to that
    absolute amount). Odd ``k`` are refused (there :math:`c_k = 0`).
    """
    k = np.atleast_1d(np.asarray(k))
    if np.any(k % 2) or np.any(k < 0):
        raise ValueError("k must be even and >= 0 (odd coefficients of an even phi' vanish)")
    out = np.empty(k.shape, dtype=float)
    for i, kk in enumerate(k.ravel()):
        kk = int(kk)
        peak = math.sqrt(tau * tau / 4 + kk + 1) - tau / 2
        w = _H * np.arange(1, int((peak + 40.0) / _H) + 1)
        # log of w^(k+1) e^{-w^2/2} / sinh(tau w), sinh written stably
        lf = (kk + 1) * np.log(w) - 0.5 * w * w - tau * w - np.log1p(-np.exp(-2 * tau * w))
        lf = lf + math.log(2.0)
        terms = [lf]
        if kk == 0:  # w / sinh(tau w) -> 1 / tau at w = 0: the trapezoid's end-point half
            terms.append(np.array([math.log(0.5 / tau)]))
        log_int = float(logsumexp(np.concatenate(terms))) + math.log(_H)
        out.ravel()[i] = 2.0 * log_int - float(gammaln(kk + 1))
    return out


def sech2_c2_asymptotic(k, tau: float = TAU_TANH) -> np.ndarray:
    r"""Laplace's leading term :math:`A\sqrt{k+1}e^{-2\tau\sqrt{k+1}}`, :math:`A = 2\sqrt{2\pi}e^{\tau^2/2}`.

    Relative error :math:`O(k^{-1/2})` (measured in the tests). Returns the log.
    """
    k = np.asarray(k, dtype=float)
    return (math.log(2.0 * math.sqrt(2.0 * math.pi)) + 0.5 * tau * tau
            + 0.5 * np.log(k + 1.0) - 2.0 * tau * np.sqrt(k + 1.0))


def sech2_c2_mpmath(k: int, tau: float = TAU_TANH, digits: int = 20) -> float:
    r"""Independent high-precision :math:`c_k(\phi')^2` (float), via partial fractions.

    :math:`\phi'(x) = -\sum_{m \in \mathbb{Z}}(x - b_m)^{-2}`, :math:`b_m = 2i\tau(m + 1/2)`;
    :math:`J_k(b) = \mathbb{E}[\mathrm{He}_k(g)/(g - b)]` obeys
    :math:`J_{k+1} = \delta_{k0} + bJ_k - kJ_{k-1}`, :math:`J_0 = i\sqrt{\pi/2}\,w(b/\sqrt2)`
    (Faddeeva), and :math:`D_k = \partial_b J_k` obeys :math:`D_{k+1} = J_k + bD_k - kD_{k-1}`,
    :math:`D_0 = -(1 + bJ_0)`. The forward recurrence loses about
    :math:`(2|b|\sqrt{k} + k\log^+(|b|/\sqrt k))/\ln 10` digits, which the working precision
    adds to ``digits``; poles are summed (conjugate pairs) until a term is below
    :math:`10^{-\mathrm{digits}}` of the sum. Intended for ``k >= 10`` (the sum over poles
    converges like :math:`m^{-(k+2)}`). Cost: about 0.1 s at k = 1000.
    """
    import mpmath as mp

    if k % 2 or k < 2:
        raise ValueError("k must be even and >= 2")
    total = mp.mpf(0)
    m = 0
    while True:
        b_abs = 2.0 * tau * (m + 0.5)
        loss = (2.0 * b_abs * math.sqrt(k + 1) + max(0.0, k * math.log(b_abs / math.sqrt(k))))
        dps = digits + 15 + int(loss / math.log(10.0))
        with mp.workdps(dps):
            b = mp.mpc(0, 2 * mp.mpf(tau) * (m + mp.mpf(1) / 2))
            J0 = 1j * mp.sqrt(mp.pi / 2) * mp.exp(-(b / mp.sqrt(2)) ** 2) * mp.erfc(-1j * b / mp.sqrt(2))
            Jm, J, Dm, D = mp.mpc(0), J0, mp.mpc(0), -(1 + b * J0)
            for j in range(k):
                Jm, J, Dm, D = J, (1 if j == 0 else 0) + b * J - j * Jm, D, J + b * D - j * Dm
            term = -2 * mp.re(D) / mp.sqrt(mp.factorial(k))
        total += term
        if abs(term) <= abs(total) * mp.mpf(10) ** (-digits) or m > 10_000:
            break
        m += 1
    return float(total**2)


def _log_binom_weights(k: np.ndarray, ell: int) -> np.ndarray:
    """log of 2^-k binom(k, (k - ell)/2) for k >= ell, k = ell (mod 2)."""
    return (gammaln(k + 1) - gammaln((k - ell) / 2 + 1) - gammaln((k + ell) / 2 + 1)
            - k * math.log(2.0))


def kappa_hat_from_c2(log_c2: np.ndarray, L: int) -> np.ndarray:
    r"""Log of the circle's Fourier coefficients :math:`\hat\kappa_\ell`, :math:`\ell = 0..L`.

    ``log_c2[k]`` = :math:`\log c_k^2` for ``k = 0..K`` (``-inf`` where :math:`c_k = 0`).
    :math:`\hat\kappa_\ell = \sum_{k \equiv \ell,\,\ell \le k \le K} c_k^2 2^{-k}\binom{k}{(k-\ell)/2}`,
    a sum of positive terms evaluated in log space (relative error that of the inputs plus
    rounding). Raises if the last retained term of any :math:`\ell` exceeds 1e-18 of the
    sum (the series would be cut too early: enlarge K).
    """
    log_c2 = np.asarray(log_c2, dtype=float)
    K = log_c2.size - 1
    out = np.full(L + 1, -np.inf)
    for ell in range(L + 1):
        kk = np.arange(ell, K + 1, 2)
        t = log_c2[kk] + _log_binom_weights(kk.astype(float), ell)
        if not np.any(np.isfinite(t)):
            continue
        out[ell] = float(logsumexp(t))
        last = t[np.isfinite(t)][-1]
        if last - out[ell] > math.log(1e-18):
            raise ValueError(f"series for kappa_hat_{ell} not converged at K = {K}")
    return out


def F_hat_from_kappa(log_kappa: np.ndarray) -> np.ndarray:
    r"""Log of :math:`\hat F_\ell = (\hat\kappa_{|\ell-1|} + \hat\kappa_{\ell+1})/2`, ``l = 0..L-1``."""
    lk = np.asarray(log_kappa, dtype=float)
    L = lk.size - 1
    lower = np.concatenate([lk[1:2], lk[: L - 1]])  # kappa_{l-1}, with kappa_{-1} = kappa_1
    return np.logaddexp(lower, lk[1:]) - math.log(2.0)


def aliased_sums(log_F: np.ndarray, n: int) -> np.ndarray:
    r"""Log of :math:`S_m = \sum_{\ell \in \mathbb{Z},\,\ell \equiv m\,(2n)} \hat F_\ell`, ``m = 0..2n-1``.

    Uses the two-sided sum with :math:`\hat F_{-\ell} = \hat F_\ell` over
    :math:`|\ell| \le L` (``L = len(log_F) - 1``); needs ``L >= 2n`` so that every class has
    its two smallest members. The omitted terms :math:`|\ell| > L` are the caller's to bound.
    """
    lF = np.asarray(log_F, dtype=float)
    L = lF.size - 1
    if 2 * n > L:
        raise ValueError(f"need Fourier coefficients up to l = {2 * n}; got {L}")
    ell = np.arange(-L, L + 1)
    vals = lF[np.abs(ell)]
    out = np.full(2 * n, -np.inf)
    for m in range(2 * n):
        sel = vals[(ell - m) % (2 * n) == 0]
        sel = sel[np.isfinite(sel)]
        if sel.size:
            out[m] = float(logsumexp(sel))
    return out


def half_circle_eigenvalues(log_F: np.ndarray, n: int) -> np.ndarray:
    r"""Log of the exact eigenvalues :math:`nS_m`, ``m`` odd, of :math:`G^\infty` on ``half_circle(n)``.

    Valid when :math:`\hat F_\ell = 0` for every even :math:`\ell` (:math:`\phi'` even: tanh,
    sigmoid, erf, sin); sorted ascending. Proof: module docstring.
    """
    S = aliased_sums(log_F, n)
    return np.sort(math.log(n) + S[1::2])


def half_circle_lower_bound(log_F: np.ndarray, n: int) -> float:
    r"""Log of :math:`n(\min_{m\,\mathrm{odd}} S_m + \min_{m\,\mathrm{even}} S_m) \le \lambda_{\min}`.

    Holds for every activation with :math:`\hat F_\ell \ge 0` (module docstring); equals
    :math:`\lambda_{\min}` when :math:`\phi'` is even (then the even minimum is 0).
    """
    S = aliased_sums(log_F, n)
    return math.log(n) + float(np.logaddexp(S[1::2].min(), S[0::2].min()))


def circle_law(tau: float = TAU_TANH) -> dict[str, float]:
    r"""The book's asymptotic law for even :math:`\phi' = a\,\mathrm{sech}^2(x/s)` (:math:`c = 2\tau`).

    From :math:`c_k^2 \approx A\sqrt{k}e^{-c\sqrt k}` and
    :math:`2^{-k}\binom{k}{(k-\ell)/2} \approx \sqrt{2/(\pi k)}\,e^{-\ell^2/(2k) - \ell^4/(12k^3)}`,
    the sum over even :math:`k` (spacing 2) is
    :math:`\hat\kappa_\ell \approx \tfrac{A}{2}\sqrt{2/\pi}\int e^{\psi(k)}dk` with
    :math:`\psi = -c\sqrt k - \ell^2/(2k)`, maximal at :math:`k^* = (\ell^2/c)^{2/3}`, where
    :math:`\psi = -\tfrac32 c^{2/3}\ell^{2/3}`, :math:`\psi'' = -3c^2/(4\ell^2)` and the quartic
    term equals :math:`c^2/12`. Hence

    Hence :math:`\hat\kappa_\ell \approx B_\kappa\,\ell\,e^{-C\ell^{2/3}}` with
    :math:`C = \tfrac32 c^{2/3}`, :math:`B_\kappa = \tfrac{2A}{c\sqrt3}e^{-c^2/12}`, and
    :math:`\lambda_{\min}(n) \approx 2n\hat\kappa_n = B\,n^2 e^{-Cn^{2/3}}`, :math:`B = 2B_\kappa`.
    Relative corrections are :math:`O(n^{-1/3})` to :math:`O(n^{-2/3})` (measured in the
    tests and the chapter). Returns ``C``, ``beta`` (2/3), ``power`` (2), ``log_B``, ``c``, ``A``.
    """
    c = 2.0 * tau
    A = 2.0 * math.sqrt(2.0 * math.pi) * math.exp(tau * tau / 2.0)
    B_kappa = 2.0 * A / (c * math.sqrt(3.0)) * math.exp(-c * c / 12.0)
    return {"C": 1.5 * c ** (2.0 / 3.0), "beta": 2.0 / 3.0, "power": 2.0,
            "log_B": math.log(2.0 * B_kappa), "c": c, "A": A, "log_B_kappa": math.log(B_kappa)}


def log_lambda_min_law(n, tau: float = TAU_TANH) -> np.ndarray:
    r""":math:`\log(Bn^2e^{-Cn^{2/3}})` from :func:`circle_law`."""
    law = circle_law(tau)
    n = np.asarray(n, dtype=float)
    return law["log_B"] + 2.0 * np.log(n) - law["C"] * n ** (2.0 / 3.0)


def fit_circle_law(n, log_lam, power: float = 2.0, beta: float | None = 2.0 / 3.0) -> dict[str, float]:
    r"""Least squares :math:`\log\lambda - p\log n = \log B - C n^{\beta}`.

    With ``beta`` given (the derived 2/3) the fit is linear in :math:`n^{\beta}`; with
    ``beta=None`` it is also fitted (bounded scalar search on [0.2, 1.5] of the rms
    residual). Returns ``C``, ``log_B``, ``beta`` and ``rms`` (residual in :math:`\log\lambda`).
    """
    from scipy.optimize import minimize_scalar

    n = np.asarray(n, dtype=float)
    y = np.asarray(log_lam, dtype=float) - power * np.log(n)

    def lin(b):
        M = np.stack([np.ones_like(n), -(n**b)], axis=1)
        coef, *_ = np.linalg.lstsq(M, y, rcond=None)
        return coef, float(np.sqrt(np.mean((y - M @ coef) ** 2)))

    if beta is None:
        beta = float(minimize_scalar(lambda b: lin(b)[1], bounds=(0.2, 1.5), method="bounded",
                                     options={"xatol": 1e-6}).x)
    (logB, C), rms = lin(beta)
    return {"C": float(C), "log_B": float(logB), "beta": float(beta), "rms": rms}


def fit_hermite_rate(k, log_c2, correction: bool = True) -> dict[str, float]:
    r"""Least squares :math:`\log c_k^2 = \log A + q\log k - c\sqrt k\ (+\ b/\sqrt k)`.

    ``correction=True`` adds the :math:`b/\sqrt k` term that the next order of Laplace's
    method predicts. Returns ``c``, ``q``, ``log_A`` (and ``b``), ``rms``.
    """
    k = np.asarray(k, dtype=float)
    y = np.asarray(log_c2, dtype=float)
    cols = [np.ones_like(k), np.log(k), -np.sqrt(k)] + ([1.0 / np.sqrt(k)] if correction else [])
    M = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(M, y, rcond=None)
    out = {"log_A": float(coef[0]), "q": float(coef[1]), "c": float(coef[2]),
           "rms": float(np.sqrt(np.mean((y - M @ coef) ** 2)))}
    if correction:
        out["b"] = float(coef[3])
    return out


def sech2_log_F_hat(L: int, tau: float = TAU_TANH) -> np.ndarray:
    r"""Log of :math:`\hat F_\ell`, ``l = 0..L``, for :math:`\phi' = a\,\mathrm{sech}^2(x/s)` (``-inf`` for even l).

    Chains :func:`sech2_log_c2` (Hermite indices up to
    :math:`K = 4(L^2/c)^{2/3} + 400`, past the saddle :math:`k^*` of every
    :math:`\ell \le L + 1`), :func:`kappa_hat_from_c2` (which checks that K suffices) and
    :func:`F_hat_from_kappa`. Relative accuracy about 1e-11. Cost: about 0.3 s for L = 200.
    """
    c = 2.0 * tau
    K = int(4.0 * ((L + 1) ** 2 / c) ** (2.0 / 3.0)) + 400
    K += K % 2
    lc2 = np.full(K + 1, -np.inf)
    lc2[0::2] = sech2_log_c2(np.arange(0, K + 1, 2), tau)
    return F_hat_from_kappa(kappa_hat_from_c2(lc2, L + 1))


def fit_circle_law_corrected(n, log_lam, power: float = 2.0) -> dict[str, float]:
    r"""Least squares :math:`\log\lambda - p\log n = \log B - Cn^{2/3} + b\,n^{-2/3}`.

    The derived form with one correction term: the measured relative corrections to
    :math:`Bn^2e^{-Cn^{2/3}}` fall like :math:`n^{-2/3}` (tests). Returns ``C``, ``log_B``,
    ``b``, ``rms``.
    """
    n = np.asarray(n, dtype=float)
    y = np.asarray(log_lam, dtype=float) - power * np.log(n)
    M = np.stack([np.ones_like(n), -(n ** (2.0 / 3.0)), n ** (-2.0 / 3.0)], axis=1)
    coef, *_ = np.linalg.lstsq(M, y, rcond=None)
    return {"log_B": float(coef[0]), "C": float(coef[1]), "b": float(coef[2]),
            "rms": float(np.sqrt(np.mean((y - M @ coef) ** 2)))}
