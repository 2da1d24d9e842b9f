"""Exact zeros of G explained: duplicate and antipodal points are named, with the reason."""

import numpy as np

import actgram as ag
from actgram.spectra import exact_zero_pairs


def _circle(n, extra):
    X = ag.data.half_circle(n)
    return np.vstack([X, extra])


def test_antipodal_tanh_named_and_zero():
    """tanh' is even: x and -x give rows of G that are negatives, so lambda_min = 0 exactly;
    the result says which pair and why (it used to print an unresolved [0, 2e-13])."""
    X = _circle(12, -ag.data.half_circle(12)[3])
    lm = ag.lambda_min(X, "tanh")
    assert lm.value == 0.0 and lm.lower == 0.0
    assert len(lm.exact_zeros) == 1
    z = lm.exact_zeros[0]
    assert (z.i, z.j, z.relation) == (3, 12, "antipodal")
    text = lm.describe()
    assert text.startswith("0 exactly") and "antipodal" in text and "phi' is even" in text
    # the claim itself: G v = 0 for v = e_i + e_j (rows are negatives)
    G = ag.gram_inf(X, "tanh")
    np.testing.assert_allclose(G[3] + G[12], 0.0, atol=1e-15)


def test_duplicates_always_named():
    """A duplicate point forces a zero for every activation, ReLU included."""
    X = _circle(10, ag.data.half_circle(10)[4])
    for act in ("relu", "tanh", "elu"):
        pairs = exact_zero_pairs(X, act)
        assert [(p.i, p.j, p.relation) for p in pairs] == [(4, 10, "duplicate")]
    lm = ag.lambda_min(X, "relu")
    assert lm.value == 0.0 and "coincide" in lm.describe()


def test_antipodes_not_zero_for_relu_or_softplus():
    """ReLU's phi' (a step) and softplus' (constant + odd) have no parity: antipodes do not
    force a zero and are not reported (a report there would be wrong)."""
    X = _circle(10, -ag.data.half_circle(10)[2])
    for act in ("relu", "softplus", "swish"):
        assert exact_zero_pairs(X, act) == []
    assert ag.lambda_min(X, "relu").lower > 0


def test_abs_odd_derivative_and_K_parity():
    """abs: phi' = sign is odd, so antipodal rows of G are equal (zero forced); for K the
    parity of phi decides (tanh odd: K rows are negatives)."""
    X = _circle(8, -ag.data.half_circle(8)[1])
    pairs = exact_zero_pairs(X, "abs")
    assert pairs and pairs[0].relation == "antipodal" and "equal to" in pairs[0].reason
    G = ag.gram_inf(X, "abs")
    np.testing.assert_allclose(G[1] - G[8], 0.0, atol=1e-15)
    assert exact_zero_pairs(X, "tanh", "K")[0].relation == "antipodal"
    K = ag.kernel_inf(X, "tanh", "K")
    np.testing.assert_allclose(K[1] + K[8], 0.0, atol=1e-15)
    assert exact_zero_pairs(X, "relu", "K") == []


def test_near_pairs_are_not_exact():
    """A pair 1e-9 apart is not an exact zero (lambda_min is tiny but positive)."""
    x = ag.data.half_circle(10)[4]
    y = x + np.array([1e-9, -1e-9])
    y /= np.linalg.norm(y)
    assert exact_zero_pairs(_circle(10, y), "tanh") == []


def test_smallest_eigenvalues_counts_zeros():
    """Two duplicates and one antipode: three forced zeros for tanh, named in the brackets."""
    H = ag.data.half_circle(10)
    X = np.vstack([H, H[0], H[5], -H[7]])
    b = ag.smallest_eigenvalues(X, "tanh", 4)
    assert b.zero_count == 3 and np.all(b.value[:3] == 0.0)
    assert b.describe(0).startswith("0 exactly") and not b.describe(3).startswith("0 exactly")
