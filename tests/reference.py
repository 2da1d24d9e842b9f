"""Independent high-precision references (mpmath), used only by the tests.

The dual kernel E[f(u) f(v)] is computed here in Cartesian form,
    kappa(rho) = int phi(u) f(u) [ int phi(z) f(rho u + s z) dz ] du,   s = sqrt(1 - rho^2),
with mpmath's adaptive tanh-sinh quadrature, the outer integral split at the kink u = 0.
For the piecewise ELU/SELU the inner expectation has a closed form in normal CDFs (a nested
adaptive quadrature is unreliable there: the outer integrand has a layer of width s at u = 0);
for the smooth activations the inner integral is done by quadrature too. This shares nothing
with the package's polar rule except the definition.
"""

from __future__ import annotations

import mpmath as mp

SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")


def _sig(z):
    return 1 / (1 + mp.exp(-z))


FUNCS = {
    # name: (phi, phi'), kink at 0 or None
    "tanh": (mp.tanh, lambda z: mp.sech(z) ** 2, False),
    "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z)), False),
    "softplus": (lambda z: mp.log1p(mp.exp(z)), _sig, False),
    "swish": (lambda z: z * _sig(z), lambda z: _sig(z) + z * _sig(z) * (1 - _sig(z)), False),
    "gelu": (lambda z: z * mp.ncdf(z), lambda z: mp.ncdf(z) + z * mp.npdf(z), False),
    "elu": (lambda z: z if z > 0 else mp.expm1(z), lambda z: mp.mpf(1) if z > 0 else mp.exp(z), True),
    "selu": (
        lambda z: SELU_SCALE * (z if z > 0 else SELU_ALPHA * mp.expm1(z)),
        lambda z: SELU_SCALE * (mp.mpf(1) if z > 0 else SELU_ALPHA * mp.exp(z)),
        True,
    ),
}


def _elu_inner(a, s, alpha, of):
    """E_z[f(a + s z)] for ELU(alpha) in closed form (z ~ N(0, 1), s > 0)."""
    if of == "derivative":  # P(a + s z > 0) + alpha E[e^{a + s z}; a + s z < 0]
        return mp.ncdf(a / s) + alpha * mp.exp(a + s * s / 2) * mp.ncdf(-a / s - s)
    return (a * mp.ncdf(a / s) + s * mp.npdf(a / s)
            + alpha * (mp.exp(a + s * s / 2) * mp.ncdf(-a / s - s) - mp.ncdf(-a / s)))


ELU_ALPHA = {"elu": (mp.mpf(1), mp.mpf(1)), "selu": (SELU_ALPHA, SELU_SCALE),
             "elu_half": (mp.mpf("0.5"), mp.mpf(1))}
FUNCS["elu_half"] = (lambda z: z if z > 0 else mp.expm1(z) / 2,
                     lambda z: mp.mpf(1) if z > 0 else mp.exp(z) / 2, True)


def dual_reference(name: str, rho, of: str = "derivative", dps: int = 30) -> float:
    """E[f(u) f(v)] for correlation rho (f = phi' for of="derivative", phi for "function"),
    to ~dps digits."""
    phi, dphi, kinked = FUNCS[name]
    f = dphi if of == "derivative" else phi
    with mp.workdps(dps):
        rho = mp.mpf(rho)
        s = mp.sqrt(1 - rho * rho)

        def inner(u):
            a = rho * u
            if name in ELU_ALPHA:
                alpha, lam = ELU_ALPHA[name]
                return lam * _elu_inner(a, s, alpha, of)
            return mp.quad(lambda z: mp.npdf(z) * f(a + s * z), [-mp.inf, 0, mp.inf])

        pts = [-mp.inf, 0, mp.inf]
        return float(mp.quad(lambda u: mp.npdf(u) * f(u) * inner(u), pts))


# --------------------------------------------------------------------------------------------
# Gram matrices in extended precision for points on a half circle: in the package (actgram.mpref),
# so that chapter 4 can show the check; it shares nothing with the package's other routes.
# --------------------------------------------------------------------------------------------

from actgram.mpref import half_circle_lambda_min, kappa_gl  # noqa: E402,F401
