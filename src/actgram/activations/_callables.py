r"""User callables as activations: derivative choice, polynomial detection, jump order.

:func:`from_callable` wraps a vectorised numpy function or a torch function; its
derivative comes from :func:`choose_derivative` (complex step, torch autograd or finite
differences), its kinks are classified by :func:`estimate_jump_order`, and a polynomial
is recognised by :func:`detect_polynomial` (exact kernels from its Hermite expansion,
Horner in torch). :func:`callable_torch_forms` gives training and the torch kernels
their torch forms, or says what to pass instead.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .._xp import NUMPY, torch_ops
from ._core import Activation, forms_in
from ._polynomial import polynomial_forms

Array = np.ndarray

_CS_STEP = 1e-20
# probe points for choosing and verifying a derivative (away from 0 and the integers)
_DER_PROBE = np.linspace(-3.7, 3.3, 36) + 0.01234


def _check_vectorised(f: Callable, label: str) -> None:
    probe = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    try:
        out = f(probe)
    except Exception as exc:  # the user's code: report what it did
        raise TypeError(
            f"the {label} raised {type(exc).__name__}: {exc} when called on a numpy "
            "array of shape (3, 4). Activations must be vectorised (array in, array of "
            "the same shape out); write it with numpy functions (np.where, np.exp, "
            "...) or wrap it with np.vectorize (slow)."
        ) from exc
    out = np.asarray(out)
    if out.shape != probe.shape:
        raise TypeError(
            f"the {label} returned shape {out.shape} for an input of shape (3, 4); it "
            "must act elementwise and return an array of the same shape (is it "
            "reducing or not vectorised?)"
        )
    if not np.all(np.isfinite(out.astype(np.float64))):
        raise ValueError(
            f"the {label} returned non-finite values on [-2, 2]; it must be finite")


def _numerical_derivative(f: Callable, kinks: tuple[float, ...],
                          h: float = 1e-3) -> Callable:
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
        out = sum(w * np.asarray(f(z + k * h), dtype=np.float64)
                  for w, k in zip(cw, co, strict=True)) / h
        if kinks_arr.size:
            dist = z[..., None] - kinks_arr
            near = np.abs(dist) < 3.5 * h
            if np.any(near):
                # side: +1 if z is right of its nearest kink, -1 if left
                j = np.argmin(np.abs(dist), axis=-1)
                nearest = np.take_along_axis(dist, j[..., None], -1)[..., 0]
                side = np.where(nearest >= 0, 1.0, -1.0)
                mask = np.any(near, axis=-1)
                zs, ss = z[mask], side[mask]
                one = sum(w * np.asarray(f(zs + ss * k * h), dtype=np.float64)
                          for w, k in zip(fw, fo, strict=True))
                out = np.array(out, dtype=np.float64)
                out[mask] = ss * one / h
        return out

    return der


def estimate_jump_order(f: Callable, kink: float, max_order: int = 4,
                        h: float = 0.02) -> int | None:
    """Estimate the order of the first derivative of ``f`` that jumps at ``kink``.

    Fits a degree-``max_order + 3`` polynomial to ``f`` on each side of the point
    (points ``kink +- h * (1..16)``) and compares the one-sided Taylor coefficients
    ``j! a_j``. A jump of order ``j`` is reported only if the one-sided difference
    exceeds ``1e-5 * (1 + |value|)`` *and* is reproduced within 10 % with the step
    halved: a real jump does not depend on ``h``, while the fitting error of a
    fast-varying analytic function does (without this check tanh, GELU, sigmoid and erf
    showed spurious kinks at 0). Returns ``None`` when none of the orders
    ``0..max_order`` jumps.
    """
    deg = max_order + 3
    fit = np.polynomial.polynomial.polyfit
    diffs = []
    for step in (h, h / 2):
        t = step * np.arange(1, 17, dtype=np.float64)
        left = fit(-t, np.asarray(f(kink - t), dtype=np.float64), deg)
        right = fit(t, np.asarray(f(kink + t), dtype=np.float64), deg)
        fac = np.array([math.factorial(j) for j in range(max_order + 1)],
                       dtype=np.float64)
        lj, rj = left[: max_order + 1] * fac, right[: max_order + 1] * fac
        diffs.append((rj - lj, np.maximum(np.abs(lj), np.abs(rj))))
    (d1, m1), (d2, _) = diffs
    for j in range(max_order + 1):
        big = abs(d1[j]) > 1e-5 * (1.0 + m1[j]) and abs(d2[j]) > 1e-5 * (1.0 + m1[j])
        if big and abs(d1[j] - d2[j]) <= 0.1 * max(abs(d1[j]), abs(d2[j])):
            return j
    return None


def _torch_module():
    """The torch module if the user has imported it (importing it costs seconds)."""
    return sys.modules.get("torch")


def _torch_wrap(fn: Callable) -> Callable | None:
    """``fn`` as a numpy map if it is a torch function (takes a tensor), else None."""
    torch = _torch_module()
    if torch is None:
        return None
    try:
        fn(_DER_PROBE.copy())
        return None  # works on numpy arrays: treat it as a numpy function
    except Exception:
        pass
    if not _is_torch_function(fn):
        return None

    def f_np(z):
        if np.iscomplexobj(z):
            raise TypeError("the torch callable is used with real arguments only")
        z = np.asarray(z, dtype=np.float64)
        with torch.no_grad():
            return fn(torch.from_numpy(np.ascontiguousarray(z))).double().numpy()

    return f_np


def _is_torch_function(fn: Callable, autograd: bool = False) -> bool:
    """True when ``fn`` maps a float64 tensor to a tensor of the same shape.

    ``autograd=True`` also asks that the result carry a gradient (torch operations):
    numpy ufuncs hand a tensor back too (``__array_wrap__``) but compute on the host and
    refuse a tensor that requires grad.
    """
    torch = _torch_module()
    z = torch.from_numpy(_DER_PROBE.copy())
    try:
        with warnings.catch_warnings(), torch.enable_grad():
            # numpy code handed a tensor may warn before failing
            warnings.simplefilter("ignore")
            out = fn(z.requires_grad_(True) if autograd else z)
    except Exception:  # not a torch function
        return False
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != _DER_PROBE.shape:
        return False
    return out.requires_grad or not autograd


def _complex_step(fn: Callable) -> Callable:
    def der(z):
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.imag(fn(z + 1j * _CS_STEP)) / _CS_STEP

    return der


def _autograd(fn: Callable, z):
    """d fn / dz elementwise by torch autograd (also inside ``torch.no_grad()``)."""
    torch = _torch_module()
    with torch.enable_grad():
        t = z.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(fn(t).sum(), t)
    return g


def _torch_derivative(fn: Callable) -> Callable:
    torch = _torch_module()

    def der(z):
        z = np.asarray(z, dtype=np.float64)
        return _autograd(fn, torch.from_numpy(np.ascontiguousarray(z).copy())).numpy()

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

    In order: *complex step* :math:`\phi'(z) = \mathrm{Im}\,\phi(z + ih)/h`,
    ``h = 1e-20``, when ``fn`` accepts complex arrays and the result agrees with finite
    differences at 36 probe points (so a callable that drops the imaginary part, or is
    not analytic, such as ``np.abs`` or ``np.sign``, is not trusted); *torch autograd*
    when ``torch_fn`` (the callable as a torch function) is given; else sixth-order
    *central finite differences* (:func:`_numerical_derivative`). ``defined`` is False
    when the finite differences vanish (to rounding) at every probe point while ``fn``
    is not constant (a step-like callable: derivative zero almost everywhere, no G
    matrix).

    Accuracy (measured on tanh, erf(4z), exp(3z), z^6 polynomials, ABReLU, against
    analytic derivatives): complex step about 1 ulp relative (no cancellation); autograd
    about 1 ulp; finite differences about 1e-10 relative (truncation
    ``h^6 phi^(7) / 140`` with ``h = 1e-3`` plus rounding ``~2e-13 |phi|``).
    """
    fd_der = _numerical_derivative(fn, kinks)
    probe = _DER_PROBE
    if kinks:
        gap = np.min(np.abs(probe[:, None] - np.asarray(kinks)[None, :]), axis=1)
        probe = probe[gap > 0.05]
    with np.errstate(all="ignore"):
        fd = np.asarray(fd_der(probe), dtype=np.float64)
        vals = np.asarray(fn(probe), dtype=np.float64)
    if np.ptp(vals) > 0 and np.all(np.abs(fd) <= 1e-12 * np.max(np.abs(vals))):
        return fd_der, "finite differences", False
    keep = np.isin(_DER_PROBE, probe)
    cs = _complex_step(fn)
    if _agrees(lambda z: cs(z)[keep], fd):
        return cs, "complex step", True
    if torch_fn is not None:
        td = _torch_derivative(torch_fn)
        if _agrees(lambda z: td(z)[keep], fd):
            return td, "torch autograd", True
    return fd_der, "finite differences", True


