r"""Smallest eigenvalues of the infinite-width kernels with error brackets.

One entry point, :func:`smallest_eigenvalues` (and :func:`lambda_min`, its first
eigenvalue), one result type, :class:`EigenBrackets`: every eigenvalue as a bracket
``lower <= lambda <= upper``, with ``describe()`` printing a number only where the
bracket is resolved (relative width 1e-2). A dense float64 solve resolves eigenvalues
only to about :math:`\varepsilon\|M\|_2` (the *floor*); for smooth activations on
low-dimensional data the smallest eigenvalues of :math:`G^\infty` fall far below it, and
the factorisations resolve them there.

========================  =============  ==========================================
method                    kinds          private module (what the bracket rests on)
========================  =============  ==========================================
``"fourier"``             G              ``_fourier`` (2-D data, smooth built-ins)
``"spherical"``           G              ``_spherical`` (3-D data, smooth built-ins)
``"dense"``               G, K, ntk      ``_dense`` (numpy; torch with ``device``)
``"matrix-free"``         G, K, ntk      ``_matrix_free`` (LOBPCG, large n)
``"sandwich"``            K, ntk         ``_sandwich`` (through G and G_perp)
``"certified"``           G              :mod:`actgram.certify` (proofs)
========================  =============  ==========================================

``method="auto"``: for ``kind="G"``, ``"fourier"`` when the rows span 2 dimensions and
the activation is a smooth built-in, ``"spherical"`` for 3 dimensions, else ``"dense"``;
for ``"K"`` and ``"ntk"``, ``"dense"``. Rows of any norm (``rows="any"``) and a
first-layer bias (``bias_var > 0``): only ``"dense"`` in numpy (``"auto"`` picks it);
the kernel of :mod:`actgram.general_kernels`, bracketed with the radius of
``general_radius`` in ``_dense``. Pairs of points that force exact zeros
(:func:`exact_zero_pairs`, any kind) set those eigenvalues to 0 exactly.
:func:`complement_eigenvalues` brackets :math:`G_\perp`, the compression of
:math:`G^\infty` to the complement of the constant vector. To add a method: a private
module returning :class:`EigenBrackets`, one line in :data:`METHODS` and one branch in
``_dispatch``.
"""

from __future__ import annotations

import numpy as np

from .._guards import ENTRY_ERROR, EPS
from .._validate import (
    as_activation,
    as_data,
    check_choice,
    check_kind,
    check_rows,
    positive_int,
    require_derivative,
)
from . import _matrix_free, _sandwich
from ._dense import dense_brackets, dense_brackets_torch
from ._fourier import (
    circle_angles,
    fourier_brackets,
    fourier_coefficients,
    span_coordinates,
)
from ._result import EigenBrackets, ExactZero
from ._sandwich import complement_basis, complement_brackets
from ._spherical import legendre_coefficients, sphere_brackets, sphere_coordinates
from ._zeros import exact_zero_pairs, mark_zeros

__all__ = [
    "ENTRY_ERROR",
    "EPS",
    "METHODS",
    "EigenBrackets",
    "ExactZero",
    "circle_angles",
    "complement_basis",
    "complement_eigenvalues",
    "exact_zero_pairs",
    "fourier_coefficients",
    "lambda_min",
    "legendre_coefficients",
    "smallest_eigenvalues",
    "span_coordinates",
    "sphere_coordinates",
]

#: Each method and the kinds it is defined for.
METHODS = {
    "auto": ("G", "K", "ntk"),
    "fourier": ("G",),
    "spherical": ("G",),
    "dense": ("G", "K", "ntk"),
    "matrix-free": ("G", "K", "ntk"),
    "sandwich": ("K", "ntk"),
    "certified": ("G",),
}
_OPTIONS = {"matrix-free": _matrix_free.OPTIONS, "sandwich": _sandwich.OPTIONS}


