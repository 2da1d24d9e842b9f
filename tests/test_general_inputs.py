"""General inputs: rows of any norm and a first-layer bias, against closed forms and
independent (scipy nested quadrature) references."""

import math

import numpy as np
import pytest
from scipy import integrate

import actgram as ag

pytestmark = pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")

RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 3)) * RNG.uniform(0.3, 2.5, (6, 1))


def _cov(X, bias_var):
    S = X @ X.T + bias_var
    return S, np.diag(S)


def _nested(f, a, b, c):
    """E[f(u) f(v)], (u, v) centred normal with variances a, b and covariance c: nested scipy
    quadrature in Cartesian coordinates (an independent method)."""
    sa = math.sqrt(a)
    beta = c / a
    s2 = math.sqrt(max(b - c * c / a, 0.0))

    def inner(u):
        if s2 == 0.0:
            return f(beta * u)
        g = integrate.quad(lambda z: f(beta * u + s2 * z) * math.exp(-0.5 * z * z),
                           -12, 12, epsabs=1e-15, epsrel=1e-14, limit=200)[0]
        return g / math.sqrt(2 * math.pi)

    val = integrate.quad(lambda t: f(sa * t) * inner(sa * t) * math.exp(-0.5 * t * t), -12, 12,
                         epsabs=1e-15, epsrel=1e-14, limit=200)[0]
    return val / math.sqrt(2 * math.pi)


