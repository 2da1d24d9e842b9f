"""Lazy access to python-flint (the optional ``certify`` extra) and small ball helpers."""

from __future__ import annotations

import contextlib
import math

import numpy as np


def require():
    """Return the ``flint`` module, or raise an ImportError that says how to install it."""
    try:
        import flint
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching in the tests
        raise ImportError(
            "method='certified' needs python-flint (ball arithmetic): "
            "pip install 'actgram[certify]' or pip install python-flint"
        ) from exc
    return flint


@contextlib.contextmanager
def working_precision(bits: int):
    """Set python-flint's working precision to ``bits`` inside the block."""
    ctx = require().ctx
    old = ctx.prec
    ctx.prec = int(bits)
    try:
        yield
    finally:
        ctx.prec = old


def float_down(x) -> float:
    """The largest float64 that is <= the exact arb point ``x`` (a lower endpoint)."""
    arb = require().arb
    f = float(x)
    if not math.isfinite(f):
        return -math.inf if f < 0 or math.isnan(f) else f
    if arb(f) > x:
        f = float(np.nextafter(f, -np.inf))
    return f


def float_up(x) -> float:
    """The smallest float64 that is >= the exact arb point ``x`` (an upper endpoint)."""
    arb = require().arb
    f = float(x)
    if not math.isfinite(f):
        return math.inf if f > 0 or math.isnan(f) else f
    if arb(f) < x:
        f = float(np.nextafter(f, np.inf))
    return f
