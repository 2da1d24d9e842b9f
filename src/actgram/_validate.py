"""Input checks at the public boundary.

Every public function of ``actgram`` passes its arguments through these helpers, which
raise :class:`ValueError` / :class:`TypeError` with a message that says what was wrong and what
to do. Inside the package the arrays are then trusted.
"""

from __future__ import annotations

import numpy as np

#: Rows whose norm differs from one by at most this much are renormalised silently
#: (round-off from the caller's own normalisation); larger deviations are refused.
UNIT_NORM_TOL = 1e-8

#: Matrices larger than this many bytes are refused before allocation.
MAX_MATRIX_BYTES = 8 * 2**30


def as_data(X, *, name: str = "X", normalize: bool = False, unit: bool = True,
            allow_zero: bool = False) -> np.ndarray:
    """Return ``X`` as a C-contiguous float64 array of shape ``(n, d)`` with unit rows.

    Refuses 1-D input, empty data, NaN/inf and rows that are not of unit norm (unless
    ``normalize=True``, which divides every row by its norm; zero rows are refused either way).
    With ``unit=False`` rows of any norm are returned as they are (zero rows only with
    ``allow_zero=True``).
    """
    A = as_real_array(X, name, "a numeric array of shape (n, d)")
    if A.ndim == 1:
        raise ValueError(
            f"{name} is 1-D with shape {A.shape}; data must be 2-D, one point per row, shape (n, d). "
            f"For a single point use {name}.reshape(1, -1); for n scalars use {name}.reshape(-1, 1)."
        )
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n, d); got {A.ndim}-D shape {A.shape}")
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {A.shape}); it needs at least one row and one column")
    if not np.all(np.isfinite(A)):
        bad = np.argwhere(~np.isfinite(A))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}); clean the data first"
        )
    norms = np.linalg.norm(A, axis=1)
    if not unit and allow_zero:
        return np.ascontiguousarray(A)
    if np.any(norms == 0):
        i = int(np.argmin(norms))
        raise ValueError(f"row {i} of {name} is zero; a zero vector has no direction and cannot be normalised"
                         + ("" if unit else " (with bias_var > 0 zero rows are allowed)"))
    if not unit:
        return np.ascontiguousarray(A)
    dev = np.abs(norms - 1.0)
    if normalize or dev.max() <= UNIT_NORM_TOL:
        return np.ascontiguousarray(A / norms[:, None])
    i = int(np.argmax(dev))
    raise ValueError(
        f"rows of {name} must have unit norm: the Gram matrices are defined for inputs on the sphere, "
        f"but row {i} has norm {norms[i]:.6g} (norms range over [{norms.min():.6g}, {norms.max():.6g}]). "
        "Normalise first (actgram.data.normalize_rows(X)) or pass normalize=True (the kernel of "
        "the normalised rows), or rows='any' for the kernel of the rows as they are."
    )


def as_real_array(value, name: str, what: str = "a real numeric array") -> np.ndarray:
    """Return ``value`` as a float64 array; refuse complex and non-numeric input with a clear message.

    ``np.asarray(z, dtype=float64)`` would silently drop the imaginary part of complex input
    (only a ``ComplexWarning``) and raises a bare "could not convert string to float" for text.
    """
    def refuse(exc):
        return TypeError(
            f"{name} must be {what}; got {type(value).__name__} that does not convert to float64 ({exc})"
        )

    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
        raise refuse(exc) from exc
    if np.iscomplexobj(raw):
        raise TypeError(
            f"{name} is complex (dtype {raw.dtype}); it must be {what} of real numbers. "
            f"Pass {name}.real if the imaginary part is meant to be zero."
        )
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:  # text, objects
        raise refuse(exc) from exc


