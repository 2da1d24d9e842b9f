"""The built-in activations by name, and :func:`activation`, the one way to get one."""

from __future__ import annotations

from collections.abc import Callable

from ._callables import from_callable
from ._core import Activation
from ._piecewise import PIECEWISE
from ._polynomial import POLYNOMIAL
from ._smooth import SMOOTH

_BUILTINS: dict[str, Callable[..., Activation]] = {**PIECEWISE, **SMOOTH, **POLYNOMIAL}
_ALIASES = {"silu": "swish", "leakyrelu": "leaky_relu", "identity": "polynomial"}


def builtin_names() -> list[str]:
    """Names accepted by :func:`activation` (aliases included)."""
    return sorted(list(_BUILTINS) + list(_ALIASES))


def activation(name_or_callable: str | Callable | Activation, **params) -> Activation:
    """Return the :class:`Activation` for a built-in name or a user callable.

    Built-ins (parameters in brackets): ``relu``, ``leaky_relu`` (slope=0.01), ``step``,
    ``abs``, ``relu_power`` (r=2), ``elu`` (alpha=1), ``selu``, ``gelu``, ``softplus``,
    ``sigmoid``, ``tanh``, ``swish`` (alias ``silu``), ``erf``, ``sin``, ``polynomial``
    (coefficients ``(a_0, a_1, ...)``), ``monomial`` (p=2). A callable goes to
    :func:`from_callable` (keywords ``derivative``, ``kinks``, ``jump_order``,
    ``name``).
    """
    if isinstance(name_or_callable, Activation):
        if params:
            raise TypeError(
                "parameters cannot be applied to an existing Activation object")
        return name_or_callable
    if callable(name_or_callable):
        return from_callable(name_or_callable, **params)
    if not isinstance(name_or_callable, str):
        raise TypeError(
            "activation must be a name (str) or a vectorised callable; got "
            f"{type(name_or_callable).__name__}"
        )
    key = name_or_callable.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _BUILTINS:
        raise ValueError(
            f"unknown activation {name_or_callable!r}; known names: "
            f"{', '.join(builtin_names())}. Any vectorised callable works too: "
            "actgram.activation(my_fn, kinks=(0.0,))."
        )
    try:
        return _BUILTINS[key](**params)
    except TypeError as exc:
        raise TypeError(f"bad parameters for activation {key!r}: {exc}") from exc
