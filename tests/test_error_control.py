"""Error control of the polar quadrature for user callables (issue 19, accuracy half).

Fast-growing, steep and step-like plain callables (no derivative given) against closed forms
that share no code with the quadrature; refusal of infinite kernels; warnings only for real
relative accuracy loss; derivative selection (complex step, torch, finite differences)."""

import math
import warnings

import numpy as np
import pytest
from scipy import special

import actgram as ag
from actgram.kernels import dual_quadrature, radial_extent, theta_table

THETA = np.concatenate([[0.0, 1e-8, 1e-3], np.linspace(0.0, np.pi, 41), [np.pi - 1e-6, np.pi]])


def _expsq_ref(b, rho, of):
    """E[f(u) f(v)] for f = exp(b z^2) ("function") or its derivative ("derivative"): Gaussian integrals,
    det(I - 2b S)^(-1/2) and 4 b^2 det(...)^(-1/2) [S (I - 2b S)^(-1)]_12."""
    S = np.array([[1.0, rho], [rho, 1.0]])
    M = np.eye(2) - 2.0 * b * S
    det = np.linalg.det(M)
    if of == "function":
        return det ** -0.5
    return 4.0 * b * b * det ** -0.5 * (S @ np.linalg.inv(M))[0, 1]


def _erf_ref(a, rho, of):
    """Arcsine closed form for erf(a z) and its derivative."""
    if of == "function":
        return (2.0 / math.pi) * np.arcsin(2.0 * a * a * rho / (1.0 + 2.0 * a * a))
    return (4.0 * a * a / math.pi) / np.sqrt((1.0 + 2.0 * a * a) ** 2 - 4.0 * a**4 * rho**2)


CASES = [
    ("exp(0.1 z^2)", lambda z: np.exp(0.1 * z * z), lambda r, w: _expsq_ref(0.1, r, w)),
    ("exp(0.2 z^2)", lambda z: np.exp(0.2 * z * z), lambda r, w: _expsq_ref(0.2, r, w)),
    ("exp(3 z)", lambda z: np.exp(3.0 * z),
     lambda r, w: (1.0 if w == "function" else 9.0) * math.exp(9.0 * (1.0 + r))),
    ("erf(4 z)", lambda z: special.erf(4.0 * z), lambda r, w: _erf_ref(4.0, r, w)),
    ("erf(8 z)", lambda z: special.erf(8.0 * z), lambda r, w: _erf_ref(8.0, r, w)),
]


@pytest.mark.parametrize("name, fn, ref", CASES, ids=[c[0] for c in CASES])
def test_plain_callables_to_1e12(name, fn, ref):
    """The default user path (plain callable, no derivative, no kinks) is within 1e-12 *
    max(1, |entry|) of the closed form, for G's and K's kernels; catches a fixed radial
    cut-off (2.4e-7 for exp(0.2 z^2)) and too few angular nodes (4e-12 for erf(4 z))."""
    act = ag.activation(fn, name=name)
    assert act.params["derivative_method"] == "complex step"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: the accuracy is reached
        for of in ("function", "derivative"):
            got = ag.dual_kernel(act, THETA, of)
            want = np.array([ref(math.cos(t), of) for t in THETA])
            err = np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))
            assert err < 1e-12, (name, of, err)


def test_gram_of_plain_callable_matches_closed_form():
    """gram_inf of erf(4 z) as a callable equals the closed form entry by entry."""
    X = ag.data.sphere(20, 3, seed=4)
    G = ag.gram_inf(X, lambda z: special.erf(4.0 * z))
    R = np.clip(X @ X.T, -1, 1)
    np.fill_diagonal(R, 1.0)
    np.testing.assert_allclose(G, R * _erf_ref(4.0, R, "derivative"), rtol=0, atol=1e-12 * 6)


@pytest.mark.parametrize("b", [0.25, 0.3])
def test_infinite_kernel_refused(b):
    """exp(b z^2) with b >= 1/4 has an infinite kernel: a ValueError saying so and what to do
    (catches a silently finite answer from a truncated integral)."""
    with pytest.raises(ValueError, match=r"infinite.*exp\(z\^2/4\)"):
        ag.dual_kernel(lambda z: np.exp(b * z * z), np.array([0.5]), "function")


def test_radial_extent_follows_growth():
    """R grows with the activation's growth: bounded < exp(3z) < exp(0.2 z^2)."""
    r_tanh = radial_extent(np.tanh)
    r_exp = radial_extent(lambda z: np.exp(3.0 * z))
    r_sq = radial_extent(lambda z: np.exp(0.2 * z * z))
    assert 8.0 <= r_tanh < r_exp < r_sq


def test_no_warning_for_large_entries():
    """exp(3 z)'s entries reach e^18 = 7e7: no warning (the old absolute 1e-10 threshold
    fired here), and the table's relative error is small."""
    act = ag.activation(lambda z: np.exp(3.0 * z))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = theta_table(act, "function")
    assert table.rel_error < 1e-12


