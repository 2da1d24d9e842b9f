"""Bad input at the public boundary: one table of cases, each with a message that helps.

Every case names the call that triggers it, the exception type and a regular expression the
message must match (it must say what was wrong). Each case also checks that the exception was
raised by actgram's own code, not by numpy/scipy/torch deep in the stack.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import actgram as ag
from actgram import data

PKG = Path(ag.__file__).resolve().parent
X4 = data.half_circle(4)
Y4 = np.array([1.0, -1.0, 0.5, 0.0])


def _quiet(fn):
    """Run ``fn`` with numpy's RuntimeWarnings silenced (cases that feed it inf on purpose)."""

    def run():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn()

    return run


def _train(**kw):
    args = {"X": X4, "y": Y4, "act": "relu", "m": 50, "steps": 1}
    args.update(kw)
    return lambda: ag.train_two_layer(args.pop("X"), args.pop("y"), args.pop("act"), args.pop("m"), **args)


def _inf_outside_probe():
    # finite on [-2, 2] (what activation() probes), infinite beyond |z| = 5
    act = ag.activation(lambda z: np.where(np.abs(z) > 5, np.inf, np.tanh(z)),
                        derivative=lambda z: np.where(np.abs(z) > 5, np.inf, 1 / np.cosh(z) ** 2))
    return ag.gram_inf(X4, act)


