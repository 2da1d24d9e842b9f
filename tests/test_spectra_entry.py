"""The one spectral entry point: kinds per method, b[i], lambda_min as the first of
smallest_eigenvalues, options, refusals, exact zeros for every kind."""

import numpy as np
import pytest

import actgram as ag
from actgram.spectra import METHODS, EigenBrackets


def test_lambda_min_is_first_of_smallest_eigenvalues():
    X = ag.data.half_circle(30)
    b = ag.smallest_eigenvalues(X, "tanh", 3)
    lm = ag.lambda_min(X, "tanh")
    assert isinstance(lm, EigenBrackets) and lm.scalar and len(b) == 3
    assert (lm.value, lm.lower, lm.upper) == (b.value[0], b.lower[0], b.upper[0])
    assert isinstance(lm.lower, float) and isinstance(lm.resolved, bool)
    assert lm.method == b.method == "fourier" and lm.floor == b.floor and lm.n == 30
    assert b[2].value == b.value[2] and b[-1].upper == b.upper[2]
    assert lm.describe() == b.describe(0) and lm.describe(digits=5) == b.describe(0, 5)
    with pytest.raises(IndexError, match="describe"):
        lm.describe(2)
    with pytest.raises(TypeError, match="one eigenvalue"):
        lm[0]


@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
def test_every_kind_dense_auto_and_normalize(kind):
    X = ag.data.sphere(25, 4, seed=1)
    lam = np.linalg.eigvalsh(ag.kernel_inf(X, "relu", kind))[:2]
    b = ag.smallest_eigenvalues(3.0 * X, "relu", 2, kind=kind, normalize=True)
    assert b.method == "dense" and b.kind == kind
    assert np.all((b.lower <= lam) & (lam <= b.upper))
    # the Weyl radius of the dense solve (up to the rounding of value +- radius)
    assert np.all(b.upper - b.lower <= 2 * b.radius + 4e-16 * b.upper)


def test_methods_refuse_kinds_they_do_not_define():
    X = ag.data.half_circle(10)
    for method, kinds in METHODS.items():
        for kind in {"G", "K", "ntk"} - set(kinds):
            match = f"method='{method}' is defined for kind"
            with pytest.raises(ValueError, match=match):
                ag.lambda_min(X, "tanh", kind=kind, method=method)
    with pytest.raises(ValueError, match="k = 1"):
        ag.smallest_eigenvalues(X, "tanh", 2, kind="ntk", method="sandwich")
    with pytest.raises(ValueError, match="takes no options"):
        ag.lambda_min(X, "tanh", method="dense", options={"tol": 1.0})
    with pytest.raises(ValueError, match="unknown sandwich options"):
        ag.lambda_min(X, "tanh", kind="ntk", method="sandwich", options={"tol": 1.0})
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.lambda_min(X, "step", kind="ntk")
    assert ag.lambda_min(X, "step", kind="K").method == "dense"  # K needs phi only


def test_exact_zeros_for_every_kind():
    # tanh: phi' even (G rows flip sign), phi odd (K rows flip sign): G + K rows flip,
    # so an antipodal pair forces a zero of G, K and the NTK alike
    H = ag.data.half_circle(8)
    X = np.vstack([H, -H[2]])
    for kind in ("G", "K", "ntk"):
        lm = ag.lambda_min(X, "tanh", kind=kind, method="dense")
        assert lm.value == 0.0 and lm.lower == 0.0 and lm.zero_count == 1
        assert lm.exact_zeros[0].relation == "antipodal"
        assert lm.describe().startswith("0 exactly")
    # relu: phi' (step) has no parity, so no antipodal zero for G or the NTK
    assert ag.lambda_min(X, "relu", kind="ntk").exact_zeros == ()


def test_dense_torch_any_kind():
    pytest.importorskip("torch")
    X = ag.data.sphere(40, 5, seed=0)
    b = ag.smallest_eigenvalues(X, "tanh", 2, kind="ntk", method="dense", device="cpu")
    ref = ag.smallest_eigenvalues(X, "tanh", 2, kind="ntk", method="dense")
    assert b.method == "dense-torch"
    assert np.all(np.abs(b.value - ref.value) < 1e-13)
