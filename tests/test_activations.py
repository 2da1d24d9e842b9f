"""Activations: definitions, derivatives, kinks and jump orders, bad input."""

import numpy as np
import pytest

import actgram as ag

BUILTIN = ["relu", "leaky_relu", "abs", "relu_power", "elu", "selu", "gelu", "softplus",
           "sigmoid", "tanh", "swish", "erf", "sin", "polynomial", "monomial"]

EXPECTED_JUMP = {"relu": 1, "leaky_relu": 1, "abs": 1, "relu_power": 2, "elu": 2, "selu": 1,
                 "step": 0, "gelu": None, "softplus": None, "sigmoid": None, "tanh": None,
                 "swish": None, "erf": None, "sin": None, "polynomial": None, "monomial": None}


@pytest.mark.parametrize("name", BUILTIN)
def test_derivative_matches_finite_differences(name):
    act = ag.activation(name)
    z = np.linspace(-3, 3, 61) + 0.013  # avoid the kink at 0
    h = 1e-6
    fd = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), fd, atol=1e-7)


@pytest.mark.parametrize("name", list(EXPECTED_JUMP))
def test_jump_order(name):
    act = ag.activation(name)
    assert act.jump_order == EXPECTED_JUMP[name]
    for k in act.kinks:  # the numerical classifier agrees with the declared order
        assert ag.estimate_jump_order(act.fn, k) == act.jump_order


def test_elu_alpha_changes_order():
    assert ag.activation("elu", alpha=0.5).jump_order == 1
    assert ag.activation("elu", alpha=1.0).jump_order == 2


def test_aliases_and_names():
    assert ag.activation("silu").name == "swish"
    assert "tanh" in ag.builtin_names()
    assert ag.activation("relu_power", r=1).name == "relu"
    assert ag.activation("relu_power", r=0).name == "step"


def test_user_callable():
    act = ag.activation(lambda z: np.maximum(z, 0) ** 2, kinks=(0.0,), name="sq")
    assert act.jump_order == 2
    z = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(act.derivative(z), 2 * np.maximum(z, 0), atol=1e-9)
    smooth = ag.activation(np.tanh)
    assert smooth.jump_order is None
    np.testing.assert_allclose(smooth.derivative(z), 1 / np.cosh(z) ** 2, atol=1e-10)


def test_user_callable_kernel_matches_builtin():
    """A user-supplied ELU gives the built-in's Gram matrix (numerical derivative, ~1e-10)."""
    user = ag.activation(lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), kinks=(0.0,))
    X = ag.data.sphere(12, 3, seed=1)
    np.testing.assert_allclose(ag.gram_inf(X, user), ag.gram_inf(X, "elu"), atol=1e-9)


def test_shifted_kink_callable():
    """A kink away from 0 is handled by r-breakpoints: relu(z - 0.5) against its closed form."""
    from scipy.stats import multivariate_normal

    shifted = ag.activation(lambda z: np.maximum(z - 0.5, 0.0), kinks=(0.5,),
                            derivative=lambda z: (z > 0.5).astype(float))
    rho = 0.3
    # E[1{u > 0.5} 1{v > 0.5}] = P(u > .5, v > .5) = Phi2(-.5, -.5; rho)
    expect = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([-0.5, -0.5])
    got = ag.dual_kernel(shifted, np.arccos(rho), "derivative")
    assert got == pytest.approx(expect, abs=1e-6)  # scipy Genz CDF: ~1e-7


@pytest.mark.parametrize(
    "bad, match",
    [
        ("tanhh", "unknown activation 'tanhh'; known names"),
        (42, "must be a name"),
    ],
)
def test_bad_names(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ag.activation(bad)


def test_bad_callables():
    import math

    with pytest.raises(TypeError, match="vectorised"):
        ag.activation(lambda z: math.tanh(z))
    with pytest.raises(TypeError, match="same shape"):
        ag.activation(lambda z: np.sum(z))
    with pytest.raises(ValueError, match="non-finite"):
        ag.activation(lambda z: np.where(z > 1, np.inf, z))


def test_bad_parameters():
    with pytest.raises(ValueError, match="integer power"):
        ag.activation("relu_power", r=1.5)
    with pytest.raises(TypeError, match="bad parameters"):
        ag.activation("relu", slope=2)
    with pytest.raises(ValueError, match="monomial coefficients"):
        ag.activation("polynomial", coefficients=[])


def test_hard_tanh_two_kinks():
    """clip(z, -1, 1): kinks at +-1; E[phi(g)^2] against a 1-D quadrature."""
    from scipy import integrate, stats

    act = ag.activation(lambda z: np.clip(z, -1.0, 1.0), kinks=(-1.0, 1.0), name="hardtanh")
    assert act.jump_order == 1
    second = 2 * (integrate.quad(lambda z: z * z * stats.norm.pdf(z), 0, 1, epsabs=1e-15)[0]
                  + stats.norm.sf(1.0))
    assert ag.dual_kernel(act, 0.0, "function") == pytest.approx(second, abs=1e-12)
    # dd at theta = 0: P(|g| < 1)
    assert ag.dual_kernel(act, 0.0, "derivative") == pytest.approx(1 - 2 * stats.norm.sf(1.0), abs=1e-9)


@pytest.mark.parametrize("name", ["tanh", "gelu", "sigmoid", "erf", "softplus", "swish", "sin"])
def test_no_spurious_kinks_at_smooth_points(name):
    """Probed where an analytic activation has no kink, the estimator finds none (it used to
    report orders 2-4 for tanh, GELU, sigmoid and erf at 0)."""
    act = ag.activation(name)
    for z0 in (0.0, 0.7, -1.3):
        assert ag.estimate_jump_order(act.fn, z0) is None