def detect_polynomial(fn: Callable, max_degree: int = 16) -> tuple[float, ...] | None:
    """Monomial coefficients of ``fn`` if it is a polynomial of degree <= max_degree.

    Interpolates ``fn`` at 33 Chebyshev points of [-2, 2]; if the Chebyshev coefficients
    above some degree vanish (below 1e-14 of the largest) and the interpolant reproduces
    ``fn`` to 1e-11 relative at 24 other points of [-10, 10], the exact Hermite
    expansion replaces quadrature (the kernel is then a polynomial in rho).
    """
    cheb, poly = np.polynomial.chebyshev, np.polynomial.polynomial
    n = 33
    s = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(fn(2.0 * s), dtype=np.float64)
        except Exception:
            return None
    if y.shape != s.shape or not np.all(np.isfinite(y)):
        return None
    c = cheb.chebfit(s, y, n - 1)
    big = np.nonzero(np.abs(c) > 1e-14 * max(np.max(np.abs(c)), 1e-300))[0]
    deg = int(big.max()) if big.size else 0
    if deg > max_degree:
        return None
    c = cheb.chebfit(s, y, deg)
    b = cheb.cheb2poly(c)
    b[np.abs(b) < 1e-13 * np.max(np.abs(b))] = 0.0  # rounding noise of the fit
    a = b / 2.0 ** np.arange(b.size)
    zt = np.linspace(-10.0, 10.0, 24) + 0.0317
    with np.errstate(all="ignore"):
        yt = np.asarray(fn(zt), dtype=np.float64)
    pt = poly.polyval(zt, a)
    scale = poly.polyval(np.abs(zt), np.abs(a))
    if not np.all(np.abs(yt - pt) <= 1e-11 * np.maximum(scale, 1.0)):
        return None
    return tuple(a.tolist())


