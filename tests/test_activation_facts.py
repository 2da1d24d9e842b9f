"""Declared facts of the activation blocks (family, homogeneous degree, arc-cosine
route, general-covariance closed forms) and routing by those facts, never by name.

Guards: each built-in declares the facts the kernels route on; a renamed built-in keeps
its routes and its bits; a user callable named like a built-in ("relu", "erf") gets none
of the built-in's routes; the erf / sin general-covariance forms keep the bits of the
expressions general_kernels had before they moved into the blocks.
"""

import dataclasses
import math

import numpy as np
import pytest

import actgram as ag
from actgram import _fused
from actgram.certify._kernels import check_supported
from actgram.general_kernels import general_kernel

NAN = math.nan
# (name, params) -> (family, homogeneous_degree, arccos, general_duals present)
FACTS = [
    ("relu", {}, "relu", 1, (0.0, True), False),
    ("leaky_relu", {}, "leaky_relu", 1, (0.01, False), False),
    ("leaky_relu", {"slope": 0.3}, "leaky_relu", 1, (0.3, False), False),
    ("leaky_relu", {"slope": 1.0}, "leaky_relu", 1, (1.0, False), False),
    ("leakyrelu", {}, "leaky_relu", 1, (0.01, False), False),
    ("abs", {}, "abs", 1, (-1.0, False), False),
    ("step", {}, "step", 0, (NAN, False), False),
    ("relu_power", {"r": 0}, "step", 0, (NAN, False), False),
    ("relu_power", {"r": 1}, "relu", 1, (0.0, True), False),
    ("relu_power", {"r": 2}, "relu_power", 2, None, False),
    ("relu_power", {"r": 5}, "relu_power", 5, None, False),
    ("elu", {}, "elu", None, None, False),
    ("elu", {"alpha": 0.5}, "elu", None, None, False),
    ("selu", {}, "selu", None, None, False),
    ("gelu", {}, "gelu", None, None, False),
    ("softplus", {}, "softplus", None, None, False),
    ("sigmoid", {}, "sigmoid", None, None, False),
    ("tanh", {}, "tanh", None, None, False),
    ("swish", {}, "swish", None, None, False),
    ("silu", {}, "swish", None, None, False),
    ("erf", {}, "erf", None, None, True),
    ("sin", {}, "sin", None, None, True),
    ("polynomial", {}, "polynomial", None, None, False),
    ("identity", {}, "polynomial", None, None, False),
    ("polynomial", {"coefficients": (0.5, -1, 0.25)}, "polynomial", None, None, False),
    ("monomial", {"p": 3}, "monomial", None, None, False),
]
IDS = [f[0] + "".join(f"-{v}" for v in f[1].values()) for f in FACTS]

RNG = np.random.default_rng(5)
X = RNG.standard_normal((7, 3)) * RNG.uniform(0.3, 2.5, (7, 1))


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize(("name", "kw", "family", "degree", "arccos", "general"),
                         FACTS, ids=IDS)
def test_every_builtin_declares_its_facts(name, kw, family, degree, arccos, general):
    act = ag.activation(name, **kw)
    assert act.family == family
    assert act.homogeneous_degree == degree
    if arccos is None:
        assert act.arccos is None
    else:
        a, relu = act.arccos
        assert relu is arccos[1] and type(a) is float
        assert (math.isnan(a) and math.isnan(arccos[0])) or a == arccos[0]
    assert _fused.arccos_slope(act) == act.arccos or math.isnan(act.arccos[0])
    for of in ("function", "derivative"):
        assert (act.general_dual(of) is not None) is general


def test_every_registry_key_is_a_family():
    """The family is the registry key of the block that built the activation."""
    from actgram.activations._registry import _BUILTINS

    for key, make in _BUILTINS.items():
        assert make().family == key


@pytest.mark.parametrize("name", ["relu", "step", "abs", "erf", "sin", "tanh",
                                  "relu_power"])
def test_callable_named_like_a_builtin_gets_no_builtin_route(name):
    """Mutation check: a user callable named "relu" (or "erf", ...) is not routed as
    the built-in; the routes follow declared facts, not the name."""
    fns = {"relu": lambda z: np.maximum(z, 0.0), "step": lambda z: (z >= 0) * 1.0,
           "abs": np.abs, "relu_power": lambda z: np.maximum(z, 0.0) ** 2,
           "erf": None, "sin": np.sin, "tanh": np.tanh}
    from scipy import special

    fn = fns[name] or special.erf
    kinks = (0.0,) if name in ("relu", "step", "abs", "relu_power") else ()
    act = ag.activation(fn, name=name, kinks=kinks)
    assert act.name == name and not act.builtin
    assert act.family == "" and act.homogeneous_degree is None
    assert act.arccos is None and _fused.arccos_slope(act) is None
    assert act.general_dual("function") is None
    assert act.general_dual("derivative") is None
    with pytest.raises(ValueError, match="no certified kernel route"):
        check_supported(act)


@pytest.mark.parametrize(("name", "kw"), [("relu", {}), ("leaky_relu", {"slope": 0.2}),
                                          ("abs", {}), ("relu_power", {"r": 3}),
                                          ("erf", {}), ("sin", {})])
def test_renamed_builtin_keeps_its_routes_and_bits(name, kw):
    """A built-in renamed keeps every route (fused arc-cosine, exact scaling, general
    closed form, certified family) and so every bit of its kernels."""
    act = ag.activation(name, **kw)
    twin = dataclasses.replace(act, name="renamed", cache={})
    assert twin.family == act.family and check_supported(twin) == act.family
    assert _fused.arccos_slope(twin) == _fused.arccos_slope(act)
    Xu = X / np.linalg.norm(X, axis=1, keepdims=True)
    for kind in ("G", "K", "ntk"):
        assert _same_bits(ag.kernel_inf(Xu, twin, kind), ag.kernel_inf(Xu, act, kind))
        assert _same_bits(ag.kernel_inf(X, twin, kind, rows="any"),
                          ag.kernel_inf(X, act, kind, rows="any"))
        assert _same_bits(general_kernel(X, None, twin, kind, bias_var=0.3),
                          general_kernel(X, None, act, kind, bias_var=0.3))


def test_renamed_tanh_does_not_get_erf_route():
    """A built-in whose name is changed to "erf" keeps its own (absent) facts."""
    twin = dataclasses.replace(ag.activation("tanh"), name="erf", cache={})
    assert twin.general_dual("function") is None and twin.family == "tanh"


def test_general_duals_keep_the_old_bits():
    """The erf / sin forms for covariance [[A, C], [C, B]] are general_kernels' former
    expressions, operation for operation."""
    A = RNG.uniform(0.1, 5.0, (6, 6))
    B = RNG.uniform(0.1, 5.0, (6, 6))
    C = RNG.uniform(-1.0, 1.0, (6, 6)) * np.sqrt(A * B)
    old = {
        ("erf", "function"): (2.0 / math.pi) * np.arcsin(
            2.0 * C / np.sqrt((1 + 2 * A) * (1 + 2 * B))),
        ("erf", "derivative"): (4.0 / math.pi) / np.sqrt(
            (1 + 2 * A) * (1 + 2 * B) - 4.0 * C * C),
        ("sin", "function"): np.exp(-0.5 * (A + B)) * np.sinh(C),
        ("sin", "derivative"): np.exp(-0.5 * (A + B)) * np.cosh(C),
    }
    for (name, of), ref in old.items():
        assert _same_bits(ag.activation(name).general_dual(of)(A, B, C), ref)
    with pytest.raises(ValueError, match="of must be one of"):
        ag.activation("erf").general_dual("ff")
