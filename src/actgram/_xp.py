r"""One set of array functions for numpy and torch, so each formula is written once.

An activation's :math:`\phi`, :math:`\phi'` and closed-form dual kernels are written as
functions of ``(xp, z)``; ``xp`` is :data:`NUMPY` (numpy/scipy ops on float64 arrays)
or :func:`torch_ops` (torch ops on tensors of any dtype and device). Every name maps to
the backend's native operation, so a numpy form is bit-identical to the expression it
replaced (``NUMPY.relu(z)`` is ``np.maximum(z, 0.0)``) and a torch form to the torch one
(``torch_ops().relu`` is ``torch.relu``). Numpy and torch results of the same form
agree to a few ulp (each library's own ``exp``, ``tanh``, ...).

Names: ``where, exp, expm1, tanh, cosh, sinh, sin, cos, sqrt, abs, arcsin, arccos, erf,
erfc, ndtr, expit, relu, softplus, minimum0`` (``min(z, 0)``), ``indicator(cond,
like)`` (a boolean array as floats of ``like``'s type), ``ones_like``, ``zeros_like``,
``asarray`` (float64 for numpy, identity for torch), ``pi`` and ``name``.
"""

from __future__ import annotations

import math
import sys
from types import SimpleNamespace

import numpy as np
from scipy import special

# name: (the numpy / scipy op, the torch op's attribute path), each backend's native op
_OPS = {
    **{op: (getattr(np, op), op) for op in (
        "where", "exp", "expm1", "tanh", "cosh", "sinh", "sin", "cos", "sqrt", "abs")},
    "arcsin": (np.arcsin, "asin"),
    "arccos": (np.arccos, "acos"),
    "erf": (special.erf, "erf"),
    "erfc": (special.erfc, "erfc"),
    "expit": (special.expit, "sigmoid"),
    "relu": (lambda z: np.maximum(z, 0.0), "relu"),
    "softplus": (lambda z: np.logaddexp(0.0, z), "nn.functional.softplus"),
    "ones_like": (lambda z: np.ones_like(z, dtype=np.float64), "ones_like"),
    "zeros_like": (lambda z: np.zeros_like(z, dtype=np.float64), "zeros_like"),
}

#: numpy / scipy forms (float64).
NUMPY = SimpleNamespace(
    name="numpy",
    pi=math.pi,
    **{name: op for name, (op, _) in _OPS.items()},
    ndtr=special.ndtr,
    minimum0=lambda z: np.minimum(z, 0.0),
    indicator=lambda cond, like: cond.astype(np.float64),
    asarray=lambda z: np.asarray(z, dtype=np.float64),
)

_TORCH: list = []


def _torch_attr(torch, path: str):
    obj = torch
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def torch_ops() -> SimpleNamespace:
    """The torch namespace (built on first use; importing torch costs seconds).

    ``ndtr`` is ``0.5 * erfc(-z / sqrt(2))`` and ``softplus`` is
    ``torch.nn.functional.softplus`` (it returns ``z`` itself above ``z = 20``, where
    numpy's ``logaddexp(0, z)`` adds ``log1p(exp(-z)) < 2.1e-9``: relative difference
    below 1e-10), exactly as the trainer computed them before the activations held their
    forms.
    """
    if not _TORCH:
        import torch

        _TORCH.append(SimpleNamespace(
            name="torch",
            pi=math.pi,
            **{name: _torch_attr(torch, path) for name, (_, path) in _OPS.items()},
            ndtr=lambda z: 0.5 * torch.erfc(-z / math.sqrt(2.0)),
            minimum0=lambda z: torch.clamp(z, max=0.0),
            indicator=lambda cond, like: cond.to(like.dtype),
            asarray=lambda z: z,
        ))
    return _TORCH[0]


def namespace(z) -> SimpleNamespace:
    """:func:`torch_ops` for a torch tensor, :data:`NUMPY` for anything else.

    Does not import torch: a tensor can only exist once the caller has imported it.
    """
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(z, torch.Tensor):
        return torch_ops()
    return NUMPY