def _check(method: str, kind: str, k: int, n: int, options: dict | None):
    check_choice(method, "method", tuple(METHODS))
    if kind not in METHODS[method]:
        allowed = ", ".join(repr(m) for m, ks in METHODS.items() if kind in ks)
        raise ValueError(
            f"method={method!r} is defined for kind in {METHODS[method]} only; "
            f"for kind={kind!r} use method {allowed}"
        )
    if k > n:
        raise ValueError(f"k = {k} exceeds the number of points n = {n}")
    if method == "sandwich" and k != 1:
        raise ValueError(
            "method='sandwich' brackets the smallest eigenvalue only (k = 1)"
        )
    if options and method not in _OPTIONS:
        raise ValueError(f"method={method!r} takes no options; got {sorted(options)}")
    unknown = set(options or {}) - set(_OPTIONS.get(method, {}))
    if unknown:
        raise ValueError(
            f"unknown {method} options {sorted(unknown)}; the options are "
            f"{sorted(_OPTIONS[method])}"
        )


def _check_general(method: str, device) -> None:
    """Rows of any norm or a bias: only the numpy dense solve."""
    if method not in ("auto", "dense") or device is not None:
        what = f"method={method!r}" + (f" on device={device!r}" if device else "")
        raise ValueError(
            f"{what} needs unit rows and no bias (its bracket rests on a kernel of "
            "the angle alone); for rows='any' or bias_var > 0 use method='dense' or "
            "'auto' with device=None (numpy eigvalsh of the general kernel)"
        )


def _dispatch(X, act, k, kind, method, device, options) -> EigenBrackets:
    if method == "certified":
        from ..certify import certified_brackets

        return certified_brackets(X, act, k)
    if method == "matrix-free":
        return _matrix_free.matrix_free_brackets(X, act, k, kind, device, options)
    if method == "sandwich":
        complement = bool((options or {}).get("complement", True))
        if kind == "K":
            return _sandwich.capped_k(X, act)
        return _sandwich.ntk_sandwich(X, act, complement)
    smooth = act.derivative_complex is not None
    if method in ("fourier", "spherical") and not smooth:
        raise ValueError(
            f"method={method!r} needs a smooth built-in activation, not {act.name}"
        )
    if kind == "G" and smooth and method != "dense":
        P = span_coordinates(X)
        need = {"fourier": 2, "spherical": 3}.get(method)
        if need is not None and P.shape[1] != need:
            raise ValueError(
                f"method={method!r} needs data spanning exactly "
                f"{('two', 'three')[need - 2]} dimensions"
            )
        if P.shape[1] == 2:
            return fourier_brackets(np.arctan2(P[:, 1], P[:, 0]), act, k)
        if P.shape[1] == 3:
            return sphere_brackets(P, act, k)
    if device is not None:
        return dense_brackets_torch(X, act, k, kind, device)
    return dense_brackets(X, act, k, kind)


