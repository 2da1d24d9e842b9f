"""Activations written once: numpy forms, torch forms and closed-form duals, one block.

Guards: the numpy maps keep the bits of the expressions the package had before the
activations held their forms (a changed expression changes every chapter number); the
torch forms keep the bits of the trainer's former torch table (training numbers); numpy
and torch agree; ``dual_form`` is ``act.dual``; nothing is looked up by name; user
callables get a torch form or a clear refusal.
"""

import dataclasses
import math

import numpy as np
import pytest
from scipy import special

import actgram as ag
from actgram._xp import NUMPY, namespace, torch_ops

torch = pytest.importorskip("torch")

# every built-in with its parameters (the table of builtin_names, aliases resolved)
SPECS = [("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"slope": 0.3}),
         ("leaky_relu", {"slope": 1.0}), ("abs", {}), ("step", {}),
         ("relu_power", {"r": 2}), ("relu_power", {"r": 3}), ("relu_power", {"r": 5}),
         ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("gelu", {}),
         ("softplus", {}), ("sigmoid", {}), ("tanh", {}), ("swish", {}), ("erf", {}),
         ("sin", {}), ("polynomial", {}),
         ("polynomial", {"coefficients": (0.5, -1, 0.25)}),
         ("monomial", {}), ("monomial", {"p": 4})]
IDS = [n + "".join(f"-{v}" for v in kw.values()) for n, kw in SPECS]
Z = np.concatenate([np.linspace(-12.0, 12.0, 4801), [0.0, -0.0, 1e-300, -1e-300]])
THETA = np.linspace(0.0, math.pi, 1001)
SA, SS = ag.activations.SELU_ALPHA, ag.activations.SELU_SCALE


def _close(a, b, tol=1e-15):
    """|a - b| <= tol max(|b|, 1): relative where |b| >= 1, absolute below (1 - tanh^2
    cancels in the tails, so a purely relative test of a tail value is meaningless)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.all(np.abs(a - b) <= tol * np.maximum(np.abs(b), 1.0)))


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return (a.dtype == b.dtype and np.array_equal(a, b)
            and np.array_equal(np.signbit(a), np.signbit(b)))


# the numpy expressions of the package before the redesign (phi, phi')
_NUMPY_REF = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "abs": (np.abs, lambda z: np.where(z > 0, 1.0, -1.0)),
    "step": (lambda z: (z >= 0).astype(np.float64),
             lambda z: np.zeros_like(z, dtype=np.float64)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))),
    "selu": (lambda z: SS * np.where(z > 0, z, SA * np.expm1(np.minimum(z, 0.0))),
             lambda z: SS * np.where(z > 0, 1.0, SA * np.exp(np.minimum(z, 0.0)))),
    "gelu": (lambda z: z * special.ndtr(z), lambda z: special.ndtr(z) + z * np.exp(
        -0.5 * z * z) / math.sqrt(2.0 * math.pi)),
    "softplus": (lambda z: np.logaddexp(0.0, z), special.expit),
    "sigmoid": (special.expit, lambda z: special.expit(z) * (1.0 - special.expit(z))),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "swish": (lambda z: z * special.expit(z),
              lambda z: (special.expit(z)
                         + z * special.expit(z) * (1.0 - special.expit(z)))),
    "erf": (special.erf, lambda z: 2.0 / math.sqrt(math.pi) * np.exp(-z * z)),
    "sin": (np.sin, np.cos),
}


@pytest.mark.parametrize("name", list(_NUMPY_REF))
def test_numpy_forms_keep_their_bits(name):
    act = ag.activation(name)
    phi, dphi = _NUMPY_REF[name]
    with np.errstate(all="ignore"):
        assert _same_bits(act.fn(Z), phi(Z))
        assert _same_bits(act.derivative(Z), dphi(Z))


def test_polynomial_numpy_forms_are_polyval():
    a = (0.5, -1.0, 0.25, 3.0)
    act = ag.activation("polynomial", coefficients=a)
    P = np.polynomial.polynomial
    assert _same_bits(act.fn(Z), P.polyval(Z, a))
    assert _same_bits(act.derivative(Z), P.polyval(Z, P.polyder(a)))


def _old_torch(name):
    """The trainer's torch expressions before the redesign (phi, phi'(z, p))."""
    t = torch

    def orp(f, z, p):
        return f(z) if p is None else p

    table = {
        "relu": (t.relu, lambda z, p=None: (orp(t.relu, z, p) > 0).to(z.dtype)),
        "tanh": (t.tanh, lambda z, p=None: 1.0 - orp(t.tanh, z, p) ** 2),
        "sigmoid": (t.sigmoid, lambda z, p=None: orp(t.sigmoid, z, p)
                    * (1 - orp(t.sigmoid, z, p))),
        "softplus": (t.nn.functional.softplus, lambda z, p=None: t.sigmoid(z)),
        "swish": (lambda z: z * t.sigmoid(z),
                  lambda z, p=None: t.sigmoid(z) * (1 + z * (1 - t.sigmoid(z)))),
        "erf": (t.erf, lambda z, p=None: 2.0 / math.sqrt(math.pi) * t.exp(-z * z)),
        "sin": (t.sin, lambda z, p=None: t.cos(z)),
        "gelu": (lambda z: z * 0.5 * t.erfc(-z / math.sqrt(2.0)),
                 lambda z, p=None: 0.5 * t.erfc(-z / math.sqrt(2.0))
                 + z * t.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)),
        "elu": (lambda z: t.where(z > 0, z, 0.5 * t.expm1(t.clamp(z, max=0.0))),
                lambda z, p=None: t.where(z > 0, t.ones_like(z), 0.5 * t.exp(
                    t.clamp(z, max=0.0)) if p is None else p + 0.5)),
        "selu": (lambda z: SS * t.where(z > 0, z, SA * t.expm1(t.clamp(z, max=0.0))),
                  lambda z, p=None: (SS * t.where(z > 0, t.ones_like(z), SA * t.exp(
                     t.clamp(z, max=0.0))) if p is None
                     else t.where(z > 0, SS, p + SS * SA))),
    }
    return table[name]


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "softplus", "swish", "erf",
                                  "sin", "gelu", "elu", "selu"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_torch_forms_keep_the_trainers_bits(name, dtype):
    act = ag.activation(name, alpha=0.5) if name == "elu" else ag.activation(name)
    phi0, dphi0 = _old_torch(name)
    phi1, dphi1 = act.torch_forms()
    z = torch.tensor(Z, dtype=getattr(torch, dtype))
    P0, P1 = phi0(z), phi1(z)
    for a, b in ((P0, P1), (dphi0(z), dphi1(z)), (dphi0(z, P0), dphi1(z, P1))):
        assert b.dtype == z.dtype and torch.equal(a, b)
        assert torch.equal(torch.signbit(a), torch.signbit(b))


@pytest.mark.parametrize(("name", "kw"), SPECS, ids=IDS)
def test_torch_forms_agree_with_numpy(name, kw):
    act = ag.activation(name, **kw)
    phi, dphi = act.torch_forms()
    z = torch.tensor(Z, dtype=torch.float64)
    p = phi(z)
    with np.errstate(all="ignore"):
        assert _close(p.numpy(), act.fn(Z))
        if act.derivative_defined:
            assert _close(dphi(z).numpy(), act.derivative(Z))
            assert _close(dphi(z, p).numpy(), act.derivative(Z))
    # any dtype and no host round trip: float32 in, float32 out
    assert phi(z.float()).dtype == torch.float32


@pytest.mark.parametrize(("name", "kw"), SPECS, ids=IDS)
def test_dual_form_is_act_dual(name, kw):
    act = ag.activation(name, **kw)
    th = torch.tensor(THETA, dtype=torch.float64)
    for of in ("function", "derivative"):
        f_np, f_t = act.dual_form(of, NUMPY), act.dual_form(of, torch_ops())
        assert (f_np is None) == (of not in act.dual) == (f_t is None)
        if f_np is None:
            continue
        assert _same_bits(f_np(THETA), act.dual[of](THETA))
        assert _close(f_t(th).numpy(), f_np(THETA))


def test_closed_forms_present_where_known():
    def has(name, of, **kw):
        return ag.activation(name, **kw).dual_form(of) is not None

    assert has("relu", "function") and has("relu", "derivative")
    assert has("step", "function") and not has("step", "derivative")
    assert has("relu_power", "function", r=2) and has("relu_power", "derivative", r=3)
    assert not has("relu_power", "function", r=3)
    assert not has("relu_power", "derivative", r=4)
    assert not has("tanh", "derivative") and not has("elu", "function")
    with pytest.raises(ValueError, match="of must be one of"):
        ag.activation("relu").dual_form("dd")


def test_no_lookup_by_name():
    """A renamed copy keeps its forms: they travel with the object, not its name."""
    for name, kw in (("elu", {"alpha": 0.5}), ("leaky_relu", {"slope": 0.2}),
                     ("tanh", {})):
        act = ag.activation(name, **kw)
        twin = dataclasses.replace(act, name="something else", cache={})
        z = torch.tensor(Z)
        for f, g in zip(act.torch_forms(), twin.torch_forms(), strict=True):
            assert torch.equal(f(z), g(z))
        assert _same_bits(twin.fn(Z), act.fn(Z))


def test_torch_callable_gets_autograd_derivative():
    act = ag.activation(lambda z: torch.tanh(2 * z), name="tanh2")
    phi, dphi = act.torch_forms()
    z = torch.linspace(-3, 3, 61, dtype=torch.float64)
    with torch.no_grad():  # the trainer's context: autograd must still work
        d = dphi(z)
    assert torch.allclose(phi(z), torch.tanh(2 * z), rtol=0, atol=0)
    # autograd computes 2 (1 - tanh^2): cancellation in the tails, see _close
    assert _close(d.numpy(), 2 / np.cosh(2 * z.numpy()) ** 2)
    assert _close(act.derivative(z.numpy()), d.numpy())


def test_polynomial_callable_gets_horner():
    act = ag.activation(lambda z: 0.5 * z ** 3 - z + 2.0)
    assert act.hermite_poly is not None
    phi, dphi = act.torch_forms()
    z = torch.tensor(Z, dtype=torch.float64)
    assert _close(phi(z).numpy(), act.fn(Z), 1e-14)
    assert _close(dphi(z).numpy(), 1.5 * Z ** 2 - 1.0, 1e-14)


def test_operator_callable_is_its_own_torch_form():
    act = ag.activation(lambda z: z / (1.0 + abs(z)), kinks=(0.0,), name="softsign")
    phi, dphi = act.torch_forms()
    z = torch.linspace(-3, 3, 60, dtype=torch.float64)
    assert _close(dphi(z).numpy(), 1 / (1 + np.abs(z.numpy())) ** 2)


@pytest.mark.parametrize("fn", [lambda z: np.where(z > 0, z, 0.1 * z),
                                lambda z: np.tanh(2 * z)])
def test_numpy_callable_is_refused_with_advice(fn):
    # np.tanh hands a tensor back (__array_wrap__) but computes on the host: refused too
    act = ag.activation(fn, kinks=(0.0,), name="mine")
    with pytest.raises(ValueError, match="mine is a numpy callable; training and the "
                                         "torch kernels need a torch form"):
        act.torch_forms()


def test_namespaces_have_the_same_names():
    t = torch_ops()
    assert set(vars(NUMPY)) == set(vars(t))
    assert namespace(np.zeros(2)) is NUMPY and namespace(1.0) is NUMPY
    assert namespace(torch.zeros(2)) is t
    z = torch.linspace(-2, 2, 9, dtype=torch.float64)
    for op in ("relu", "softplus", "minimum0", "ndtr", "expit", "erfc"):
        assert _close(getattr(t, op)(z).numpy(), getattr(NUMPY, op)(z.numpy()))


def test_arccos_J_public_and_checked():
    th = np.array([0.0, 1.0, math.pi])
    np.testing.assert_allclose(ag.activations.arccos_J(0, th), math.pi - th, rtol=0)
    assert ag.activations.arccos_J(1, 0.0) == pytest.approx(math.pi)
    with pytest.raises(ValueError, match="n in 0, 1, 2"):
        ag.activations.arccos_J(3, th)
