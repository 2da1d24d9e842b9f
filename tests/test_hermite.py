"""Hermite coefficients: closed forms, identities, and agreement with the kernels."""

import math

import numpy as np
import pytest

import actgram as ag


def _h_at_zero(j: int) -> float:
    """h_j(0) = He_j(0)/sqrt(j!) = (-1)^{j/2} (j-1)!!/sqrt(j!) for even j, 0 for odd j."""
    if j % 2:
        return 0.0
    log = 0.5 * math.lgamma(j + 1) - (j / 2) * math.log(2) - math.lgamma(j / 2 + 1)
    return (-1) ** (j // 2) * math.exp(log)


def step_coefficients(kmax: int) -> np.ndarray:
    """c_0 = 1/2, c_k = phi(0) h_{k-1}(0) / sqrt(k) for the step 1{z >= 0}."""
    c = [0.5] + [_h_at_zero(k - 1) / math.sqrt(2 * math.pi * k) for k in range(1, kmax + 1)]
    return np.array(c)


def test_step_closed_form_to_kmax_200():
    c = ag.hermite_coefficients("step", 200, of="function")
    np.testing.assert_allclose(c, step_coefficients(200), rtol=0, atol=1e-13)
    # the values quoted in NUMERICS.md
    assert c[0] == pytest.approx(0.5, abs=1e-15)
    assert c[1] ** 2 == pytest.approx(1 / (2 * math.pi), abs=1e-15)
    assert c[3] ** 2 == pytest.approx(1 / (12 * math.pi), abs=1e-15)
    assert np.all(np.abs(c[2::2]) < 1e-14)


def test_relu_derivative_is_step():
    np.testing.assert_allclose(
        ag.hermite_coefficients("relu", 200), step_coefficients(200), rtol=0, atol=1e-13
    )


@pytest.mark.parametrize("name", ["relu", "tanh", "elu", "swish", "gelu", "softplus", "abs"])
def test_derivative_identity(name):
    """c_k(phi') = sqrt(k+1) c_{k+1}(phi) (Hermite functions' ladder relation)."""
    cf = ag.hermite_coefficients(name, 121, of="function")
    cd = ag.hermite_coefficients(name, 120)
    np.testing.assert_allclose(cd, np.sqrt(np.arange(1, 122)) * cf[1:], rtol=0, atol=2e-13)


def test_polynomial_exact():
    # z^3 = He_3 + 3 He_1 -> c_1 = 3, c_3 = sqrt(6)
    c = ag.hermite_coefficients(ag.activation("monomial", p=3), 6, of="function")
    np.testing.assert_allclose(c, [0, 3, 0, math.sqrt(6), 0, 0, 0], atol=1e-14)
    # the quadrature route on the same polynomial agrees
    cq = ag.hermite_coefficients(lambda z: z**3, 6, of="function")
    np.testing.assert_allclose(cq, c, atol=1e-12)


@pytest.mark.parametrize("name", ["erf", "sin", "relu", "abs", "leaky_relu", "tanh", "elu", "selu",
                                  "gelu", "swish", "softplus", "sigmoid", "relu_power"])
@pytest.mark.parametrize("rho", [-0.6, 0.1, 0.45])
def test_series_matches_kernel(name, rho):
    """sum_k c_k^2 rho^k equals the dual kernel (closed form or polar quadrature)."""
    k = 160
    for of in ("derivative", "function"):
        c = ag.hermite_coefficients(name, k, of=of)
        series = np.sum(c**2 * rho ** np.arange(k + 1))
        kern = ag.dual_kernel(name, np.arccos(rho), of)
        # truncation: the tail is below c_max^2 |rho|^k / (1 - |rho|) < 1e-40 here
        assert abs(series - kern) < 1e-13


def test_parseval():
    """sum_k c_k^2 = E[phi'(g)^2]: for erf' = (2/sqrt pi) e^{-z^2} that is 4/(pi sqrt 5)."""
    c = ag.hermite_coefficients("erf", 200)
    assert np.sum(c**2) == pytest.approx(4 / (math.pi * math.sqrt(5)), abs=1e-13)


def test_decay_classes():
    """Kinked: c_k(phi')^2 decays polynomially; tanh: faster than any power."""
    k = np.arange(201)
    relu = ag.hermite_coefficients("relu", 200) ** 2
    tanh = ag.hermite_coefficients("tanh", 200) ** 2
    odd = (k % 2 == 1) & (k > 20)
    slope = np.polyfit(np.log(k[odd]), np.log(relu[odd]), 1)[0]
    assert slope == pytest.approx(-1.5, abs=0.05)  # c_k(step)^2 ~ k^{-3/2}
    even = (k % 2 == 0) & (k > 100)
    local = np.polyfit(np.log(k[even]), np.log(tanh[even]), 1)[0]
    assert local < -8  # local power-law slope keeps steepening: no polynomial law


def test_bad_inputs():
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.hermite_coefficients("step", 5)
    with pytest.raises(ValueError, match="of must be"):
        ag.hermite_coefficients("relu", 5, of="second")
    with pytest.raises(ValueError, match="kmax"):
        ag.hermite_coefficients("relu", -1)