def test_relu_any_norm_exact_scaling():
    """ReLU K and G for rows of any norm: |x||y| J1/(2 pi) and x.y J0/(2 pi)."""
    n = np.linalg.norm(X, axis=1)
    R = np.clip((X / n[:, None]) @ (X / n[:, None]).T, -1, 1)
    np.fill_diagonal(R, 1.0)
    th = np.arccos(R)
    K = ag.kernel_inf(X, "relu", "K", rows="any")
    G = ag.gram_inf(X, "relu", rows="any")
    np.testing.assert_allclose(K, np.outer(n, n) * (np.sin(th) + (np.pi - th) * R) / (2 * np.pi),
                               rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(G, X @ X.T * (np.pi - th) / (2 * np.pi), rtol=1e-13, atol=1e-14)
    # normalize=True is the kernel of the normalised rows, 0.74 off the true one for norm 2
    assert not np.allclose(ag.gram_inf(2 * X[:2], "relu", normalize=True),
                           ag.gram_inf(2 * X[:2], "relu", rows="any"))


@pytest.mark.parametrize("bias_var", [0.0, 0.7])
def test_erf_and_sin_closed_forms(bias_var):
    """erf: (2/pi) asin(2c / sqrt((1+2a)(1+2b))); sin: exp(-(a+b)/2) sinh(c); with bias."""
    S, d = _cov(X, bias_var)
    K = ag.kernel_inf(X, "erf", "K", rows="any", bias_var=bias_var)
    np.testing.assert_allclose(K, (2 / np.pi) * np.arcsin(2 * S / np.sqrt(np.outer(1 + 2 * d, 1 + 2 * d))),
                               rtol=1e-14, atol=1e-15)
    G = ag.gram_inf(X, "sin", rows="any", bias_var=bias_var)  # bias trained: (x.y + s_b^2)
    np.testing.assert_allclose(G, S * np.exp(-0.5 * np.add.outer(d, d)) * np.cosh(S),
                               rtol=1e-13, atol=1e-14)
    G_fixed = ag.gram_inf(X, "sin", rows="any", bias_var=bias_var, bias_trained=False)
    np.testing.assert_allclose(G_fixed, (X @ X.T) * np.exp(-0.5 * np.add.outer(d, d)) * np.cosh(S),
                               rtol=1e-13, atol=1e-14)


def test_relu_bias_is_an_extra_coordinate():
    """With a bias, ReLU's kernel is the closed form on (x, s_b): checked against nested
    quadrature for one entry."""
    bv = 0.5
    K = ag.kernel_inf(X[:3], "relu", "K", rows="any", bias_var=bv)
    S, _ = _cov(X[:3], bv)
    ref = _nested(lambda z: max(z, 0.0), S[0, 0], S[1, 1], S[0, 1])
    assert abs(K[0, 1] - ref) < 1e-11 * max(1, abs(ref))


@pytest.mark.parametrize("name", ["tanh", "gelu"])
def test_smooth_any_norm_and_bias_vs_nested_quadrature(name):
    """tanh/GELU, rows of different norms with a bias: the per-entry polar rule against nested
    Cartesian quadrature (independent), 1e-12 relative."""
    act = ag.activation(name)
    bv = 0.3
    Xs = X[:3]
    S, _ = _cov(Xs, bv)
    K = ag.kernel_inf(Xs, act, "K", rows="any", bias_var=bv)
    G = ag.gram_inf(Xs, act, rows="any", bias_var=bv)
    f = lambda z: float(act.fn(np.array(z)))  # noqa: E731
    d = lambda z: float(act.derivative(np.array(z)))  # noqa: E731
    for i, j in [(0, 0), (0, 1), (1, 2)]:
        rk = _nested(f, S[i, i], S[j, j], S[i, j])
        rg = S[i, j] * _nested(d, S[i, i], S[j, j], S[i, j])
        assert abs(K[i, j] - rk) < 1e-12 * max(1, abs(rk)), (i, j, K[i, j], rk)
        assert abs(G[i, j] - rg) < 1e-12 * max(1, abs(rg)), (i, j, G[i, j], rg)


def test_unit_rows_with_bias_use_scaled_table():
    """Unit rows and a bias (all augmented norms equal): same values as the per-entry rule."""
    Xu = ag.data.sphere(5, 3, seed=3)
    bv = 0.4
    a = ag.kernel_inf(Xu, "tanh", "ntk", bias_var=bv)
    S, _ = _cov(Xu, bv)
    f = np.tanh
    ref = _nested(lambda z: float(f(z)), S[0, 0], S[1, 1], S[0, 1])
    d = lambda z: 1.0 / math.cosh(z) ** 2  # noqa: E731
    ref += S[0, 1] * _nested(d, S[0, 0], S[1, 1], S[0, 1])
    assert abs(a[0, 1] - ref) < 1e-12 * max(1, abs(ref))


def test_polynomial_any_norm():
    """A polynomial with norms and bias: exact Hermite expansion per row vs nested quadrature."""
    act = ag.activation("polynomial", coefficients=(0.5, 1.0, 0.0, -0.3))
    bv = 0.2
    S, _ = _cov(X[:3], bv)
    K = ag.kernel_inf(X[:3], act, "K", rows="any", bias_var=bv)
    ref = _nested(lambda z: 0.5 + z - 0.3 * z**3, S[0, 0], S[1, 1], S[0, 1])
    assert abs(K[0, 1] - ref) < 1e-12 * max(1, abs(ref))


def test_unit_default_unchanged_and_refusals():
    """Default rows='unit' refuses other norms (message names rows='any'); rows='any' on unit
    rows gives exactly the fast path; bad keywords are refused."""
    Xu = ag.data.sphere(6, 3, seed=1)
    with pytest.raises(ValueError, match="rows='any'"):
        ag.gram_inf(2 * Xu, "relu")
    np.testing.assert_array_equal(ag.gram_inf(Xu, "tanh", rows="any"), ag.gram_inf(Xu, "tanh"))
    with pytest.raises(ValueError, match="rows must be"):
        ag.gram_inf(Xu, "relu", rows="all")
    with pytest.raises(ValueError, match="bias_var"):
        ag.gram_inf(Xu, "relu", bias_var=-1.0)
    with pytest.raises(ValueError, match="contradict"):
        ag.gram_inf(Xu, "relu", rows="any", normalize=True)
    with pytest.raises(ValueError, match="zero"):
        ag.gram_inf(np.zeros((2, 3)), "relu", rows="any")
    # a zero row is fine with a bias: u = b only; K = E[relu(b)^2] = bias_var / 2 on it
    K = ag.kernel_inf(np.vstack([np.zeros(3), Xu[:2]]), "relu", "K", rows="any", bias_var=0.8)
    assert abs(K[0, 0] - 0.4) < 1e-15
