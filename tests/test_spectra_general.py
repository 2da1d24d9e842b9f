"""Smallest eigenvalues for rows of any norm and a first-layer bias (``rows="any"``,
``bias_var``): brackets against eigvalsh of independent closed-form matrices, the Weyl
radius of the general kernels, exact zeros, refusals."""

import numpy as np
import pytest
from scipy.special import erf

import actgram as ag

NORMS = np.linspace(0.4, 2.5, 18)
X = ag.data.sphere(18, 3, seed=7) * NORMS[:, None]


def _cov(X, bias_var):
    """Covariance of the pre-activations: x.y + bias_var, diagonal |x|^2 + bias_var."""
    S = X @ X.T + bias_var
    return S, np.diag(S)


def _relu_closed(X, bias_var, kind):
    """ReLU with a bias = ReLU of the rows (x, sigma_b): K = s_x s_y J1(theta) / (2 pi),
    G = (x.y + bias_var) (pi - theta) / (2 pi), angles by 2 atan2 (an independent route)."""
    Xt = np.hstack([X, np.full((X.shape[0], 1), np.sqrt(bias_var))])
    s = np.linalg.norm(Xt, axis=1)
    U = Xt / s[:, None]
    th = 2 * np.arctan2(np.linalg.norm(U[:, None] - U[None], axis=2),
                        np.linalg.norm(U[:, None] + U[None], axis=2))
    K = np.outer(s, s) * (np.sin(th) + (np.pi - th) * np.cos(th)) / (2 * np.pi)
    G = (X @ X.T + bias_var) * (np.pi - th) / (2 * np.pi)
    return {"G": G, "K": K, "ntk": G + K}[kind]


def _erf_closed(X, bias_var, kind):
    """erf: K = (2/pi) asin(2c / sqrt((1+2a)(1+2b))), G = c (4/pi) ((1+2a)(1+2b) - 4c^2)^-1/2."""
    C, d = _cov(X, bias_var)
    P = np.outer(1 + 2 * d, 1 + 2 * d)
    K = 2 / np.pi * np.arcsin(np.clip(2 * C / np.sqrt(P), -1, 1))
    G = C * 4 / np.pi / np.sqrt(P - 4 * C * C)
    return {"G": G, "K": K, "ntk": G + K}[kind]


def _inside(b, lam):
    return bool(np.all((b.lower <= lam) & (lam <= b.upper)))


@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
@pytest.mark.parametrize("bias_var", [0.0, 0.6])
def test_bracket_holds_eigvalsh_of_the_general_kernel(kind, bias_var):
    """tanh: the bracket holds numpy's eigenvalues of kernel_inf(rows="any", bias_var), and
    its radius is the general one (ENTRY_ERROR scaled by max(1, max|M|, |x|^2 + bias_var))."""
    b = ag.smallest_eigenvalues(X, "tanh", 3, kind=kind, rows="any", bias_var=bias_var)
    M = ag.kernel_inf(X, "tanh", kind, rows="any", bias_var=bias_var)
    lam = np.linalg.eigvalsh(M)[:3]
    assert b.method == "dense" and b.kind == kind and _inside(b, lam)
    scale = max(1.0, np.max(np.abs(M)))
    if kind != "K":
        scale = max(scale, np.max(NORMS) ** 2 + bias_var)
    # catches the unit-row radius (1e-14 max(1, max|M|)) used for the general kernel
    assert b.radius >= 18 * 2e-14 * scale
    one = ag.lambda_min(X, "tanh", kind=kind, rows="any", bias_var=bias_var)
    assert (one.value, one.lower, one.upper) == (b.value[0], b.lower[0], b.upper[0])


@pytest.mark.parametrize("kind", ["G", "K", "ntk"])
@pytest.mark.parametrize("bias_var", [0.0, 0.6])
@pytest.mark.parametrize("name", ["relu", "erf"])
def test_bracket_holds_eigenvalues_of_closed_forms(name, kind, bias_var):
    """ReLU and erf for rows of any norm and a bias: eigvalsh of the closed-form matrices
    (built here, independently of the package) lies in the bracket, which is resolved."""
    ref = (_relu_closed if name == "relu" else _erf_closed)(X, bias_var, kind)
    lam = np.linalg.eigvalsh(ref)[:2]
    b = ag.smallest_eigenvalues(X, name, 2, kind=kind, rows="any", bias_var=bias_var)
    assert _inside(b, lam) and np.all(b.resolved)


def test_normalised_rows_give_a_bracket_that_misses():
    """Mutation check: the bracket of the normalised rows (normalize=True) does not hold the
    true eigenvalue for rows of norm 2 (so the general path is not the unit one)."""
    X2 = 2.0 * ag.data.sphere(15, 3, seed=2)
    for name, kind in [("relu", "G"), ("tanh", "G"), ("erf", "ntk")]:
        true = ag.lambda_min(X2, name, kind=kind, rows="any")
        wrong = ag.lambda_min(X2, name, kind=kind, normalize=True)
        lam = np.linalg.eigvalsh(ag.kernel_inf(X2, name, kind, rows="any"))[0]
        assert true.lower <= lam <= true.upper
        assert not wrong.lower <= lam <= wrong.upper, (name, kind)
    # ReLU's G is homogeneous of degree 2 in the rows: lambda(2X) = 4 lambda(X)
    unit = ag.lambda_min(X2 / 2, "relu")
    lm = ag.lambda_min(X2, "relu", rows="any")
    assert abs(lm.value - 4 * unit.value) <= 4 * unit.radius + lm.radius


