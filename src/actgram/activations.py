r"""Activation functions: each one a small object that knows itself.

An :class:`Activation` carries the function :math:`\phi`, its derivative :math:`\phi'`
(vectorised numpy), the points where some derivative jumps (``kinks``), the order of the first
discontinuous derivative (``jump_order``: 0 if :math:`\phi` itself jumps, 1 for a kink such as
ReLU's, ``None`` for analytic activations) and, where they exist, closed forms of its *dual
kernels* as functions of the angle :math:`\theta = \arccos\rho` between two unit inputs:

.. math::

   \kappa_{\phi}(\theta) = \mathbb{E}[\phi(u)\phi(v)], \qquad
   \kappa_{\phi'}(\theta) = \mathbb{E}[\phi'(u)\phi'(v)],

with :math:`(u, v)` standard bivariate normal of correlation :math:`\rho = \cos\theta`.
Activations without closed forms are integrated numerically by :mod:`actgram.kernels`.

Build one with :func:`activation`; ``activation("relu")``, ``activation("elu", alpha=0.5)``,
``activation(my_callable, kinks=(0.0,))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from ._validate import as_real_array, real_scalar

Array = np.ndarray
ThetaFn = Callable[[Array], Array]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_INV_2PI = 1.0 / (2.0 * math.pi)


@dataclass(frozen=True, eq=False)
class Activation:
    r"""An activation function :math:`\phi` with its derivative and what is known about it.

    Attributes
    ----------
    name : str
        Human-readable name including parameters, e.g. ``"elu(alpha=1)"``.
    fn, derivative : callable
        Vectorised ``ndarray -> ndarray`` maps for :math:`\phi` and :math:`\phi'`
        (at a kink ``derivative`` returns one of the one-sided values).
    kinks : tuple of float
        Points where :math:`\phi` or one of its derivatives jumps.
    jump_order : int or None
        Order ``r`` of the first discontinuous derivative :math:`\phi^{(r)}` (0: :math:`\phi`
        jumps; 1: kink; ``None``: no jump, analytic).
    params : dict
        Parameters the activation was built with.
    dual : dict
        Closed-form dual kernels as functions of the angle :math:`\theta`: key ``"ff"`` for
        :math:`\mathbb{E}[\phi(u)\phi(v)]`, ``"dd"`` for :math:`\mathbb{E}[\phi'(u)\phi'(v)]`.
    hermite_poly : tuple or None
        Monomial coefficients ``(a_0, a_1, ...)`` when :math:`\phi` is a polynomial (exact
        Hermite coefficients follow from them).
    derivative_defined : bool
        False when :math:`\phi'` is zero almost everywhere (the step function), so that the
        G matrix of the trained first layer is not defined.
    derivative_complex : callable or None
        :math:`\phi'` continued to complex arguments (smooth built-ins only); used by
        :mod:`actgram.spectra` to compute tiny Fourier coefficients with relative accuracy.
    pole_distance : float or None
        Distance from the real axis of the nearest singularity of :math:`\phi'`
        (``inf`` for entire functions); set together with ``derivative_complex``.
    derivative_symmetry : {"even", "const+odd"} or None
        Exact symmetry of :math:`\phi'`: even (tanh, sigmoid, erf, sin), or a constant plus
        an odd function (softplus, swish, GELU). It makes half of the circular Fourier
        coefficients of the kernel vanish exactly, which :mod:`actgram.spectra` uses.
    """

    name: str
    fn: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    kinks: tuple[float, ...] = ()
    jump_order: int | None = None
    params: dict = field(default_factory=dict)
    dual: dict[str, ThetaFn] = field(default_factory=dict)
    hermite_poly: tuple[float, ...] | None = None
    derivative_defined: bool = True
    builtin: bool = True
    derivative_complex: Callable[[Array], Array] | None = None
    pole_distance: float | None = None
    derivative_symmetry: str | None = None
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def smooth(self) -> bool:
        """True when no derivative jumps (``jump_order is None``)."""
        return self.jump_order is None

    def __call__(self, z):
        return self.fn(np.asarray(z, dtype=np.float64))

    def __repr__(self) -> str:
        kind = "analytic" if self.jump_order is None else f"jump in derivative {self.jump_order}"
        return f"Activation({self.name}: {kind}, kinks={list(self.kinks)})"

    @property
    def key(self) -> tuple:
        """Hashable identity used to cache numerical kernels of built-in activations."""
        if self.builtin:
            return (self.name,)
        return ("callable", id(self))


# --------------------------------------------------------------------------------------------
# closed-form dual kernels (functions of theta in [0, pi])
# --------------------------------------------------------------------------------------------

def arccos_J(order: int, theta: Array) -> Array:
    r"""Cho and Saul's angular function :math:`J_n(\theta)` for ``order`` n in {0, 1, 2}.

    :math:`\mathbb{E}[\mathrm{relu}(u)^n\,\mathrm{relu}(v)^n] = J_n(\theta) / (2\pi)`.
    """
    t = np.asarray(theta, dtype=np.float64)
    s, c = np.sin(t), np.cos(t)
    if order == 0:
        return math.pi - t
    if order == 1:
        return s + (math.pi - t) * c
    if order == 2:
        return 3.0 * s * c + (math.pi - t) * (1.0 + 2.0 * c * c)
    raise ValueError(f"closed form J_n only for n in 0, 1, 2; got {order}")


def _leaky_duals(a: float) -> dict[str, ThetaFn]:
    # phi = (1+a)/2 z + (1-a)/2 |z|;  E|u||v| = 4 J1/(2 pi) - rho;  E[u|v|] = 0.
    p, q = (1.0 + a) / 2.0, (1.0 - a) / 2.0

    def ff(t):
        rho = np.cos(t)
        return p * p * rho + q * q * (4.0 * arccos_J(1, t) * _INV_2PI - rho)

    def dd(t):  # phi' = a + (1 - a) 1{z > 0}
        return a + (1.0 - a) ** 2 * arccos_J(0, t) * _INV_2PI

    return {"ff": ff, "dd": dd}


# --------------------------------------------------------------------------------------------
# the built-ins
# --------------------------------------------------------------------------------------------

def _relu() -> Activation:
    return Activation(
        "relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64),
        kinks=(0.0,), jump_order=1,
        dual={"ff": lambda t: arccos_J(1, t) * _INV_2PI, "dd": lambda t: arccos_J(0, t) * _INV_2PI},
    )


def _leaky_relu(slope: float = 0.01) -> Activation:
    a = real_scalar(slope, "leaky_relu slope")
    return Activation(
        f"leaky_relu(slope={a:g})", lambda z: np.where(z > 0, z, a * z),
        lambda z: np.where(z > 0, 1.0, a), kinks=(0.0,),
        jump_order=None if a == 1.0 else 1, params={"slope": a}, dual=_leaky_duals(a),
    )


def _abs() -> Activation:
    return Activation(
        "abs", np.abs, lambda z: np.where(z > 0, 1.0, -1.0), kinks=(0.0,), jump_order=1,
        dual=_leaky_duals(-1.0),
    )


def _step() -> Activation:
    return Activation(
        "step", lambda z: (z >= 0).astype(np.float64), lambda z: np.zeros_like(z, dtype=np.float64),
        kinks=(0.0,), jump_order=0,
        dual={"ff": lambda t: arccos_J(0, t) * _INV_2PI}, derivative_defined=False,
    )


def _relu_power(r: int = 2) -> Activation:
    if (isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating))
            or not float(r).is_integer() or r < 0):
        raise ValueError(
            f"relu_power needs a non-negative integer power r (max(z,0)^r); got {r!r}. "
            "Non-integer powers are not supported: their kernels have branch points the "
            "quadrature does not resolve to 1e-12."
        )
    r = int(r)
    if r == 0:
        return _step()
    if r == 1:
        return _relu()
    dual: dict[str, ThetaFn] = {"dd": lambda t: r * r * arccos_J(r - 1, t) * _INV_2PI} if r <= 3 else {}
    if r == 2:
        dual["ff"] = lambda t: arccos_J(2, t) * _INV_2PI
    return Activation(
        f"relu_power(r={r})", lambda z: np.maximum(z, 0.0) ** r,
        lambda z: r * np.maximum(z, 0.0) ** (r - 1), kinks=(0.0,), jump_order=r,
        params={"r": r}, dual=dual,
    )


def _elu(alpha: float = 1.0) -> Activation:
    a = real_scalar(alpha, "elu alpha")
    return Activation(
        f"elu(alpha={a:g})", lambda z: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0))),
        lambda z: np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0.0))), kinks=(0.0,),
        jump_order=2 if a == 1.0 else 1, params={"alpha": a},
    )


def _selu() -> Activation:
    lam, a = SELU_SCALE, SELU_ALPHA
    return Activation(
        "selu", lambda z: lam * np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0))),
        lambda z: lam * np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0.0))), kinks=(0.0,),
        jump_order=1,
    )


def _sigmoid_c(z):
    """Logistic function for real or complex arrays (no overflow for large |Re z|)."""
    z = np.asarray(z)
    neg = np.real(z) < 0
    e = np.exp(np.where(neg, z, -z))
    return np.where(neg, e / (1.0 + e), 1.0 / (1.0 + e))


def _gelu() -> Activation:
    def fn(z):
        return z * special.ndtr(z)

    def der(z):
        return special.ndtr(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    def der_c(z):
        return 0.5 * special.erfc(-z / math.sqrt(2.0)) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    return Activation("gelu", fn, der, derivative_complex=der_c, pole_distance=math.inf,
                      derivative_symmetry="const+odd")


def _softplus() -> Activation:
    return Activation("softplus", lambda z: np.logaddexp(0.0, z), special.expit,
                      derivative_complex=_sigmoid_c, pole_distance=math.pi,
                      derivative_symmetry="const+odd")


def _sigmoid() -> Activation:
    def der(z):
        s = special.expit(z)
        return s * (1.0 - s)

    def der_c(z):
        sc = _sigmoid_c(z)
        return sc * (1.0 - sc)

    return Activation("sigmoid", special.expit, der, derivative_complex=der_c, pole_distance=math.pi,
                      derivative_symmetry="even")


def _tanh() -> Activation:
    def der(z):
        return 1.0 / np.cosh(z) ** 2

    return Activation("tanh", np.tanh, der, derivative_complex=der, pole_distance=math.pi / 2,
                      derivative_symmetry="even")


def _swish() -> Activation:
    def der(z):
        s = special.expit(z)
        return s + z * s * (1.0 - s)

    def der_c(z):
        sc = _sigmoid_c(z)
        return sc + z * sc * (1.0 - sc)

    return Activation("swish", lambda z: z * special.expit(z), der, derivative_complex=der_c,
                      pole_distance=math.pi, derivative_symmetry="const+odd")


def _erf() -> Activation:
    c = 2.0 / math.sqrt(math.pi)
    return Activation(
        "erf", special.erf, lambda z: c * np.exp(-z * z),
        derivative_complex=lambda z: c * np.exp(-z * z), pole_distance=math.inf,
        derivative_symmetry="even",
        # E[erf u erf v] = (2/pi) arcsin(2 rho / 3);  E[erf' u erf' v] = (4/pi) / sqrt(9 - 4 rho^2)
        dual={
            "ff": lambda t: (2.0 / math.pi) * np.arcsin(2.0 * np.cos(t) / 3.0),
            "dd": lambda t: (4.0 / math.pi) / np.sqrt(9.0 - 4.0 * np.cos(t) ** 2),
        },
    )


def _sin() -> Activation:
    e = math.exp(-1.0)
    return Activation(
        "sin", np.sin, np.cos, derivative_complex=np.cos, pole_distance=math.inf,
        derivative_symmetry="even",
        # E[sin u sin v] = e^{-1} sinh(rho);  E[cos u cos v] = e^{-1} cosh(rho)
        dual={"ff": lambda t: e * np.sinh(np.cos(t)), "dd": lambda t: e * np.cosh(np.cos(t))},
    )


def _polynomial(coefficients: Sequence[float] = (0.0, 1.0)) -> Activation:
    a = np.atleast_1d(as_real_array(coefficients, "polynomial coefficients", "a sequence of real numbers"))
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(
            "polynomial needs a non-empty 1-D sequence of finite monomial coefficients "
            f"(a_0, a_1, ..., a_p) for a_0 + a_1 z + ... ; got {coefficients!r}"
        )
    a = np.trim_zeros(a, "b")
    if a.size == 0:
        a = np.zeros(1)
    da = np.polynomial.polynomial.polyder(a) if a.size > 1 else np.zeros(1)
    terms = " + ".join(f"{c:g} z^{k}" for k, c in enumerate(a) if c != 0) or "0"
    return Activation(
        f"polynomial({terms})",
        lambda z: np.polynomial.polynomial.polyval(z, a),
        lambda z: np.polynomial.polynomial.polyval(z, da),
        params={"coefficients": tuple(a.tolist())}, hermite_poly=tuple(a.tolist()),
    )


def _monomial(p: int = 2) -> Activation:
    if (isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating))
            or not float(p).is_integer() or p < 0):
        raise ValueError(f"monomial needs a non-negative integer degree p; got {p!r}")
    a = np.zeros(int(p) + 1)
    a[-1] = 1.0
    act = _polynomial(a)
    return Activation(
        f"monomial(p={int(p)})", act.fn, act.derivative, params={"p": int(p)},
        hermite_poly=act.hermite_poly,
    )


_BUILTINS: dict[str, Callable[..., Activation]] = {
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "step": _step,
    "abs": _abs,
    "relu_power": _relu_power,
    "elu": _elu,
    "selu": _selu,
    "gelu": _gelu,
    "softplus": _softplus,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "swish": _swish,
    "erf": _erf,
    "sin": _sin,
    "polynomial": _polynomial,
    "monomial": _monomial,
}
_ALIASES = {"silu": "swish", "leakyrelu": "leaky_relu", "identity": "polynomial"}


def builtin_names() -> list[str]:
    """Names accepted by :func:`activation` (aliases included)."""
    return sorted(list(_BUILTINS) + list(_ALIASES))


# --------------------------------------------------------------------------------------------
# user callables
# --------------------------------------------------------------------------------------------

def _check_vectorised(f: Callable, label: str) -> None:
    probe = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    try:
        out = f(probe)
    except Exception as exc:  # the user's code: report what it did
        raise TypeError(
            f"the {label} raised {type(exc).__name__}: {exc} when called on a numpy array of "
            "shape (3, 4). Activations must be vectorised (array in, array of the same shape "
            "out); write it with numpy functions (np.where, np.exp, ...) or wrap it with "
            "np.vectorize (slow)."
        ) from exc
    out = np.asarray(out)
    if out.shape != probe.shape:
        raise TypeError(
            f"the {label} returned shape {out.shape} for an input of shape (3, 4); it must act "
            "elementwise and return an array of the same shape (is it reducing or not vectorised?)"
        )
    if not np.all(np.isfinite(out.astype(np.float64))):
        raise ValueError(f"the {label} returned non-finite values on [-2, 2]; it must be finite")


def _numerical_derivative(f: Callable, kinks: tuple[float, ...], h: float = 1e-3) -> Callable:
    """Sixth-order central differences, one-sided next to a kink (error about 1e-10)."""
    kinks_arr = np.asarray(kinks, dtype=np.float64)
    # central 7-point weights for f'(x) with step h
    cw = np.array([-1.0, 9.0, -45.0, 0.0, 45.0, -9.0, 1.0]) / 60.0
    co = np.arange(-3, 4)
    # one-sided 7-point weights (forward): f'(x) ~ sum w_k f(x + k h), k = 0..6
    fw = np.array([-147.0, 360.0, -450.0, 400.0, -225.0, 72.0, -10.0]) / 60.0
    fo = np.arange(0, 7)

    def der(z):
        z = np.asarray(z, dtype=np.float64)
        out = sum(w * np.asarray(f(z + k * h), dtype=np.float64) for w, k in zip(cw, co, strict=True)) / h
        if kinks_arr.size:
            dist = z[..., None] - kinks_arr
            near = np.abs(dist) < 3.5 * h
            if np.any(near):
                # side: +1 if z is right of its nearest kink, -1 if left
                j = np.argmin(np.abs(dist), axis=-1)
                side = np.where(np.take_along_axis(dist, j[..., None], -1)[..., 0] >= 0, 1.0, -1.0)
                mask = np.any(near, axis=-1)
                zs, ss = z[mask], side[mask]
                one = sum(w * np.asarray(f(zs + ss * k * h), dtype=np.float64) for w, k in zip(fw, fo, strict=True))
                out = np.array(out, dtype=np.float64)
                out[mask] = ss * one / h
        return out

    return der


def estimate_jump_order(f: Callable, kink: float, max_order: int = 4, h: float = 0.02) -> int | None:
    """Estimate the order of the first derivative of ``f`` that jumps at ``kink``.

    Fits a degree-``max_order + 3`` polynomial to ``f`` on each side of the point (points
    ``kink +- h * (1..16)``) and compares the one-sided Taylor coefficients ``j! a_j``. A jump
    of order ``j`` is reported only if the one-sided difference exceeds
    ``1e-5 * (1 + |value|)`` *and* is reproduced within 10 % with the step halved: a real jump
    does not depend on ``h``, while the fitting error of a fast-varying analytic function does
    (without this check tanh, GELU, sigmoid and erf showed spurious kinks at 0). Returns
    ``None`` when none of the orders ``0..max_order`` jumps.
    """
    deg = max_order + 3
    diffs = []
    for step in (h, h / 2):
        t = step * np.arange(1, 17, dtype=np.float64)
        left = np.polynomial.polynomial.polyfit(-t, np.asarray(f(kink - t), dtype=np.float64), deg)
        right = np.polynomial.polynomial.polyfit(t, np.asarray(f(kink + t), dtype=np.float64), deg)
        fac = np.array([math.factorial(j) for j in range(max_order + 1)], dtype=np.float64)
        lj, rj = left[: max_order + 1] * fac, right[: max_order + 1] * fac
        diffs.append((rj - lj, np.maximum(np.abs(lj), np.abs(rj))))
    (d1, m1), (d2, _) = diffs
    for j in range(max_order + 1):
        big = abs(d1[j]) > 1e-5 * (1.0 + m1[j]) and abs(d2[j]) > 1e-5 * (1.0 + m1[j])
        if big and abs(d1[j] - d2[j]) <= 0.1 * max(abs(d1[j]), abs(d2[j])):
            return j
    return None


_CS_STEP = 1e-20
# probe points for choosing and verifying a derivative (away from 0 and the integers)
_DER_PROBE = np.linspace(-3.7, 3.3, 36) + 0.01234


def _torch_module():
    """The torch module if the user has imported it (importing it here would cost seconds)."""
    import sys

    return sys.modules.get("torch")


def _torch_wrap(fn: Callable) -> Callable | None:
    """``fn`` as a numpy map if it is a torch function (accepts a float64 tensor), else None."""
    torch = _torch_module()
    if torch is None:
        return None
    try:
        fn(_DER_PROBE.copy())
        return None  # works on numpy arrays: treat it as a numpy function
    except Exception:
        pass
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy code handed a tensor may warn before failing
            out = fn(torch.from_numpy(_DER_PROBE.copy()))
    except Exception:  # not a torch function
        return None
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != _DER_PROBE.shape:
        return None

    def f_np(z):
        if np.iscomplexobj(z):
            raise TypeError("the torch callable is used with real arguments only")
        z = np.asarray(z, dtype=np.float64)
        with torch.no_grad():
            return fn(torch.from_numpy(np.ascontiguousarray(z))).double().numpy()

    return f_np


def _complex_step(fn: Callable) -> Callable:
    def der(z):
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.imag(fn(z + 1j * _CS_STEP)) / _CS_STEP

    return der


def _torch_derivative(fn: Callable) -> Callable:
    torch = _torch_module()

    def der(z):
        z = np.asarray(z, dtype=np.float64)
        t = torch.from_numpy(np.ascontiguousarray(z).copy()).requires_grad_(True)
        (g,) = torch.autograd.grad(fn(t).sum(), t)
        return g.detach().numpy()

    return der


def _agrees(candidate: Callable, fd: np.ndarray) -> bool:
    try:
        d = np.asarray(candidate(_DER_PROBE))
    except Exception:  # the user's code rejects complex input / tensors: not usable
        return False
    if d.shape != fd.shape or np.iscomplexobj(d) or not np.all(np.isfinite(d)):
        return False
    return bool(np.all(np.abs(d - fd) <= 1e-6 * (1.0 + np.abs(fd))))


def choose_derivative(fn: Callable, kinks: tuple[float, ...] = (),
                      torch_fn: Callable | None = None) -> tuple[Callable, str, bool]:
    r"""Pick the derivative of a user callable: ``(derivative, method, defined)``.

    In order: *complex step* :math:`\phi'(z) = \mathrm{Im}\,\phi(z + ih)/h`, ``h = 1e-20``,
    when ``fn`` accepts complex arrays and the result agrees with finite differences at 36
    probe points (so a callable that drops the imaginary part, or is not analytic, such as
    ``np.abs`` or ``np.sign``, is not trusted); *torch autograd* when ``torch_fn`` (the
    callable as a torch function) is given; else sixth-order *central finite differences*
    (:func:`_numerical_derivative`). ``defined`` is False when the finite differences vanish
    (to rounding) at every probe point while ``fn`` is not constant (a step-like callable:
    derivative zero almost everywhere, no G matrix).

    Accuracy (measured on tanh, erf(4z), exp(3z), z^6 polynomials, ABReLU, against
    analytic derivatives): complex step about 1 ulp relative (no cancellation); autograd
    about 1 ulp; finite differences about 1e-10 relative (truncation ``h^6 phi^(7) / 140``
    with ``h = 1e-3`` plus rounding ``~2e-13 |phi|``).
    """
    fd_der = _numerical_derivative(fn, kinks)
    probe = _DER_PROBE
    if kinks:
        probe = probe[np.min(np.abs(probe[:, None] - np.asarray(kinks)[None, :]), axis=1) > 0.05]
    with np.errstate(all="ignore"):
        fd = np.asarray(fd_der(probe), dtype=np.float64)
        vals = np.asarray(fn(probe), dtype=np.float64)
    if np.ptp(vals) > 0 and np.all(np.abs(fd) <= 1e-12 * np.max(np.abs(vals))):
        return fd_der, "finite differences", False
    cs = _complex_step(fn)
    if _agrees(lambda z: cs(z)[np.isin(_DER_PROBE, probe)], fd):
        return cs, "complex step", True
    if torch_fn is not None:
        td = _torch_derivative(torch_fn)
        if _agrees(lambda z: td(z)[np.isin(_DER_PROBE, probe)], fd):
            return td, "torch autograd", True
    return fd_der, "finite differences", True


def detect_polynomial(fn: Callable, max_degree: int = 16) -> tuple[float, ...] | None:
    """Monomial coefficients of ``fn`` if it is a polynomial of degree <= ``max_degree``.

    Interpolates ``fn`` at 33 Chebyshev points of [-2, 2]; if the Chebyshev coefficients
    above some degree vanish (below 1e-14 of the largest) and the interpolant reproduces
    ``fn`` to 1e-11 relative at 24 other points of [-10, 10], the exact Hermite expansion
    replaces quadrature (the kernel is then a polynomial in rho).
    """
    n = 33
    s = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(fn(2.0 * s), dtype=np.float64)
        except Exception:
            return None
    if y.shape != s.shape or not np.all(np.isfinite(y)):
        return None
    c = np.polynomial.chebyshev.chebfit(s, y, n - 1)
    big = np.nonzero(np.abs(c) > 1e-14 * max(np.max(np.abs(c)), 1e-300))[0]
    deg = int(big.max()) if big.size else 0
    if deg > max_degree:
        return None
    c = np.polynomial.chebyshev.chebfit(s, y, deg)
    b = np.polynomial.chebyshev.cheb2poly(c)
    b[np.abs(b) < 1e-13 * np.max(np.abs(b))] = 0.0  # rounding noise of the fit
    a = b / 2.0 ** np.arange(b.size)
    zt = np.linspace(-10.0, 10.0, 24) + 0.0317
    with np.errstate(all="ignore"):
        yt = np.asarray(fn(zt), dtype=np.float64)
    pt = np.polynomial.polynomial.polyval(zt, a)
    scale = np.polynomial.polynomial.polyval(np.abs(zt), np.abs(a))
    if not np.all(np.abs(yt - pt) <= 1e-11 * np.maximum(scale, 1.0)):
        return None
    return tuple(a.tolist())


def from_callable(
    fn: Callable[[Array], Array],
    *,
    derivative: Callable[[Array], Array] | None = None,
    kinks: Sequence[float] = (),
    jump_order: int | None | str = "estimate",
    name: str | None = None,
) -> Activation:
    """Wrap a vectorised user function (numpy, or a torch function) as an :class:`Activation`.

    ``derivative`` defaults to :func:`choose_derivative`: complex step where ``fn`` accepts
    complex input (exact to about 1 ulp), torch autograd where ``fn`` is a torch function
    (about 1 ulp), sixth-order finite differences otherwise (one-sided within ``3.5e-3`` of a
    declared kink; about 1e-10 relative for smooth pieces); ``params["derivative_method"]``
    says which. A callable whose derivative vanishes almost everywhere (``np.sign``, steps)
    gets ``derivative_defined=False``: its G matrix is refused as for the built-in step.
    ``jump_order="estimate"`` classifies each declared kink with :func:`estimate_jump_order`.
    Kinks at 0 need not be declared for the kernels (the polar rule splits there anyway).
    """
    if not callable(fn):
        raise TypeError(f"activation must be a name or a callable; got {type(fn).__name__}")
    kinks_t = tuple(float(k) for k in kinks)
    if not all(np.isfinite(kinks_t)):
        raise ValueError(f"kinks must be finite numbers; got {kinks!r}")
    torch_fn = None
    wrapped = _torch_wrap(fn)
    if wrapped is not None:
        torch_fn, fn = fn, wrapped
    _check_vectorised(fn, "activation callable")
    defined = True
    if derivative is None:
        der, method, defined = choose_derivative(fn, kinks_t, torch_fn)
    else:
        if not callable(derivative):
            raise TypeError("derivative must be a vectorised callable")
        _check_vectorised(derivative, "derivative callable")
        der, method = derivative, "given"
    if jump_order == "estimate":
        orders = [estimate_jump_order(fn, k) for k in kinks_t]
        orders = [o for o in orders if o is not None]
        jo = min(orders) if orders else None
    else:
        jo = jump_order  # type: ignore[assignment]
    if not defined and jo is None:
        jo = 0
    label = name or getattr(torch_fn or fn, "__name__", "custom")
    poly = detect_polynomial(fn) if not kinks_t and derivative is None else None
    if poly is not None:  # exact Hermite expansion; derivative from the coefficients
        da = np.polynomial.polynomial.polyder(np.asarray(poly)) if len(poly) > 1 else np.zeros(1)
        der, method, jo = (lambda z: np.polynomial.polynomial.polyval(z, da)), "polynomial", None
    return Activation(label, fn, der, kinks=kinks_t, jump_order=jo, builtin=False,
                      params={"derivative_method": method}, derivative_defined=defined,
                      hermite_poly=poly)


def activation(name_or_callable: str | Callable | Activation, **params) -> Activation:
    """Return the :class:`Activation` for a built-in name or a user callable.

    Built-ins (parameters in brackets): ``relu``, ``leaky_relu`` (slope=0.01), ``step``, ``abs``,
    ``relu_power`` (r=2), ``elu`` (alpha=1), ``selu``, ``gelu``, ``softplus``, ``sigmoid``,
    ``tanh``, ``swish`` (alias ``silu``), ``erf``, ``sin``, ``polynomial`` (coefficients
    ``(a_0, a_1, ...)``), ``monomial`` (p=2). A callable goes to :func:`from_callable`
    (keywords ``derivative``, ``kinks``, ``jump_order``, ``name``).
    """
    if isinstance(name_or_callable, Activation):
        if params:
            raise TypeError("parameters cannot be applied to an existing Activation object")
        return name_or_callable
    if callable(name_or_callable):
        return from_callable(name_or_callable, **params)
    if not isinstance(name_or_callable, str):
        raise TypeError(
            f"activation must be a name (str) or a vectorised callable; got {type(name_or_callable).__name__}"
        )
    key = name_or_callable.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _BUILTINS:
        raise ValueError(
            f"unknown activation {name_or_callable!r}; known names: {', '.join(builtin_names())}. "
            "Any vectorised callable works too: actgram.activation(my_fn, kinks=(0.0,))."
        )
    try:
        return _BUILTINS[key](**params)
    except TypeError as exc:
        raise TypeError(f"bad parameters for activation {key!r}: {exc}") from exc
