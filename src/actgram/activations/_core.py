r"""The :class:`Activation` object and the :class:`Forms` of a built-in activation.

A built-in activation is written once, as :class:`Forms`: :math:`\phi`, :math:`\phi'`
and its closed-form dual kernels, each a function of ``(xp, z)`` where ``xp`` is an
array namespace of :mod:`actgram._xp` (numpy or torch). The numpy maps ``act.fn``,
``act.derivative`` and ``act.dual`` are these forms with ``xp = NUMPY``;
:meth:`Activation.torch_forms` and :meth:`Activation.dual_form` hand the same forms to
torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .._validate import check_of
from .._xp import NUMPY, torch_ops

Array = np.ndarray
ThetaFn = Callable[[Array], Array]

INV_2PI = 1.0 / (2.0 * math.pi)


@dataclass(frozen=True)
class Forms:
    r"""One activation's formulas, written once against an array namespace ``xp``.

    ``phi(xp, z)`` and ``dphi(xp, z)`` are :math:`\phi` and :math:`\phi'`;
    ``dphi_from_phi(xp, z, p)`` is :math:`\phi'(z)` computed from ``p`` =
    :math:`\phi(z)` (the trainer has ``p`` already: one pass fewer); ``torch_via_phi``
    makes the torch :math:`\phi'` use that form even without ``p`` (tanh:
    :math:`1 - \tanh^2`, as the torch trainer always computed it); ``dphi_torch``
    overrides the torch :math:`\phi'` where the torch trainer's expression differs from
    the numpy one and both must keep their bits. ``duals`` maps ``"function"`` /
    ``"derivative"`` to :math:`\kappa(\theta)` as ``(xp, theta) -> array`` (closed forms
    only).

    Declared facts, which the kernels read instead of looking at the name (set by each
    built-in block; a user callable keeps the defaults):

    ``family``
        The registry key of the block (``"leaky_relu"``, ``"relu_power"``, ...); ``""``
        for callables. The certified route (:mod:`actgram.certify`) keys on it.
    ``homogeneous_degree``
        :math:`p` with :math:`\phi(s z) = s^p \phi(z)` for :math:`s > 0` (relu, leaky
        relu, abs: 1; step: 0; ``relu_power``: r), else None; the general-input kernels
        then scale the unit-norm dual exactly.
    ``arccos``
        ``(a, relu)`` for the arc-cosine family computed by the fused kernel: the
        negative-side slope ``a`` and whether it is the ReLU (relu ``(0, True)``, leaky
        ``(slope, False)``, abs ``(-1, False)``, step ``(nan, False)``: K only), else
        None.
    ``general_duals``
        ``"function"`` / ``"derivative"`` -> :math:`\mathbb{E}[f(u) f(v)]` for a centred
        normal pair with any covariance :math:`[[A, C], [C, B]]`, as
        ``(xp, A, B, C) -> array`` (erf, sin).
    """

    phi: Callable
    dphi: Callable
    dphi_from_phi: Callable | None = None
    torch_via_phi: bool = False
    dphi_torch: Callable | None = None
    duals: Mapping[str, Callable] = field(default_factory=dict)
    family: str = ""
    homogeneous_degree: int | None = None
    arccos: tuple[float, bool] | None = None
    general_duals: Mapping[str, Callable] = field(default_factory=dict)


def arccos_J_xp(xp, order: int, theta):
    r"""Cho and Saul's :math:`J_n(\theta)`, ``order`` n in {0, 1, 2}, in ``xp``."""
    t = xp.asarray(theta)
    if order == 0:
        return math.pi - t
    s, c = xp.sin(t), xp.cos(t)
    if order == 1:
        return s + (math.pi - t) * c
    if order == 2:
        return 3.0 * s * c + (math.pi - t) * (1.0 + 2.0 * c * c)
    raise ValueError(f"closed form J_n only for n in 0, 1, 2; got {order}")