def test_callable_gets_the_callable_radius():
    """A plain callable (erf): the general kernels promise 1e-12 per entry, so the radius is
    100x the built-in's, and the bracket holds the closed form's eigenvalues."""
    bv = 0.3
    b = ag.smallest_eigenvalues(X, lambda z: erf(z), 2, kind="ntk", rows="any",
                                bias_var=bv)
    built_in = ag.smallest_eigenvalues(X, "erf", 2, kind="ntk", rows="any", bias_var=bv)
    assert b.radius >= 50 * built_in.radius and b.radius >= 18 * 2e-12
    assert _inside(b, np.linalg.eigvalsh(_erf_closed(X, bv, "ntk"))[:2])


def test_unit_rows_with_a_bias_and_auto():
    """Unit rows on the half circle: "auto" is fourier without a bias and dense with one
    (or with rows="any"); the bias changes the eigenvalue."""
    H = ag.data.half_circle(24)
    assert ag.lambda_min(H, "tanh").method == "fourier"
    assert ag.lambda_min(H, "tanh", rows="any").method == "dense"
    b = ag.lambda_min(H, "relu", bias_var=0.5)
    lam = np.linalg.eigvalsh(_relu_closed(H, 0.5, "G"))[0]
    assert b.method == "dense" and b.lower <= lam <= b.upper and b.resolved
    assert not b.lower <= ag.lambda_min(H, "relu").value <= b.upper


def test_exact_zeros_for_general_rows():
    """Duplicates force zeros for any norms and any bias; antipodes for any norms without
    a bias only; the same direction at another norm is no duplicate."""
    Y = np.vstack([X[:6], X[2], -X[4], 1.5 * X[0]])  # 6 = 2, 7 = -4, 8 along 0
    b = ag.smallest_eigenvalues(Y, "tanh", 3, rows="any")
    rel = sorted((p.relation, p.i, p.j) for p in b.exact_zeros)
    assert rel == [("antipodal", 4, 7), ("duplicate", 2, 6)] and b.zero_count == 2
    assert "coincide" in b.describe(0) and "phi' is even" in b.describe(0)
    lam = np.linalg.eigvalsh(ag.gram_inf(Y, "tanh", rows="any"))
    assert np.all(np.abs(lam[:2]) <= b.radius) and b.lower[2] > 0  # really two zeros
    c = ag.smallest_eigenvalues(Y, "tanh", 2, rows="any", bias_var=0.5)
    assert [(p.relation, p.i, p.j) for p in c.exact_zeros] == [("duplicate", 2, 6)]
    assert c.zero_count == 1 and c.lower[1] > 0  # the antipode no longer forces a zero
    pairs = ag.spectra.exact_zero_pairs(Y, "tanh", rows="any", bias_var=0.5)
    assert pairs == list(c.exact_zeros)
    Z = np.vstack([np.zeros((2, 3)), X[:3]])  # zero rows: rows="any" with a bias
    z = ag.lambda_min(Z, "tanh", kind="ntk", rows="any", bias_var=0.4)
    assert z.value == 0.0 and z.exact_zeros[0].relation == "duplicate"


@pytest.mark.parametrize("method,kind", [("fourier", "G"), ("spherical", "G"),
                                         ("certified", "G"), ("matrix-free", "G"),
                                         ("sandwich", "ntk")])
def test_other_methods_refuse_general_rows(method, kind):
    H = ag.data.half_circle(12)
    for kw in ({"rows": "any"}, {"bias_var": 0.2}):
        with pytest.raises(ValueError, match=r"needs unit rows and no bias.*method='dense'"):
            ag.lambda_min(H, "tanh", kind=kind, method=method, **kw)


def test_refusals():
    with pytest.raises(ValueError, match=r"on device='cpu' needs unit rows"):
        ag.lambda_min(X, "tanh", method="dense", device="cpu", rows="any")
    with pytest.raises(ValueError, match="contradict"):  # normalize=True with rows="any"
        ag.lambda_min(X, "tanh", rows="any", normalize=True)
    with pytest.raises(ValueError, match=r"rows must be one of 'unit', 'any'"):
        ag.smallest_eigenvalues(X, "tanh", rows="sphere")
    with pytest.raises(ValueError, match=r"bias_var is a variance and must be >= 0"):
        ag.lambda_min(X, "tanh", rows="any", bias_var=-0.1)
    with pytest.raises(TypeError, match=r"bias_var must be a real number"):
        ag.lambda_min(X, "tanh", rows="any", bias_var="0.1")
    with pytest.raises(ValueError, match=r"rows of X must have unit norm"):
        ag.lambda_min(X, "tanh", bias_var=0.1)  # rows="unit" still checks the rows
    with pytest.raises(ValueError, match=r"row 0 of X is zero"):
        ag.lambda_min(np.vstack([np.zeros(3), X[1]]), "tanh", rows="any")
    with pytest.raises(ValueError, match="derivative zero almost everywhere"):
        ag.lambda_min(X, "step", rows="any")
