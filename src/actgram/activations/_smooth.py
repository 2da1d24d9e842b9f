r"""Analytic built-ins: gelu, softplus, sigmoid, tanh, swish, erf, sin.

Each block holds :math:`\phi`, :math:`\phi'` (and :math:`\phi'` from :math:`\phi` where
the trainer reuses it), the closed-form dual kernels where they exist (erf, sin), and
what the Fourier method of :mod:`actgram.spectra` needs: :math:`\phi'` continued to
complex arguments, the distance of its nearest pole from the real axis and its symmetry.
The real forms are written once against the array namespace ``xp`` of
:mod:`actgram._xp`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._core import Activation, Forms, builtin

_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _sigmoid_c(z):
    """Logistic function for real or complex arrays (no overflow for large |Re z|)."""
    z = np.asarray(z)
    neg = np.real(z) < 0
    e = np.exp(np.where(neg, z, -z))
    return np.where(neg, e / (1.0 + e), 1.0 / (1.0 + e))


def _gelu() -> Activation:
    forms = Forms(
        phi=lambda xp, z: z * xp.ndtr(z),
        dphi=lambda xp, z: xp.ndtr(z) + z * xp.exp(-0.5 * z * z) / _SQRT_2PI,
        family="gelu",
    )

    def der_c(z):
        return (0.5 * special.erfc(-z / math.sqrt(2.0))
                + z * np.exp(-0.5 * z * z) / _SQRT_2PI)

    return builtin("gelu", forms, derivative_complex=der_c, pole_distance=math.inf,
                   derivative_symmetry="const+odd")


def _softplus() -> Activation:
    forms = Forms(phi=lambda xp, z: xp.softplus(z), dphi=lambda xp, z: xp.expit(z),
                  family="softplus")
    return builtin("softplus", forms, derivative_complex=_sigmoid_c,
                   pole_distance=math.pi, derivative_symmetry="const+odd")


def _sigmoid_der(xp, z):
    s = xp.expit(z)
    return s * (1.0 - s)


def _sigmoid() -> Activation:
    forms = Forms(
        phi=lambda xp, z: xp.expit(z),
        dphi=_sigmoid_der,
        dphi_from_phi=lambda xp, z, p: p * (1.0 - p), torch_via_phi=True,
        family="sigmoid",
    )

    def der_c(z):
        sc = _sigmoid_c(z)
        return sc * (1.0 - sc)

    return builtin("sigmoid", forms, derivative_complex=der_c, pole_distance=math.pi,
                   derivative_symmetry="even")


def _tanh() -> Activation:
    forms = Forms(
        phi=lambda xp, z: xp.tanh(z),
        dphi=lambda xp, z: 1.0 / xp.cosh(z) ** 2,
        # torch computes tanh' as 1 - tanh^2 (from p = tanh z, or tanh z computed)
        dphi_from_phi=lambda xp, z, p: 1.0 - p ** 2, torch_via_phi=True,
        family="tanh",
    )
    return builtin("tanh", forms, complex_derivative=True, pole_distance=math.pi / 2,
                   derivative_symmetry="even")


def _swish_der(xp, z):
    s = xp.expit(z)
    return s + z * s * (1.0 - s)


def _swish_der_torch(xp, z):
    # the torch trainer's own expression s (1 + z (1 - s)); kept as an override (numpy
    # writes s + z s (1 - s)) so that both keep their bits: they differ in the last ulp
    s = xp.expit(z)
    return s * (1 + z * (1 - s))


def _swish() -> Activation:
    forms = Forms(phi=lambda xp, z: z * xp.expit(z), dphi=_swish_der,
                  dphi_torch=_swish_der_torch, family="swish")

    def der_c(z):
        sc = _sigmoid_c(z)
        return sc + z * sc * (1.0 - sc)

    return builtin("swish", forms, derivative_complex=der_c, pole_distance=math.pi,
                   derivative_symmetry="const+odd")


# covariance [[A, C], [C, B]]: E[erf u erf v] = (2/pi) arcsin(2C / sqrt((1+2A)(1+2B))),
# E[erf' u erf' v] = (4/pi) ((1+2A)(1+2B) - 4C^2)^(-1/2)  (general_kernels' forms)
_ERF_GENERAL = {
    "function": lambda xp, A, B, C: (2.0 / math.pi) * xp.arcsin(
        2.0 * C / xp.sqrt((1 + 2 * A) * (1 + 2 * B))),
    "derivative": lambda xp, A, B, C: (4.0 / math.pi) / xp.sqrt(
        (1 + 2 * A) * (1 + 2 * B) - 4.0 * C * C),
}


def _sin_general(of: str):
    def form(xp, A, B, C):  # e^{-(A+B)/2} sinh C, e^{-(A+B)/2} cosh C
        e = xp.exp(-0.5 * (A + B))
        return e * (xp.sinh(C) if of == "function" else xp.cosh(C))

    return form


_SIN_GENERAL = {of: _sin_general(of) for of in ("function", "derivative")}


def _erf() -> Activation:
    c = 2.0 / math.sqrt(math.pi)
    forms = Forms(
        phi=lambda xp, z: xp.erf(z),
        dphi=lambda xp, z: c * xp.exp(-z * z),
        # E[erf u erf v] = (2/pi) arcsin(2 rho / 3)
        # E[erf' u erf' v] = (4/pi) / sqrt(9 - 4 rho^2)
        duals={
            "function": lambda xp, t: (2.0 / math.pi) * xp.arcsin(
                2.0 * xp.cos(t) / 3.0),
            "derivative": lambda xp, t: (4.0 / math.pi) / xp.sqrt(
                9.0 - 4.0 * xp.cos(t) ** 2),
        },
        family="erf", general_duals=_ERF_GENERAL,
    )
    return builtin("erf", forms, complex_derivative=True, pole_distance=math.inf,
                   derivative_symmetry="even")


def _sin() -> Activation:
    e = math.exp(-1.0)
    forms = Forms(
        phi=lambda xp, z: xp.sin(z),
        dphi=lambda xp, z: xp.cos(z),
        # E[sin u sin v] = e^{-1} sinh(rho);  E[cos u cos v] = e^{-1} cosh(rho)
        duals={"function": lambda xp, t: e * xp.sinh(xp.cos(t)),
               "derivative": lambda xp, t: e * xp.cosh(xp.cos(t))},
        family="sin", general_duals=_SIN_GENERAL,
    )
    return builtin("sin", forms, complex_derivative=True, pole_distance=math.inf,
                   derivative_symmetry="even")


SMOOTH = {
    "gelu": _gelu,
    "softplus": _softplus,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "swish": _swish,
    "erf": _erf,
    "sin": _sin,
}