def real_scalar(value, name: str, *, positive: bool = False) -> float:
    """Return ``value`` as a finite Python float (``bool`` and text refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {value!r} of type {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{name} must be a {'positive ' if positive else ''}finite number; got {value!r}")
    return v


def check_matrix_size(n: int, n2: int | None = None, *, copies: int = 3, what: str = "matrix") -> None:
    """Refuse an ``n x n2`` float64 matrix computation whose working memory exceeds the limit."""
    n2 = n if n2 is None else n2
    need = 8 * n * n2 * copies
    if need > MAX_MATRIX_BYTES:
        raise MemoryError(
            f"the {n} x {n2} {what} needs about {need / 2**30:.1f} GiB of working memory "
            f"(limit {MAX_MATRIX_BYTES / 2**30:.0f} GiB); use fewer points, or compute blocks "
            "with actgram.kernel_inf(X[rows], act, Y=X) and reduce them as you go"
        )


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum`` or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None,
                shape: tuple[int | None, ...] | None = None, finite: bool = True,
                nonneg: bool = False, min_size: int = 0, what: str | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array after the checks asked for, or raise a clear error.

    ``ndim`` (an int or a tuple of allowed ones), ``shape`` (``None`` entries match any
    length), ``finite`` (no NaN/inf), ``nonneg`` (no negative entry), ``min_size`` (at least
    that many entries). ``what`` describes the expected input in messages (default from
    ``shape``/``ndim``). The one array checker of the package (scikit-learn's ``check_array``
    habit): every message names the argument, what it got and what it must be.
    """
    if what is None:
        if shape is not None:
            what = "an array of shape (" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        elif ndim is not None:
            what = f"a {ndim}-D real array" if isinstance(ndim, int) else "a real array"
        else:
            what = "a real numeric array"
    A = as_real_array(value, name, what)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if shape is not None:
        dims = (len(shape),)
    if dims is not None and A.ndim not in dims:
        raise ValueError(f"{name} must be {what}; got a {A.ndim}-D array of shape {A.shape}")
    if shape is not None:
        for axis, (got, want) in enumerate(zip(A.shape, shape, strict=True)):
            if want is not None and got != want:
                raise ValueError(f"{name} must be {what}; got shape {A.shape} (axis {axis} has "
                                 f"length {got}, expected {want})")
    if A.size < min_size:
        need = "an entry" if min_size == 1 else f"{min_size} entries"
        raise ValueError(f"{name} must have at least {need}; got {A.size} (shape {A.shape})")
    if finite and not np.all(np.isfinite(A)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(A))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}); it must be finite")
    if nonneg and np.any(A < 0):
        raise ValueError(f"{name} must be non-negative; its smallest entry is {A.min():.3g}")
    return A


def check_choice(value, name: str, choices: tuple[str, ...], meaning: str = ""):
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        extra = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name} must be one of {listed}{extra}; got {value!r}")
    return value


#: The values of ``kind``, the kernel matrix and nothing else. ``G`` when the hidden weights
#: are trained, (x.y) E[phi'(u)phi'(v)]; ``K`` when the output weights are trained,
#: E[phi(u)phi(v)]; ``ntk`` when both are, G + K.
KINDS = ("G", "K", "ntk")
KIND_MEANING = "G: hidden weights trained, K: output weights trained, ntk: both"
#: The values of ``of``, phi (``function``) or phi' (``derivative``) and nothing else.
OFS = ("function", "derivative")


def check_kind(kind, kinds: tuple[str, ...] = KINDS) -> str:
    """Validate ``kind`` (which kernel matrix; see :data:`KINDS`)."""
    return check_choice(kind, "kind", kinds, KIND_MEANING)


def check_of(of) -> str:
    """Validate ``of`` (``"function"`` for phi, ``"derivative"`` for phi')."""
    return check_choice(of, "of", OFS, "phi or phi'")


def check_rows(rows, bias_var, normalize: bool) -> float:
    """Validate ``rows`` (``"unit"`` or ``"any"``) and ``bias_var`` (a variance, >= 0) for the
    kernels of rows of any norm with a first-layer bias; return the variance as a float.
    ``normalize=True`` with ``rows="any"`` is refused (the kernel of the normalised rows
    against the kernel of the rows as given)."""
    check_choice(rows, "rows", ("unit", "any"))
    bias_var = real_scalar(bias_var, "bias_var")
    if bias_var < 0:
        raise ValueError(f"bias_var is a variance and must be >= 0; got {bias_var}")
    if normalize and rows == "any":
        raise ValueError(
            "normalize=True (the kernel of the normalised rows) and rows='any' (the "
            "kernel of the rows as given) contradict each other; choose one"
        )
    return bias_var


def as_activation(act):
    """The :class:`actgram.Activation` for a name, callable or Activation (one coercion)."""
    from .activations import Activation, activation

    return act if isinstance(act, Activation) else activation(act)


#: What to do instead when a kernel needs phi' (the default advice).
KERNEL_ADVICE = ("Use kind='K' for its random-features kernel, or the ReLU, whose derivative "
                 "is the step.")
#: What to do instead when training needs phi'.
TRAINING_ADVICE = ("Train it by the convex program of actgram.companions.threshold or with a "
                   "straight-through estimator (threshold.train_ste), or use the ReLU, whose "
                   "derivative is the step.")


def require_derivative(act, what: str = "G", advice: str = KERNEL_ADVICE) -> None:
    """Refuse, in one wording, anything that needs phi' when phi' is zero almost everywhere.

    ``what`` names the object that needs phi' (``"G"``, ``"the NTK"``, ``"training"``, ...);
    ``advice`` says what to do instead (:data:`KERNEL_ADVICE` or :data:`TRAINING_ADVICE`).
    """
    if not act.derivative_defined:
        raise ValueError(
            f"{act.name} has derivative zero almost everywhere, so {what} (which needs phi') is "
            f"not defined: gradient descent cannot move weights through it. {advice}"
        )