def arccos_J(order: int, theta: Array) -> Array:
    r"""Cho and Saul's angular function :math:`J_n(\theta)`, ``order`` n in {0, 1, 2}.

    :math:`\mathbb{E}[\mathrm{relu}(u)^n\,\mathrm{relu}(v)^n] = J_n(\theta) / (2\pi)`:
    :math:`J_0 = \pi - \theta`, :math:`J_1 = \sin\theta + (\pi - \theta)\cos\theta`,
    :math:`J_2 = 3\sin\theta\cos\theta + (\pi - \theta)(1 + 2\cos^2\theta)` (float64,
    a few ulp).
    """
    return arccos_J_xp(NUMPY, order, theta)


@dataclass(frozen=True, eq=False)
class Activation:
    r"""An activation :math:`\phi` with its derivative and what is known about it.

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
        Order ``r`` of the first discontinuous derivative :math:`\phi^{(r)}` (0:
        :math:`\phi` jumps; 1: kink; ``None``: no jump, analytic).
    params : dict
        Parameters the activation was built with.
    dual : dict
        Closed-form dual kernels as numpy functions of the angle :math:`\theta`: key
        ``"function"`` for :math:`\mathbb{E}[\phi(u)\phi(v)]`, ``"derivative"`` for
        :math:`\mathbb{E}[\phi'(u)\phi'(v)]` (the ``of`` of :meth:`dual_form`).
    hermite_poly : tuple or None
        Monomial coefficients ``(a_0, a_1, ...)`` when :math:`\phi` is a polynomial
        (exact Hermite coefficients follow from them).
    derivative_defined : bool
        False when :math:`\phi'` is zero almost everywhere (the step function), so that
        the G matrix of the trained first layer is not defined.
    derivative_complex : callable or None
        :math:`\phi'` continued to complex arguments (smooth built-ins only); used by
        :mod:`actgram.spectra` to compute tiny Fourier coefficients with relative
        accuracy.
    pole_distance : float or None
        Distance from the real axis of the nearest singularity of :math:`\phi'`
        (``inf`` for entire functions); set together with ``derivative_complex``.
    derivative_symmetry : {"even", "const+odd"} or None
        Exact symmetry of :math:`\phi'`: even (tanh, sigmoid, erf, sin), or a constant
        plus an odd function (softplus, swish, GELU). It makes half of the circular
        Fourier coefficients of the kernel vanish exactly, which :mod:`actgram.spectra`
        uses.
    forms : Forms or None
        The formulas written once against an array namespace (built-ins and detected
        polynomials); :meth:`torch_forms` and :meth:`dual_form` take them from here,
        and so do the declared facts :attr:`family`, :attr:`homogeneous_degree`,
        :attr:`arccos` and :meth:`general_dual` (see :class:`Forms`): the kernels route
        on these, never on ``name``.
    torch_fn : callable or None
        The user's own torch function (a callable written with torch operations).
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
    forms: Forms | None = field(default=None, repr=False)
    torch_fn: Callable | None = field(default=None, repr=False)

    @property
    def smooth(self) -> bool:
        """True when no derivative jumps (``jump_order is None``)."""
        return self.jump_order is None

    def __call__(self, z):
        return self.fn(np.asarray(z, dtype=np.float64))

    def __repr__(self) -> str:
        if self.jump_order is None:
            kind = "analytic"
        else:
            kind = f"jump in derivative {self.jump_order}"
        return f"Activation({self.name}: {kind}, kinks={list(self.kinks)})"

    @property
    def key(self) -> tuple:
        """Hashable identity used to cache numerical kernels of built-in activations."""
        if self.builtin:
            return (self.name,)
        return ("callable", id(self))

    @property
    def family(self) -> str:
        """The block's registry key (``Forms.family``); ``""`` for a callable."""
        return self.forms.family if self.forms is not None else ""

    @property
    def homogeneous_degree(self) -> int | None:
        r"""p with :math:`\phi(s z) = s^p \phi(z)`, s > 0, as declared; else None."""
        return self.forms.homogeneous_degree if self.forms is not None else None

    @property
    def arccos(self) -> tuple[float, bool] | None:
        """``(negative-side slope, is ReLU)`` of the arc-cosine family, or None."""
        return self.forms.arccos if self.forms is not None else None

    def general_dual(self, of: str, xp=NUMPY) -> Callable | None:
        r"""The closed form for any covariance :math:`[[A, C], [C, B]]`, or None.

        ``(A, B, C) -> array`` in namespace ``xp``: :math:`\mathbb{E}[f(u) f(v)]`,
        f = :math:`\phi` (``of="function"``) or :math:`\phi'` (``"derivative"``).
        """
        of = check_of(of)
        if self.forms is None or of not in self.forms.general_duals:
            return None
        form = self.forms.general_duals[of]
        return lambda A, B, C: form(xp, A, B, C)

    def dual_form(self, of: str, xp=NUMPY) -> ThetaFn | None:
        r"""The closed form :math:`\kappa(\theta)` in namespace ``xp``, or None.

        ``of="function"``: :math:`\mathbb{E}[\phi(u)\phi(v)]`; ``of="derivative"``:
        :math:`\mathbb{E}[\phi'(u)\phi'(v)]`, :math:`(u, v)` standard normal with
        correlation :math:`\cos\theta`. ``xp`` is :data:`actgram._xp.NUMPY` (the result
        is ``act.dual`` bit for bit) or :func:`actgram._xp.torch_ops` (the same
        expression on tensors; agrees with numpy to a few ulp). None when the activation
        has no closed form for ``of`` (the kernels then integrate numerically).
        """
        of = check_of(of)
        if self.forms is not None and of in self.forms.duals:
            form = self.forms.duals[of]
            return lambda theta: form(xp, theta)
        if xp is NUMPY and of in self.dual:  # an Activation built with numpy duals
            return self.dual[of]
        return None

    def torch_forms(self) -> tuple[Callable, Callable]:
        r"""``(phi, dphi)`` acting on torch tensors (any dtype and device).

        ``dphi(z, p=None)``: :math:`\phi'(z)`; ``p``, if given, is :math:`\phi(z)`
        already computed, and activations whose :math:`\phi'` is an expression in
        :math:`\phi` reuse it (tanh :math:`1 - p^2`, sigmoid :math:`p(1 - p)`, relu
        :math:`p > 0`, ELU/SELU for :math:`z \le 0`: :math:`p + \alpha` (times the
        scale)). Built-ins: their :class:`Forms` in torch (numpy and torch agree to a
        few ulp); a user torch function: itself, with autograd for :math:`\phi'`; a
        polynomial callable: Horner in torch. A numpy-only callable raises ValueError.
        """
        if self.forms is None or self.torch_fn is not None:
            from ._callables import callable_torch_forms

            return callable_torch_forms(self)
        return forms_in(self.forms, torch_ops())