# (id, callable, exception type, regex the message must match)
CASES = [
    # --- data -----------------------------------------------------------------------------
    ("not-unit-norm", lambda: ag.gram_inf(2 * X4, "relu"), ValueError, r"unit norm.*row 0 has norm 2.*normalize=True"),
    ("nan", lambda: ag.gram_inf(np.where(X4[1, 0] == X4, np.nan, X4), "relu"), ValueError,
     r"NaN or inf \(first at row 1"),
    ("inf", lambda: ag.kernel_inf([[np.inf, 0.0], [1.0, 0.0]], "tanh"), ValueError, r"NaN or inf \(first at row 0"),
    ("empty", lambda: ag.gram_inf(np.empty((0, 3)), "relu"), ValueError, r"empty \(shape \(0, 3\)\)"),
    ("1-D", lambda: ag.gram_inf(np.array([1.0, 0.0]), "relu"), ValueError, r"1-D.*reshape\(1, -1\)"),
    ("3-D", lambda: ag.gram_inf(np.ones((2, 2, 2)), "relu"), ValueError, r"must be 2-D.*3-D shape \(2, 2, 2\)"),
    ("zero-row", lambda: ag.gram_inf([[1.0, 0.0], [0.0, 0.0]], "relu", normalize=True), ValueError,
     r"row 1 of X is zero"),
    ("complex-dtype", lambda: ag.gram_inf(X4 + 1e-3j, "relu"), TypeError, r"X is complex.*X\.real"),
    ("text-dtype", lambda: ag.gram_inf([["a", "b"]], "relu"), TypeError, r"X must be a numeric array"),
    ("Y-columns", lambda: ag.kernel_inf(X4, "relu", Y=data.sphere(3, 3)), ValueError, r"2 columns but Y has 3"),
    ("separation-one-point", lambda: data.separation(X4[:1]), ValueError, r"at least two points"),
    ("too-large", lambda: ag.gram_inf(np.tile(X4, (10_000, 1)), "relu"), MemoryError,
     r"40000 x 40000 .*GiB.*blocks"),
    # --- activations ----------------------------------------------------------------------
    ("unknown-activation", lambda: ag.activation("rleu"), ValueError,
     r"unknown activation 'rleu'; known names: .*relu.*tanh"),
    ("activation-not-callable", lambda: ag.gram_inf(X4, 3.0), TypeError, r"name \(str\) or a vectorised callable"),
    ("non-vectorised", lambda: ag.activation(lambda z: float(np.tanh(z))), TypeError,
     r"raised TypeError.*must be vectorised"),
    ("wrong-shape", lambda: ag.activation(lambda z: np.sum(z, axis=0)), TypeError,
     r"returned shape \(4,\) for an input of shape \(3, 4\)"),
    ("non-finite-function", lambda: ag.activation(lambda z: np.where(z > 1, np.inf, z)), ValueError,
     r"activation callable returned non-finite"),
    ("non-finite-derivative", lambda: ag.activation(np.tanh, derivative=lambda z: np.where(z > 0, np.nan, 1.0)),
     ValueError, r"derivative callable returned non-finite"),
    ("inf-outside-probe", _quiet(_inf_outside_probe), ValueError, r"kernel has non-finite entries"),
    ("step-has-no-G", lambda: ag.gram_inf(X4, "step"), ValueError, r"derivative zero almost everywhere.*kind='K'"),
    ("relu_power-non-integer", lambda: ag.activation("relu_power", r=1.5), ValueError, r"non-negative integer power"),
    ("relu_power-text", lambda: ag.activation("relu_power", r="2"), ValueError, r"non-negative integer power"),
    ("polynomial-empty", lambda: ag.activation("polynomial", coefficients=[]), ValueError,
     r"non-empty 1-D sequence of finite"),
    ("polynomial-nan", lambda: ag.activation("polynomial", coefficients=[1.0, np.nan]), ValueError,
     r"non-empty 1-D sequence of finite"),
    ("polynomial-text", lambda: ag.activation("polynomial", coefficients=["a"]), TypeError,
     r"polynomial coefficients must be a sequence of real numbers"),
    ("leaky-slope-text", lambda: ag.activation("leaky_relu", slope="x"), TypeError, r"slope must be a real number"),
    ("unknown-parameter", lambda: ag.activation("relu", alpha=2), TypeError, r"bad parameters for activation 'relu'"),
    ("dual-kernel-theta", lambda: ag.dual_kernel("relu", [4.0]), ValueError, r"theta must be angles in \[0, pi\]"),
    # --- widths, depth, kinds, methods ----------------------------------------------------
    ("width-0", lambda: ag.sample_weights(0, 2), ValueError, r"width m must be an integer >= 1; got 0"),
    ("width-negative", lambda: ag.sample_weights(-5, 2), ValueError, r"width m must be an integer >= 1; got -5"),
    ("width-float", lambda: ag.sample_weights(2.5, 2), TypeError, r"width m must be an integer >= 1; got 2.5"),
    ("width-bool", lambda: ag.sample_weights(True, 2), TypeError, r"width m must be an integer >= 1; got True"),
    ("train-width-float", _train(m=10.5), TypeError, r"width m must be an integer"),
    ("depth-0", lambda: ag.deep_gram(X4, "relu", 0), ValueError, r"depth must be an integer >= 1; got 0"),
    ("depth-1.5", lambda: ag.deep_gram(X4, "relu", 1.5), TypeError, r"depth must be an integer >= 1; got 1.5"),
    ("kind-kernel_inf", lambda: ag.kernel_inf(X4, "relu", "H"), ValueError, r"kind must be one of .*'ntk'.*got 'H'"),
    ("kind-deep_gram", lambda: ag.deep_gram(X4, "relu", 2, kind="trained"), ValueError,
     r"kind must be one of 'G', 'ntk' .*got 'trained'"),
    ("kind-gram_init", lambda: ag.gram_init(X4, ag.sample_weights(5, 2), "relu", kind="NTK"), ValueError,
     r"kind must be one of 'G', 'K', 'ntk' .*got 'NTK'"),
    ("k-0", lambda: ag.smallest_eigenvalues(X4, "relu", k=0), ValueError, r"k must be an integer >= 1; got 0"),
    ("k-too-big", lambda: ag.smallest_eigenvalues(X4, "relu", k=5), ValueError, r"k = 5 exceeds .* n = 4"),
    ("k-float", lambda: ag.smallest_eigenvalues(X4, "relu", k=1.5), TypeError, r"k must be an integer"),
    ("method", lambda: ag.lambda_min(X4, "tanh", method="exact"), ValueError,
     r"method must be one of 'auto', 'fourier', 'spherical', 'dense', 'matrix-free', 'sandwich', "
     r"'certified'; got 'exact'"),
    ("method-needs-smooth", lambda: ag.lambda_min(X4, "relu", method="fourier"), ValueError,
     r"needs a smooth built-in activation"),
    # --- training -------------------------------------------------------------------------
    ("eta-negative", _train(eta=-0.1), ValueError, r"step size eta must be a positive finite number; got -0.1"),
    ("eta-nan", _train(eta=float("nan")), ValueError, r"step size eta must be a positive finite number; got nan"),
    ("eta-bool", _train(eta=True), TypeError, r"step size eta must be a real number; got True"),
    ("eta-unstable", _train(eta=10.0), ValueError, r"eta = 10 is unstable.*lambda_max\(G0\) = .*2 / lambda_max"),
    ("y-shape", _train(y=Y4[:, None]), ValueError, r"y must have shape \(4,\) to match X; got \(4, 1\)"),
    ("y-nan", _train(y=np.array([1.0, np.nan, 0.0, 0.0])), ValueError, r"y contains NaN or inf"),
    ("y-text", _train(y=["a", "b", "c", "d"]), TypeError, r"y must be a real array of shape \(n,\)"),
    ("y-complex", _train(y=Y4 + 1j), TypeError, r"y is complex"),
    ("dtype", _train(dtype="float16"), ValueError, r"dtype must be 'float64' or 'float32'; got 'float16'"),
    # --- finite width ---------------------------------------------------------------------
    ("W-columns", lambda: ag.gram_init(X4, np.ones((3, 5)), "relu"), ValueError,
     r"W must be an array of shape \(m, 2\) .*got shape \(3, 5\) \(axis 1 has length 5, expected 2\)"),
    ("W-1-D", lambda: ag.gram_init(X4, np.ones(2), "relu"), ValueError,
     r"W must be an array of shape \(m, 2\).*got a 1-D array"),
    ("W-nan", lambda: ag.gram_init(X4, np.full((3, 2), np.nan), "relu"), ValueError, r"W contains NaN or inf"),
    ("W-complex", lambda: ag.features(X4, np.ones((3, 2)) * 1j, "relu"), TypeError, r"W is complex"),
    # --- Hermite --------------------------------------------------------------------------
    ("kmax-negative", lambda: ag.hermite_coefficients("relu", -1), ValueError, r"kmax must be an integer >= 0; got -1"),
    ("hermite-of", lambda: ag.hermite_coefficients("tanh", 5, of="phi"), ValueError,
     r"of must be one of 'function', 'derivative' .*got 'phi'"),
    # --- data sets ------------------------------------------------------------------------
    ("subspace-d_span", lambda: data.subspace(5, 3, 4), ValueError, r"d_span = 4 cannot exceed .* d = 3"),
    ("arc-step-0", lambda: data.arc(5, 0.0), ValueError, r"step must lie in \(0, pi / \(n - 1\)\)"),
    ("arc-step-too-big", lambda: data.arc(5, 1.0), ValueError, r"step must lie in \(0, pi / \(n - 1\)\).*got 1"),
    ("arc-step-nan", lambda: data.arc(5, float("nan")), ValueError, r"step must be a finite number"),
    ("digits-n", lambda: data.digits(n=5000), ValueError, r"n = 5000 exceeds the 1797 images"),
    ("digits-dim", lambda: data.digits(dim=100), ValueError, r"dim = 100 exceeds the 64 pixel"),
]


