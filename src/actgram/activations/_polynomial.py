r"""Polynomial built-ins: ``polynomial`` (coefficients :math:`a_0, a_1, \dots`) and
``monomial``.

:math:`\phi` and :math:`\phi'` are evaluated by Horner's rule written once against the
array namespace ``xp`` (numpy: the same operations in the same order as
``numpy.polynomial.polynomial.polyval``, so the same bits); their kernels follow exactly
from the Hermite expansion (``hermite_poly``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validate import as_real_array
from ._core import Activation, Forms, builtin, whole_number


def horner(xp, z, coefficients: tuple[float, ...]):
    """``a_0 + a_1 z + ... + a_p z^p`` by Horner's rule, as ``polyval`` computes it."""
    z = xp.asarray(z)
    out = coefficients[-1] + z * 0
    for c in coefficients[-2::-1]:
        out = c + out * z
    return out


def polynomial_forms(coefficients: Sequence[float], family: str = "") -> Forms:
    """:class:`Forms` (phi and phi') of the polynomial with monomial coefficients;
    ``family`` is the built-in's registry key (``""`` for a detected callable)."""
    a = np.asarray(coefficients, dtype=np.float64)
    da = np.polynomial.polynomial.polyder(a) if a.size > 1 else np.zeros(1)
    ca, cd = tuple(a.tolist()), tuple(da.tolist())
    return Forms(phi=lambda xp, z: horner(xp, z, ca),
                 dphi=lambda xp, z: horner(xp, z, cd), family=family)


def _coefficients(coefficients) -> np.ndarray:
    a = np.atleast_1d(as_real_array(coefficients, "polynomial coefficients",
                                    "a sequence of real numbers"))
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(
            "polynomial needs a non-empty 1-D sequence of finite monomial coefficients "
            f"(a_0, a_1, ..., a_p) for a_0 + a_1 z + ... ; got {coefficients!r}"
        )
    a = np.trim_zeros(a, "b")
    return np.zeros(1) if a.size == 0 else a


def _polynomial(coefficients: Sequence[float] = (0.0, 1.0)) -> Activation:
    a = _coefficients(coefficients)
    terms = " + ".join(f"{c:g} z^{k}" for k, c in enumerate(a) if c != 0) or "0"
    coef = tuple(a.tolist())
    return builtin(f"polynomial({terms})", polynomial_forms(coef, "polynomial"),
                   params={"coefficients": coef}, hermite_poly=coef)


def _monomial(p: int = 2) -> Activation:
    if not whole_number(p):
        raise ValueError(f"monomial needs a non-negative integer degree p; got {p!r}")
    a = np.zeros(int(p) + 1)
    a[-1] = 1.0
    coef = tuple(a.tolist())
    return builtin(f"monomial(p={int(p)})", polynomial_forms(coef, "monomial"),
                   params={"p": int(p)}, hermite_poly=coef)


POLYNOMIAL = {"polynomial": _polynomial, "monomial": _monomial}