def test_builtin_tables_stay_accurate():
    """The built-in tables still agree with an independent rule to 1e-14."""
    for name in ("tanh", "elu", "gelu"):
        for of in ("derivative", "function"):
            assert theta_table(name, of).rel_error < 1e-14


def test_direct_quadrature_self_check():
    """dual_quadrature refines until two independent rules agree (erf(8 z)'s steep derivative
    needs the graded level)."""
    act = ag.activation(lambda z: special.erf(8.0 * z))
    th = np.array([0.0, 0.2, 1.0, 3.0])
    got = dual_quadrature(act, th, "derivative")
    want = _erf_ref(8.0, np.cos(th), "derivative")
    assert np.max(np.abs(got - want) / np.maximum(1, want)) < 1e-12


# ---------------------------------------------------------------------------------------------
# derivatives of callables
# ---------------------------------------------------------------------------------------------

def test_complex_step_is_exact():
    """Complex step gives tanh' to a few ulps (finite differences: ~1e-10)."""
    act = ag.activation(lambda z: np.tanh(z))
    z = np.linspace(-5, 5, 101)
    assert act.params["derivative_method"] == "complex step"
    np.testing.assert_allclose(act.derivative(z), 1 / np.cosh(z) ** 2, rtol=4e-16 * 4, atol=0)


def test_non_analytic_callables_fall_back():
    """abs drops the imaginary part (complex step would give 0): finite differences instead;
    ABReLU with np.minimum/np.maximum passes the complex-step check."""
    act = ag.activation(lambda z: np.abs(z))
    assert act.params["derivative_method"] == "finite differences"
    np.testing.assert_allclose(act.derivative(np.array([-2.0, 1.5])), [-1.0, 1.0], atol=1e-9)
    ab = ag.activation(lambda z: -0.3 * np.minimum(z, 0) + 1.2 * np.maximum(z, 0))
    np.testing.assert_allclose(ab.derivative(np.array([-2.0, 1.5])), [-0.3, 1.2], rtol=1e-15)


def test_sign_callable_refuses_G_like_step():
    """np.sign: derivative zero almost everywhere, G refused with the built-in step's message;
    K still computed (E[sign u sign v] = (2/pi) arcsin rho)."""
    X = ag.data.sphere(5, 3, seed=0)
    act = ag.activation(np.sign)
    assert not act.derivative_defined
    for kind in ("G", "ntk"):
        with pytest.raises(ValueError, match="derivative zero almost everywhere"):
            ag.kernel_inf(X, act, kind)
    K = ag.kernel_inf(X, act, "K")
    R = np.clip(X @ X.T, -1, 1)
    np.fill_diagonal(R, 1.0)
    np.testing.assert_allclose(K, (2 / np.pi) * np.arcsin(R), atol=1e-13)


def test_torch_function_uses_autograd():
    """A torch-only callable is wrapped and differentiated by autograd (exact to ulps)."""
    torch = pytest.importorskip("torch")
    act = ag.activation(lambda t: torch.tanh(t) * torch.sigmoid(t))
    assert act.params["derivative_method"] == "torch autograd"
    z = np.linspace(-4, 4, 33)
    s = special.expit(z)
    want = (1 / np.cosh(z) ** 2) * s + np.tanh(z) * s * (1 - s)
    np.testing.assert_allclose(act.derivative(z), want, rtol=1e-14, atol=1e-15)


def test_polynomial_callables_are_exact():
    """A degree-6 polynomial callable is recognised and its kernel is the exact polynomial in
    rho (it took 64 s through finite differences and quadrature)."""
    a = (1.0, 1.0, -0.5, 0.3, 0.1, -0.05, 0.02)
    act = ag.activation(lambda z: np.polynomial.polynomial.polyval(z, a))
    assert act.params["derivative_method"] == "polynomial"
    X = ag.data.sphere(15, 4, seed=2)
    np.testing.assert_allclose(ag.kernel_inf(X, act, "ntk"),
                               ag.kernel_inf(X, ag.activation("polynomial", coefficients=a), "ntk"),
                               rtol=1e-13, atol=1e-13)


def test_monomials_in_rho_directly():
    """Built-in monomials near rho = 0: the kernel sum_k c_k^2 rho^k is evaluated in rho (no
    arccos/cos round trip, which cost up to 3.6e-14)."""
    X = np.array([[1.0, 0.0], [1e-9, 1.0]])
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    rho = float(X[0] @ X[1])
    for p in (3, 5, 7):
        K = ag.kernel_inf(X, ag.activation("monomial", p=p), "K")
        c = ag.hermite_coefficients(ag.activation("monomial", p=p), p, of="function")
        want = float(np.polynomial.polynomial.polyval(rho, c * c))
        assert abs(K[0, 1] - want) <= 1e-15 * max(1.0, abs(want))
