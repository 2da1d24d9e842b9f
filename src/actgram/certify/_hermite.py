r"""Certified Hermite coefficients of :math:`\phi'` for tanh, sigmoid, softplus, swish, GELU.

With :math:`e_k(\psi) = \mathbb{E}[\psi(g)\,He_k(g)]` and :math:`\hat\psi(\omega) = \int
\psi(x)e^{-i\omega x}dx`, the identity :math:`\mathbb{E}[e^{i\omega g}He_k(g)] = (i\omega)^k
e^{-\omega^2/2}` gives

.. math::  e_k(\psi) = \frac{i^k}{2\pi}\int_{-\infty}^{\infty}\hat\psi(\omega)\,\omega^k
           e^{-\omega^2/2}\,d\omega ,

an integral of a *positive* function for the even kernels used here (no cancellation):

- :math:`\psi = \tanh' = \mathrm{sech}^2`: :math:`\hat\psi(\omega) = \pi\omega/\sinh(\pi\omega/2)`;
- :math:`\psi = \sigma'` (logistic): :math:`\hat\psi(\omega) = \pi\omega/\sinh(\pi\omega)`;
- :math:`\psi = \varphi` (normal density): :math:`\hat\psi = e^{-\omega^2/2}`, so
  :math:`e_m(\varphi) = (-1)^{m/2}\Gamma(\tfrac{m+1}{2})/(2\pi)` for even :math:`m` (exact).

Stein's identity :math:`e_k(f) = e_{k-1}(f')` and :math:`z\,He_k = He_{k+1} + k\,He_{k-1}`
give the rest: softplus' :math:`= \sigma`: :math:`e_k = e_{k-1}(\sigma')`; swish'
:math:`= \sigma + z\sigma'` and GELU' :math:`= \Phi + z\varphi`: :math:`e_0 = 1/2`, and for odd
:math:`k`, :math:`e_k = (k+1)e_{k-1}(\psi) + e_{k+1}(\psi)` with :math:`\psi = \sigma'` or
:math:`\varphi`; even :math:`k \ge 2` vanish. The integrals on :math:`[0, \Omega]` are
``acb.integral`` enclosures (rigorous for integrands holomorphic on a neighbourhood of the
segment; poles are detected as non-finite balls); beyond :math:`\Omega` the integrand is at most
:math:`\hat\psi(\Omega)\,\omega^k e^{-\omega^2/2}` (:math:`\omega/\sinh(c\omega)` decreases), whose
integral is :math:`2^{(k-1)/2}\Gamma(\tfrac{k+1}{2}, \Omega^2/2)`.
"""

from __future__ import annotations

import math

from ._flint import require, working_precision

# act.family (the built-in's declared registry key) -> (base function, structure of phi'
# in terms of it, sup |phi'| bound)
SERIES = {
    "tanh": ("sech2", "even", 1.0),
    "sigmoid": ("sigma1", "even", 0.25),
    "softplus": ("sigma1", "shift", 1.0),
    "swish": ("sigma1", "zmul", 1.2),   # swish' takes values in [-0.100, 1.100]
    "gelu": ("phi", "zmul", 1.2),       # GELU' takes values in [-0.170, 1.129]
}

_C = {"sech2": 0.5, "sigma1": 1.0}  # c / pi in psi-hat = pi omega / sinh(c omega)

_CACHE: dict[tuple, dict] = {}