def forms_in(forms: Forms, xp) -> tuple[Callable, Callable]:
    """``(phi, dphi(z, p=None))`` of ``forms`` in namespace ``xp`` (see torch_forms)."""
    f = forms

    def phi(z):
        return f.phi(xp, z)

    base = f.dphi if f.dphi_torch is None or xp is NUMPY else f.dphi_torch
    if f.dphi_from_phi is None:
        def dphi(z, p=None):
            return base(xp, z)
    elif f.torch_via_phi and xp is not NUMPY:
        def dphi(z, p=None):
            return f.dphi_from_phi(xp, z, phi(z) if p is None else p)
    else:
        def dphi(z, p=None):
            return base(xp, z) if p is None else f.dphi_from_phi(xp, z, p)
    return phi, dphi


def whole_number(value) -> bool:
    """True for a non-negative integer (int or integral float; not bool or text)."""
    return (not isinstance(value, bool)
            and isinstance(value, (int, float, np.integer, np.floating))
            and float(value).is_integer() and value >= 0)


def builtin(name: str, forms: Forms, *, complex_derivative: bool = False,
            **kw) -> Activation:
    """The built-in :class:`Activation` whose numpy maps are ``forms`` with ``NUMPY``.

    ``complex_derivative=True``: the numpy phi' also serves complex arguments
    (``derivative_complex``).
    """
    def fn(z):
        return forms.phi(NUMPY, z)

    def derivative(z):
        return forms.dphi(NUMPY, z)

    dual = {of: _numpy_dual(form) for of, form in forms.duals.items()}
    if complex_derivative:
        kw["derivative_complex"] = derivative
    return Activation(name, fn, derivative, dual=dual, forms=forms, **kw)


def _numpy_dual(form: Callable) -> ThetaFn:
    def kappa(theta):
        return form(NUMPY, theta)

    return kappa