def test_table_is_large_and_ids_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 25
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("call", "exc", "match"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_input(call, exc, match):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc, f"expected exactly {exc.__name__}, got {type(info.value).__name__}"
    message = str(info.value)
    assert re.search(match, message), f"message does not name the problem: {message!r}"
    # raised by actgram's own checks, not by numpy/scipy/torch deep in the stack
    origin = Path(str(info.traceback[-1].path)).resolve()
    assert PKG in origin.parents, f"raised in {origin}, not at actgram's boundary: {message!r}"


# --------------------------------------------------------------------------------------------
# inputs that are legal but degenerate: what happens is defined, and reported
# --------------------------------------------------------------------------------------------

def test_normalize_true_accepts_non_unit_rows():
    G = ag.gram_inf(3.0 * X4, "relu", normalize=True)
    np.testing.assert_array_equal(G, ag.gram_inf(X4, "relu"))


@pytest.mark.parametrize(("sign", "kind"), [(1.0, "duplicate"), (-1.0, "antipodal")])
def test_duplicates_and_antipodes_are_defined_and_reported(sign, kind):
    X = np.vstack([X4, sign * X4[1]])
    delta, (i, j, what) = data.separation(X, return_pair=True)
    assert delta == 0.0
    assert (i, j, what) == (1, 4, kind)
    for act in ("relu", "tanh"):
        G = ag.gram_inf(X, act)
        assert np.all(np.isfinite(G))
        # the repeated point gives a repeated row, up to the sign of x for the antipode
        if sign > 0:
            np.testing.assert_allclose(G[4], G[1], atol=1e-15)
    # tanh' is even: G(x, -x) = -G(x, x) entrywise, so the antipode makes G singular too
    Gt = ag.gram_inf(X, "tanh")
    if sign < 0:
        np.testing.assert_allclose(Gt[4], -Gt[1], atol=1e-15)
    lm = ag.lambda_min(X, "tanh")  # no warning about delta = 0 (current behaviour); the bracket says it
    assert lm.lower == 0.0
    assert lm.below_floor