def _base_moment(base: str, m: int, tol_bits: int):
    """e_m(psi) for even m as an arb ball, relative accuracy about 2^-tol_bits."""
    flint = require()
    arb, acb = flint.arb, flint.acb
    if m % 2:
        return arb(0)
    sign = -1 if (m // 2) % 2 else 1
    with working_precision(tol_bits + 30):
        if base == "phi":
            return sign * (arb(m + 1) / 2).gamma() / (2 * arb.pi())
        c = _C[base] * arb.pi()
        big = math.sqrt(m) + math.sqrt(2.0 * (tol_bits + 20) * math.log(2.0)) + 3.0
        omega = arb(big)
        ic = acb(0, 1) * c

        def f(x, _analytic):  # pi x / sinh(c x) * x^m * exp(-x^2/2), meromorphic
            return (arb.pi() / c) / (ic * x).sinc() * x**m * (-x * x / 2).exp()

        body = acb.integral(f, 0, omega, rel_tol=arb(2) ** (-tol_bits - 8)).real
        fmax = arb.pi() * omega / (c * omega).sinh()
        tail = fmax * arb(2) ** (arb(m - 1) / 2) * (omega * omega / 2).gamma_upper((m + 1) / 2)
        total = 2 * (body + arb(0).union(tail))
        return sign * total / (2 * arb.pi())


def _second_moment(name: str, bits: int):
    r"""S = E[phi'(g)^2] as an arb ball to about 2^-bits (acb.integral plus a Gaussian tail)."""
    flint = require()
    arb, acb = flint.arb, flint.acb
    sup = SERIES[name][2]
    with working_precision(bits + 30):
        half = math.sqrt(2.0 * (bits + 20) * math.log(2.0)) + 2.0

        def dphi(z):
            if name == "tanh":
                return z.sech() ** 2
            if name == "gelu":
                return (-z / arb(2).sqrt()).erfc() / 2 + z * (-z * z / 2).exp() / (2 * arb.pi()).sqrt()
            s = 1 / (1 + (-z).exp())
            return {"sigmoid": s * (1 - s), "softplus": s, "swish": s + z * s * (1 - s)}[name]

        def f(x, _analytic):
            return dphi(x) ** 2 * (-x * x / 2).exp() / (2 * arb.pi()).sqrt()

        body = acb.integral(f, -half, half, rel_tol=arb(2) ** (-bits - 8)).real
        tail = arb(sup) ** 2 * (arb(half) / arb(2).sqrt()).erfc()  # P(|g| > half) sup^2
        return body + arb(0).union(tail)


def _coefficient(name: str, k: int, tol_bits: int, memo: dict):
    """e_k(phi') / sqrt(k!) squared, as an arb ball."""
    arb = require().arb
    base, kind, _ = SERIES[name]

    def e(m):
        key = (m, tol_bits)
        if key not in memo:
            memo[key] = _base_moment(base, m, tol_bits)
        return memo[key]

    if kind == "even":
        ek = e(k)
    elif k == 0:
        ek = arb(1) / 2
    elif kind == "shift":
        ek = e(k - 1)
    elif k % 2 == 0:
        ek = arb(0)
    else:
        ek = (k + 1) * e(k - 1) + e(k + 1)
    return ek * ek / arb.fac_ui(k)


def hermite_squares(name: str, bits: int, max_terms: int = 4000) -> dict:
    r"""Certified :math:`a_k^2 = e_k(\phi')^2/k!`, :math:`k \le K`, and the tail bound.

    Returns ``{"squares": [arb], "tail": arb upper bound on sum_{k > K} a_k^2, "S": arb}``,
    with ``K`` the first index where the tail bound drops below :math:`2^{-\mathrm{bits}}`.
    Cached in memory per (activation, bits).
    """
    arb = require().arb
    key = (name, bits)
    if key in _CACHE:
        return _CACHE[key]
    for (nm, b), val in _CACHE.items():  # a finer cached result serves a coarser request
        if nm == name and b >= bits:
            return val
    target = arb(2) ** (-bits)
    with working_precision(bits + 40):
        S = _second_moment(name, bits + 10)
        squares, total, memo = [], arb(0), {}
        for k in range(max_terms):
            # relative accuracy needed for this term: absolute 2^-(bits + 12) suffices
            size = squares[-2] if len(squares) >= 2 and squares[-2] != 0 else arb(1)
            rel = max(12, int(bits + 12 + math.log2(max(float(size.mid()), 1e-300))))
            sq = _coefficient(name, k, min(rel, bits + 12), memo)
            squares.append(sq)
            total += sq
            tail = (S - total).upper()
            if tail < target:
                break
        else:
            raise RuntimeError(f"{name}: Hermite tail above 2^-{bits} after {max_terms} terms")
    res = {"squares": squares, "tail": arb(0).union(tail).upper(), "S": S}
    _CACHE[key] = res
    return res