def smallest_eigenvalues(X, act, k: int = 1, *, kind: str = "G", method: str = "auto",
                         device=None, normalize: bool = False, rows: str = "unit",
                         bias_var: float = 0.0,
                         options: dict | None = None) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of the ``kind`` kernel matrix, with brackets.

    Parameters
    ----------
    X : array_like
        (n, d) data with unit rows (``normalize=True``: the kernel of the normalised
        rows ``x / |x|``, not of the rows as given); any nonzero rows with
        ``rows="any"``.
    act : str, callable or Activation
        The activation.
    k : int
        How many of the smallest eigenvalues (``"sandwich"``: 1).
    kind : str
        ``"G"`` (hidden weights trained), ``"K"`` (output weights), ``"ntk"`` (both).
    method : str
        ``"auto"``, ``"fourier"``, ``"spherical"``, ``"dense"``, ``"matrix-free"``,
        ``"sandwich"`` or ``"certified"`` (module docstring: which kinds, what each
        bracket rests on). ``"auto"`` never picks ``"matrix-free"``, ``"sandwich"`` or
        ``"certified"`` (a proof; needs python-flint; ``certified=True`` in the result).
    device : torch device or str, optional
        Run ``"dense"`` in torch on this device (``method="dense-torch"`` in the result)
        and ``"matrix-free"`` products there (default for it: CUDA when available).
    rows : str
        ``"unit"`` (default; other rows refused) or ``"any"``: the true kernel of the
        rows as given (:func:`actgram.kernel_inf`). ``normalize=True`` with
        ``rows="any"`` is refused (they contradict each other).
    bias_var : float
        Variance of a first-layer bias (default 0; biases trained with the weights, as
        in :func:`actgram.kernel_inf`). ``rows="any"`` or ``bias_var > 0``: method
        ``"dense"`` in numpy only (``"auto"`` picks it; the others refuse); exact zeros
        from duplicates always, from antipodes only without a bias.
    options : dict, optional
        ``"matrix-free"``: ``block``, ``landmarks``, ``tol``, ``maxiter``, ``seed``;
        ``"sandwich"``: ``complement`` (default True: the sharper upper end through
        :math:`G_\perp`).

    Returns
    -------
    EigenBrackets
        Arrays of length ``k``, ascending; ``b[i]`` is eigenvalue ``i`` alone. Exact
        zeros forced by duplicate or antipodal points are 0 exactly (``exact_zeros``
        names the pairs). Costs on 2 cores: ``"fourier"`` about 5 s for the first call
        per activation, then under 1 s (n <= 200); ``"spherical"`` about 30 s at n =
        500.
    """
    act = as_activation(act)
    kind = check_kind(kind)
    bias_var = check_rows(rows, bias_var, normalize)
    general = rows == "any" or bias_var > 0
    X = as_data(X, normalize=normalize, unit=rows == "unit", allow_zero=bias_var > 0)
    k = positive_int(k, "k")
    _check(method, kind, k, X.shape[0], options)
    if general:
        _check_general(method, device)
    if kind != "K" or method == "sandwich":
        require_derivative(act, "G" if kind == "G" else "the NTK")
    if general:
        b = dense_brackets(X, act, k, kind, rows=rows, bias_var=bias_var)
    else:
        b = _dispatch(X, act, k, kind, method, device, options)
    b.kind = kind
    return mark_zeros(b, X, act, kind, rows, bias_var)


def lambda_min(X, act, *, kind: str = "G", method: str = "auto", device=None,
               normalize: bool = False, rows: str = "unit", bias_var: float = 0.0,
               options: dict | None = None) -> EigenBrackets:
    r"""The smallest eigenvalue with its bracket: ``smallest_eigenvalues(..., k=1)[0]``.

    Float fields ``value``, ``lower``, ``upper``, ``floor`` (:math:`\varepsilon\|M\|_2`,
    the resolution of a plain float64 solve), ``norm``, ``method``, ``certified``,
    ``exact_zeros`` (the pairs of points that force lambda = 0 exactly; then ``value``
    is 0 and ``describe()`` says why), ``resolved`` and ``below_floor``. ``rows`` and
    ``bias_var`` as in :func:`smallest_eigenvalues`.
    """
    return smallest_eigenvalues(
        X,
        act,
        1,
        kind=kind,
        method=method,
        device=device,
        normalize=normalize,
        rows=rows,
        bias_var=bias_var,
        options=options,
    )[0]


def complement_eigenvalues(
    X, act, k: int = 1, *, normalize: bool = False
) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of :math:`G_\perp = Q^\top G^\infty Q` with
    brackets.

    ``Q`` (n, n-1) from :func:`complement_basis`, n >= 2. Spherical factorisation for
    data spanning 3 dimensions and smooth built-ins (estimated brackets below the
    float64 floor), dense otherwise (``_sandwich``). ``normalize=True``: the matrix of
    the normalised rows. :math:`\lambda_1(G) \le \lambda_1(G_\perp) \le
    \lambda_2(G)`.
    """
    act = as_activation(act)
    require_derivative(act, "G")
    return complement_brackets(as_data(X, normalize=normalize), act, k)
