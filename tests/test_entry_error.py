"""The dense brackets charge each activation the entry accuracy its kernels promise:
1e-14 for built-ins, 1e-12 for user callables (unit rows, numpy and matrix-free)."""

import numpy as np
import pytest

import actgram as ag
from actgram._guards import CALLABLE_ENTRY_ERROR, ENTRY_ERROR, dense_radius, entry_error

X = ag.data.sphere(30, 4, seed=3)


def test_entry_error_by_origin() -> None:
    assert entry_error(ag.activation("tanh")) == ENTRY_ERROR
    assert entry_error(ag.activation(np.tanh)) == CALLABLE_ENTRY_ERROR


def test_dense_radius_of_a_callable_is_the_callable_accuracy() -> None:
    """Catches a callable's bracket computed with the built-ins' 1e-14 per entry (too
    narrow by 100x for what the callable kernels promise)."""
    b = ag.lambda_min(X, "tanh", method="dense")
    c = ag.lambda_min(X, ag.activation(np.tanh), method="dense")
    assert c.radius > 50 * b.radius
    n = X.shape[0]
    G = ag.gram_inf(X, "tanh")
    want = dense_radius(n, np.max(np.abs(G)), c.norm, CALLABLE_ENTRY_ERROR)
    assert c.radius == pytest.approx(want, rel=1e-6)
    # the callable's kernel is within its promise of the built-in's, so the bracket holds
    lam = np.linalg.eigvalsh(G)[0]
    assert c.lower <= lam <= c.upper


def test_dense_radius_default_is_builtin_accuracy() -> None:
    assert dense_radius(10, 2.0, 1.0) == dense_radius(10, 2.0, 1.0, ENTRY_ERROR)
    assert dense_radius(10, 2.0, 1.0, 1e-12) > 90 * dense_radius(10, 2.0, 0.0)
