"""Student-teacher ReLU nets: closed-form loss, gradient and Hessian; spurious minima and their symmetry."""

import math

import numpy as np
import pytest

from actgram.companions import hessian as h

LO, HI = 0.25 - 1 / (2 * math.pi), 0.25 + 1 / (2 * math.pi)

# A spurious minimum of type Delta S_{k-1} at k = d = 8, to 5 digits (our measurement; the tests
# polish it with Newton in the symmetric subspace, so the digits only need to land in its basin).
THETA8 = [-0.65826, 0.15982, 0.22809, 1.00143, -0.02588]


def _random_W(k, d, seed, scale=0.7):
    return scale * np.random.default_rng(seed).standard_normal((k, d))


# ------------------------------------------------------------------------------------------
# closed forms, hand-checked cases
# ------------------------------------------------------------------------------------------
def test_kernel_hand_checked():
    e1, e2 = np.eye(2)
    # parallel: E[relu(g)^2] = 1/2; orthogonal: E[relu(g1)] E[relu(g2)] = (1/sqrt(2 pi))^2 = 1/(2 pi);
    # opposite: relu(g) relu(-g) = 0
    K = h.arccos_kernel(np.array([e1]), np.array([e1, e2, -e1, 3 * e1]))
    np.testing.assert_allclose(K[0], [0.5, 1 / (2 * math.pi), 0.0, 1.5], atol=1e-15)
    assert h.arccos_kernel(np.zeros((1, 2)), np.array([e1]))[0, 0] == 0.0  # zero neuron


def test_single_neuron_loss_closed_form():
    # k = d = 1, W = w: L = 1/2 E[(relu(w x) - relu(x))^2] = (w - 1)^2 / 4 for w > 0,
    # and (w^2 + 1) / 4 for w < 0 (the two ReLUs never overlap).
    for w in (0.3, 1.0, 2.5):
        assert h.population_loss([[w]]) == pytest.approx((w - 1) ** 2 / 4, abs=1e-15)
        assert h.population_gradient([[w]])[0, 0] == pytest.approx((w - 1) / 2, abs=1e-15)
        assert h.population_hessian([[w]])[0, 0] == pytest.approx(0.5, abs=1e-15)
    assert h.population_loss([[-2.0]]) == pytest.approx(5 / 4, abs=1e-15)


@pytest.mark.parametrize("k,d", [(3, 3), (4, 6)])
def test_global_minimum(k, d):
    V = h.teacher(k, d)
    assert h.population_loss(V) == 0.0
    assert np.max(np.abs(h.population_gradient(V))) < 1e-15
    e = np.linalg.eigvalsh(h.population_hessian(V))
    assert e[0] == pytest.approx(LO, abs=1e-13)  # PSD, smallest eigenvalue 1/4 - 1/(2 pi)
    # permuting the student's neurons changes nothing
    P = V[np.random.default_rng(0).permutation(k)]
    assert h.population_loss(P) == 0.0


