r"""Built-ins with a kink or jump at 0: relu, leaky_relu, abs, step, relu_power, elu,
selu.

Each block holds :math:`\phi`, :math:`\phi'` (and :math:`\phi'` from :math:`\phi` where
the trainer reuses it), the kink, the jump order, the parameters and the closed-form
dual kernels (arc-cosine kernels :math:`J_n(\theta)/(2\pi)` of Cho and Saul), each
written once against the array namespace ``xp`` of :mod:`actgram._xp`.
"""

from __future__ import annotations

import math

from .._validate import real_scalar
from ._core import INV_2PI, Activation, Forms, builtin, whole_number
from ._core import arccos_J_xp as J

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _leaky_duals(a: float) -> dict:
    # phi = (1+a)/2 z + (1-a)/2 |z|;  E|u||v| = 4 J1/(2 pi) - rho;  E[u|v|] = 0.
    p, q = (1.0 + a) / 2.0, (1.0 - a) / 2.0

    def function(xp, t):
        rho = xp.cos(t)
        return p * p * rho + q * q * (4.0 * J(xp, 1, t) * INV_2PI - rho)

    def derivative(xp, t):  # phi' = a + (1 - a) 1{z > 0}
        return a + (1.0 - a) ** 2 * J(xp, 0, t) * INV_2PI

    return {"function": function, "derivative": derivative}


def _relu() -> Activation:
    forms = Forms(
        phi=lambda xp, z: xp.relu(z),
        dphi=lambda xp, z: xp.indicator(z > 0, z),
        # relu(z) > 0 exactly where z > 0: the same values from p
        dphi_from_phi=lambda xp, z, p: xp.indicator(p > 0, z), torch_via_phi=True,
        duals={"function": lambda xp, t: J(xp, 1, t) * INV_2PI,
               "derivative": lambda xp, t: J(xp, 0, t) * INV_2PI},
        family="relu", homogeneous_degree=1, arccos=(0.0, True),
    )
    return builtin("relu", forms, kinks=(0.0,), jump_order=1)


def _leaky_relu(slope: float = 0.01) -> Activation:
    a = real_scalar(slope, "leaky_relu slope")
    forms = Forms(
        phi=lambda xp, z: xp.where(z > 0, z, a * z),
        dphi=lambda xp, z: xp.where(z > 0, xp.ones_like(z), a),
        duals=_leaky_duals(a),
        family="leaky_relu", homogeneous_degree=1, arccos=(float(a), False),
    )
    return builtin(f"leaky_relu(slope={a:g})", forms, kinks=(0.0,),
                   jump_order=None if a == 1.0 else 1, params={"slope": a})


def _abs() -> Activation:
    forms = Forms(
        phi=lambda xp, z: xp.abs(z),
        dphi=lambda xp, z: xp.where(z > 0, xp.ones_like(z), -1.0),
        duals=_leaky_duals(-1.0),
        family="abs", homogeneous_degree=1, arccos=(-1.0, False),
    )
    return builtin("abs", forms, kinks=(0.0,), jump_order=1)


def _step() -> Activation:
    forms = Forms(
        phi=lambda xp, z: xp.indicator(z >= 0, z),
        dphi=lambda xp, z: xp.zeros_like(z),
        duals={"function": lambda xp, t: J(xp, 0, t) * INV_2PI},
        family="step", homogeneous_degree=0, arccos=(math.nan, False),
    )
    return builtin("step", forms, kinks=(0.0,), jump_order=0, derivative_defined=False)


def _relu_power(r: int = 2) -> Activation:
    if not whole_number(r):
        raise ValueError(
            f"relu_power needs a non-negative integer power r (max(z,0)^r); got {r!r}. "
            "Non-integer powers are not supported: their kernels have branch points "
            "the quadrature does not resolve to 1e-12."
        )
    r = int(r)
    if r == 0:
        return _step()
    if r == 1:
        return _relu()
    duals = {}
    if r <= 3:
        duals["derivative"] = lambda xp, t: r * r * J(xp, r - 1, t) * INV_2PI
    if r == 2:
        duals["function"] = lambda xp, t: J(xp, 2, t) * INV_2PI
    forms = Forms(
        phi=lambda xp, z: xp.relu(z) ** r,
        dphi=lambda xp, z: r * xp.relu(z) ** (r - 1),
        duals=duals, family="relu_power", homogeneous_degree=r,
    )
    return builtin(f"relu_power(r={r})", forms, kinks=(0.0,), jump_order=r,
                   params={"r": r})


def _elu(alpha: float = 1.0) -> Activation:
    a = real_scalar(alpha, "elu alpha")
    forms = Forms(
        phi=lambda xp, z: xp.where(z > 0, z, a * xp.expm1(xp.minimum0(z))),
        dphi=lambda xp, z: xp.where(z > 0, xp.ones_like(z), a * xp.exp(xp.minimum0(z))),
        # for z <= 0, phi'(z) = alpha e^z = phi(z) + alpha
        dphi_from_phi=lambda xp, z, p: xp.where(z > 0, xp.ones_like(z), p + a),
        family="elu",
    )
    return builtin(f"elu(alpha={a:g})", forms, kinks=(0.0,),
                   jump_order=2 if a == 1.0 else 1, params={"alpha": a})


def _selu() -> Activation:
    lam, a = SELU_SCALE, SELU_ALPHA
    forms = Forms(
        phi=lambda xp, z: lam * xp.where(z > 0, z, a * xp.expm1(xp.minimum0(z))),
        dphi=lambda xp, z: lam * xp.where(z > 0, xp.ones_like(z),
                                          a * xp.exp(xp.minimum0(z))),
        # for z <= 0, phi'(z) = lam alpha e^z = phi(z) + lam alpha
        dphi_from_phi=lambda xp, z, p: xp.where(z > 0, lam, p + lam * a),
        family="selu",
    )
    return builtin("selu", forms, kinks=(0.0,), jump_order=1)


PIECEWISE = {
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "step": _step,
    "abs": _abs,
    "relu_power": _relu_power,
    "elu": _elu,
    "selu": _selu,
}