def _jump_order(fn: Callable, kinks: tuple[float, ...], jump_order) -> int | None:
    if jump_order != "estimate":
        return jump_order
    orders = [estimate_jump_order(fn, k) for k in kinks]
    orders = [o for o in orders if o is not None]
    return min(orders) if orders else None


def from_callable(
    fn: Callable[[Array], Array],
    *,
    derivative: Callable[[Array], Array] | None = None,
    kinks: Sequence[float] = (),
    jump_order: int | None | str = "estimate",
    name: str | None = None,
) -> Activation:
    """Wrap a vectorised user function (numpy or torch) as an :class:`Activation`.

    ``derivative`` defaults to :func:`choose_derivative`: complex step where ``fn``
    accepts complex input (exact to about 1 ulp), torch autograd where ``fn`` is a torch
    function (about 1 ulp), sixth-order finite differences otherwise (one-sided within
    ``3.5e-3`` of a declared kink; about 1e-10 relative for smooth pieces);
    ``params["derivative_method"]`` says which. A callable whose derivative vanishes
    almost everywhere (``np.sign``, steps) gets ``derivative_defined=False``: its G
    matrix is refused as for the built-in step. ``jump_order="estimate"`` classifies
    each declared kink with :func:`estimate_jump_order`. Kinks at 0 need not be declared
    for the kernels (the polar rule splits there anyway). Torch forms
    (:meth:`Activation.torch_forms`): a torch function is its own (autograd for phi'), a
    polynomial gets Horner's rule.
    """
    if not callable(fn):
        raise TypeError(
            f"activation must be a name or a callable; got {type(fn).__name__}")
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
    jo = _jump_order(fn, kinks_t, jump_order)
    if not defined and jo is None:
        jo = 0
    label = name or getattr(torch_fn or fn, "__name__", "custom")
    poly = detect_polynomial(fn) if not kinks_t and derivative is None else None
    forms = None
    if poly is not None:  # exact Hermite expansion; derivative from the coefficients
        forms = polynomial_forms(poly)
        dphi = forms.dphi
        der, method, jo = (lambda z: dphi(NUMPY, z)), "polynomial", None
    return Activation(label, fn, der, kinks=kinks_t, jump_order=jo, builtin=False,
                      params={"derivative_method": method}, derivative_defined=defined,
                      hermite_poly=poly, forms=forms, torch_fn=torch_fn)


def callable_torch_forms(act: Activation) -> tuple[Callable, Callable]:
    """``(phi, dphi(z, p=None))`` on tensors for a user callable, or a clear error.

    The user's torch function with autograd for phi' (``p`` is not needed); a polynomial
    by Horner's rule; a callable that also maps tensors to tensors (written with
    operators only) is used as it is. Otherwise ValueError: the callable is numpy only.
    """
    fn = act.torch_fn
    if fn is None and act.forms is not None:
        return forms_in(act.forms, torch_ops())
    if fn is None and act.fn is not None and _torch_module() is not None:
        fn = act.fn if _is_torch_function(act.fn, autograd=True) else None
    if fn is None:
        raise ValueError(
            f"{act.name} is a numpy callable; training and the torch kernels need a "
            "torch form: pass a function written with torch operations (e.g. lambda z: "
            "torch.tanh(2 * z)), or a built-in name "
            "(actgram.activations.builtin_names())"
        )

    def dphi(z, p=None):
        return _autograd(fn, z)

    return fn, dphi