def test_global_minimum_multiplicities_formula():
    # the book's derivation: k(k-1)/2 eigenvectors A + diag(A 1) (A antisymmetric) for 1/4 - 1/(2 pi),
    # k(k-3)/2 symmetric zero-diagonal zero-row-sum matrices for 1/4 + 1/(2 pi); measured equal.
    for k in (3, 4, 6, 8):
        for d in (k, k + 2):
            m = h.global_minimum_multiplicities(k, d)
            assert m == {"1/4 - 1/(2 pi)": k * (k - 1) // 2, "1/4 + 1/(2 pi)": k * (k - 3) // 2}


# ------------------------------------------------------------------------------------------
# three ways: closed form, finite differences, Monte Carlo
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k,d,seed", [(3, 3, 1), (4, 6, 2)])
def test_gradient_and_hessian_vs_finite_differences(k, d, seed):
    W = _random_W(k, d, seed)
    g = h.population_gradient(W)
    H = h.population_hessian(W)
    # central differences: error ~ eps^2 * |third derivative| + 1e-16 / eps, about 1e-9 here
    eps = 1e-5
    g_fd = np.zeros_like(W)
    H_fd = np.zeros_like(H)
    for p in range(k * d):
        E = np.zeros(k * d)
        E[p] = eps
        E = E.reshape(k, d)
        g_fd.ravel()[p] = (h.population_loss(W + E) - h.population_loss(W - E)) / (2 * eps)
        H_fd[:, p] = ((h.population_gradient(W + E) - h.population_gradient(W - E)) / (2 * eps)).ravel()
    np.testing.assert_allclose(g, g_fd, atol=1e-8)
    np.testing.assert_allclose(H, H_fd, atol=1e-8)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    np.testing.assert_allclose(h.finite_difference_hessian(W), H, atol=1e-8)


def test_loss_and_gradient_vs_monte_carlo():
    W = _random_W(3, 4, 5)
    mean, se = h.monte_carlo_loss(W, n=400_000, seed=1)
    # 4 standard errors: a seeded run; a correct closed form fails this with probability 6e-5
    assert abs(h.population_loss(W) - mean) < 4 * se
    gm, gse = h.monte_carlo_gradient(W, n=400_000, seed=2)
    z = np.abs(h.population_gradient(W) - gm) / gse
    assert z.max() < 4.5  # 12 coordinates: family-wise false-failure probability about 1e-4


def test_hessian_at_coinciding_directions_is_finite_and_continuous():
    V = h.teacher(3)
    H0 = h.population_hessian(V)  # every w_i = v_i: the 0/0 terms take their limit
    assert np.all(np.isfinite(H0))
    W = V + 1e-7 * np.random.default_rng(3).standard_normal(V.shape)
    assert np.max(np.abs(h.population_hessian(W) - H0)) < 1e-5  # continuous (the loss is C^2)


# ------------------------------------------------------------------------------------------
# minima and symmetry
# ------------------------------------------------------------------------------------------
def test_symmetric_family_is_a_spurious_minimum_at_k8():
    theta, W = h.symmetric_critical_point(THETA8, 8)
    assert np.linalg.norm(h.population_gradient(W)) < 1e-11  # symmetric criticality, full gradient
    e = np.linalg.eigvalsh(h.population_hessian(W))
    assert e[0] > 0.02  # strict local minimum (measured 0.0213)
    assert h.population_loss(W) > 0.02  # not global
    assert int(np.sum(e > 1.0)) == 9  # d + 1 large eigenvalues
    # the minimiser stays there, and classifies it
    r = h.find_minimum(W + 1e-4 * np.random.default_rng(0).standard_normal(W.shape))
    assert r.verdict == "spurious" and r.loss == pytest.approx(h.population_loss(W), abs=1e-12)
    c = h.canonical_form(r.W)
    assert c.blocks == (1, 7) and c.defect < 1e-8 and c.extra_symmetric and len(c.values) == 5


def test_canonical_form_undoes_permutations():
    _, W = h.symmetric_critical_point(THETA8, 8, 10)
    rng = np.random.default_rng(4)
    P = rng.permutation(8)
    Q = np.concatenate([rng.permutation(8), 8 + rng.permutation(2)])
    c0, c1 = h.canonical_form(W), h.canonical_form(W[P][:, Q])
    np.testing.assert_allclose(c0.W, c1.W, atol=1e-12)
    assert c1.blocks == (1, 7) and c1.extra_symmetric
    # generic W: no symmetry
    c = h.canonical_form(_random_W(5, 5, 6))
    assert c.defect > 1e-3 or c.blocks == (1, 1, 1, 1, 1)


def test_random_starts_find_the_global_minimum():
    res = h.random_starts(3, 3, 3, seed=0)
    assert all(r.verdict == "global" and r.loss < 1e-10 for r in res)


def test_cluster_eigenvalues():
    out = h.cluster_eigenvalues([1.0, 2.0, 1.0 + 1e-12, 2.0])
    assert [m for _, m in out] == [2, 2]
    np.testing.assert_allclose([v for v, _ in out], [1.0, 2.0], atol=1e-12)
    assert [m for _, m in h.cluster_eigenvalues([1.0, 1.1])] == [1, 1]


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------
def test_bad_inputs():
    with pytest.raises(ValueError, match="d >= k"):
        h.teacher(4, 3)
    with pytest.raises(ValueError, match="2-D"):
        h.population_loss(np.ones(3))
    with pytest.raises(ValueError, match="NaN or inf"):
        h.population_loss([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="row 1 of W is zero"):
        h.population_gradient([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="same input dimension"):
        h.population_hessian(np.eye(2), np.eye(3))
    with pytest.raises(TypeError, match="complex"):
        h.population_loss(np.eye(2) * 1j)
    with pytest.raises(ValueError, match=r"W must have at least an entry; got 0 \(shape \(0, 3\)\)"):
        h.population_loss(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="k"):
        h.symmetric_basis(2)
    with pytest.raises(ValueError, match="must have 5 entries"):
        h.symmetric_critical_point([1.0, 2.0], 6)
    with pytest.raises(ValueError, match="n_starts"):
        h.random_starts(3, 3, 0)
    with pytest.raises(ValueError, match="grad_tol"):
        h.find_minimum(np.eye(2), grad_tol=-1.0)
    with pytest.raises(ValueError, match="step"):
        h.finite_difference_hessian(np.eye(2), step=0.0)
    with pytest.raises(ValueError, match="same length"):
        h.symmetric_family(THETA8, [8, 9], [8])
    with pytest.raises(ValueError, match="canonical_form needs d >= k"):
        h.canonical_form(np.ones((3, 2)))


# ------------------------------------------------------------------------------------------
# the package layout (issue 17): one arc-cosine kernel, one angle guard, distinct names
# ------------------------------------------------------------------------------------------
def test_kernel_is_arccos_J_bit_for_bit():
    """The kernel is written once (activations.arccos_J) and the angle once
    (_guards.direction_angles); the closed forms keep the bits of the formula
    |w||u|/(2 pi) (sin t + (pi - t) cos t) written out, so the chapters' numbers stay."""
    from actgram._guards import direction_angles

    rng = np.random.default_rng(11)
    W, U = rng.standard_normal((5, 4)), rng.standard_normal((3, 4))
    nw, nu = np.linalg.norm(W, axis=1), np.linalg.norm(U, axis=1)
    t = direction_angles((W / nw[:, None])[:, None, :], (U / nu[:, None])[None, :, :])
    literal = nw[:, None] * nu[None, :] / (2 * math.pi) * (np.sin(t) + (math.pi - t) * np.cos(t))
    assert np.array_equal(h.arccos_kernel(W, U), literal)


def test_minimum_result_has_a_verdict_not_a_kind():
    """kind means only G/K/ntk in actgram: the minimiser's label is MinimumResult.verdict."""
    r = h.find_minimum(h.teacher(3) + 1e-3)
    assert r.verdict == "global" and not hasattr(r, "kind")


def test_companion_modules_small_and_exports_resolve():
    """Every companion module has at most 400 lines, and every name in each package's
    __all__ resolves (the packages re-export their modules' public names)."""
    import pathlib

    from actgram.companions import shortcut as sc
    from actgram.companions import threshold as th

    for pkg in (h, sc, th):
        for f in pathlib.Path(pkg.__file__).parent.glob("*.py"):
            assert len(f.read_text().splitlines()) <= 400, f
        assert all(getattr(pkg, name, None) is not None for name in pkg.__all__)
