r"""The threshold activation, arrangement patterns of a data set, and the paper's
synthetic data.

A pattern is the 0/1 vector :math:`h = \mathbf 1\{\tilde X g \ge 0\}` of a direction
:math:`g` on the inputs with a bias column, :math:`\tilde x = (x, 1)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_array, positive_int, real_scalar


def _matrix(A, name: str) -> np.ndarray:
    return np.ascontiguousarray(check_array(A, name, ndim=2, min_size=1))


def threshold(z, s: float = 1.0) -> np.ndarray:
    r"""The threshold activation :math:`\sigma_s(z) = s\,\mathbf 1\{z \ge 0\}` (exact),
    elementwise."""
    z = check_array(z, "z", finite=False)
    s = real_scalar(s, "s")
    return s * (z >= 0).astype(np.float64)


def add_bias(X) -> np.ndarray:
    """Append a column of ones: ``(n, d) -> (n, d + 1)``, so that a direction's last
    entry is a bias."""
    X = _matrix(X, "X")
    return np.hstack([X, np.ones((X.shape[0], 1))])


@dataclass
class Patterns:
    """Distinct non-zero arrangement patterns of a data set.

    ``H``: (n, p) float64 0/1 matrix, column ``j`` is ``1{X_aug @ G[:, j] >= 0}``;
    ``G``: (d + 1, p) a direction (last entry: bias) realising each column;
    ``sampled``: how many directions were drawn (0 for an exhaustive enumeration).
    """

    H: np.ndarray
    G: np.ndarray
    sampled: int = 0

    @property
    def count(self) -> int:
        return int(self.H.shape[1])


def _distinct_nonzero(H: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the first occurrence of every distinct column of the 0/1 matrix H; drop the
    zero column."""
    packed = np.packbits(H.astype(bool), axis=0)  # (ceil(n/8), p) bytes: an exact key
    _, first = np.unique(packed, axis=1, return_index=True)
    first = np.sort(first)
    keep = first[H[:, first].any(axis=0)]
    return H[:, keep], G[:, keep]


def arrangement_patterns(X, n_directions: int, *, seed: int = 0) -> Patterns:
    r"""Arrangement patterns :math:`\mathbf 1\{\tilde X g \ge 0\}` of sampled
    directions.

    ``X``: (n, d) inputs (any scale; a ones column is appended for the bias);
    ``n_directions``: number of directions :math:`g \sim N(0, I_{d+1})` drawn with
    ``numpy.random.default_rng(seed)``. Duplicate patterns and the all-zero pattern are
    dropped; the first direction that produced each pattern is kept, in sampling order,
    so a larger ``n_directions`` with the same seed gives a superset of patterns.
    """
    Xa = add_bias(X)
    p = positive_int(n_directions, "n_directions")
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    # a row per direction: a prefix of a longer draw
    G = rng.standard_normal((p, Xa.shape[1])).T
    H = (Xa @ G >= 0).astype(np.float64)
    H, G = _distinct_nonzero(H, G)
    return Patterns(H, G, sampled=p)


def _pair_patterns(X: np.ndarray, i: int, j: int, scale: float) -> list[np.ndarray]:
    """The 8 patterns of the line through points i and j: either side, plus any subset
    of {i, j}."""
    e = X[j] - X[i]
    if np.hypot(*e) <= 1e-12 * scale:
        raise ValueError(f"points {i} and {j} coincide; exhaustive_patterns_2d needs "
                         "distinct points")
    a = np.array([-e[1], e[0]]) / np.hypot(*e)
    side = X @ a - a @ X[i]
    side[[i, j]] = np.inf
    k = int(np.argmin(np.abs(side)))
    if np.abs(side[k]) <= 1e-9 * scale:
        raise ValueError(f"points {i}, {j} and {k} are (nearly) collinear; "
                         "exhaustive_patterns_2d needs points in general position "
                         "(perturb them slightly)")
    cols = []
    for sign in (1.0, -1.0):
        base = sign * side > 0
        for with_i in (False, True):
            for with_j in (False, True):
                h = base.copy()
                h[i], h[j] = with_i, with_j
                cols.append(h)
    return cols


def exhaustive_patterns_2d(X) -> Patterns:
    r"""Every non-zero pattern :math:`\mathbf 1\{a\cdot x + b \ge 0\}` of points in the
    plane, exactly.

    ``X``: (n, 2) points in general position (no two equal, no three on a line). Any
    separating line can be moved, without crossing a point, until it passes through two
    data points, so every pattern is one side of the line through some pair :math:`(x_i,
    x_j)` plus a subset of :math:`\{i, j\}`; the function enumerates these (8 per pair),
    keeps the distinct non-zero ones and returns a direction realising each. For points
    in general position there are exactly :math:`n^2 - n + 1` of them (Cover's count
    :math:`2\sum_{k \le 2}\binom{n-1}{k}` minus the empty pattern).
    """
    X = _matrix(X, "X")
    n, d = X.shape
    if d != 2:
        raise ValueError("exhaustive_patterns_2d needs points in the plane, shape "
                         f"(n, 2); got {X.shape}. In higher dimension sample "
                         "directions with arrangement_patterns.")
    if n < 2:
        raise ValueError("exhaustive_patterns_2d needs at least 2 points")
    scale = float(np.abs(X).max()) or 1.0
    cols = [np.ones(n, dtype=bool)]
    for i in range(n):
        for j in range(i + 1, n):
            cols.extend(_pair_patterns(X, i, j, scale))
    H = np.array(cols).T.astype(np.float64)
    H, _ = _distinct_nonzero(H, np.zeros((3, H.shape[1])))
    G = np.array([_direction_for(X, H[:, c]) for c in range(H.shape[1])]).T
    return Patterns(H, G, sampled=0)


def _direction_for(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """A direction (a, b) with 1{X a + b >= 0} == h for a linearly separable 0/1 pattern
    h (max-margin LP)."""
    from scipy.optimize import linprog

    n = X.shape[0]
    sgn = np.where(h > 0, 1.0, -1.0)
    Xa = np.hstack([X, np.ones((n, 1))])
    # maximise t subject to sgn_i (a.x_i + b) >= t, -1 <= a, b <= 1, t <= 1
    A_ub = np.hstack([-sgn[:, None] * Xa, np.ones((n, 1))])
    res = linprog(np.array([0.0, 0.0, 0.0, -1.0]), A_ub=A_ub, b_ub=np.zeros(n),
                  bounds=[(-1, 1)] * 3 + [(None, 1)], method="highs")
    g = res.x[:3]
    if not (res.status == 0 and res.x[3] > 0 and np.array_equal(Xa @ g >= 0, h > 0)):
        raise RuntimeError("internal error: an enumerated pattern is not linearly "
                           "separable")
    return g


def tanh_teacher_data(n: int, d: int, n_test: int, *, width: int = 20, seed: int = 0):
    r"""Labels from a random tanh teacher, as in the public code of Ergen et al.

    Inputs :math:`x \sim N(0, I_d)` (training and test); teacher :math:`g(x) =
    \tanh(\tanh(\tilde x W_1) W_2)\,w_3` with :math:`\tilde x = (x, 1)` and all weights
    uniform on :math:`[-1, 1]` (``W_1``: (d + 1, width), ``W_2``: (width, width));
    labels :math:`y = \mathrm{sign}\, g(x) \in \{-1, +1\}` (0 counted as +1). Returns
    ``X (n, d), y (n,), X_test (n_test, d), y_test (n_test,)`` (no bias column; the
    functions of this module append it).
    """
    n = positive_int(n, "n")
    d = positive_int(d, "d")
    n_test = positive_int(n_test, "n_test")
    width = positive_int(width, "width")
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    X = rng.standard_normal((n, d))
    X_test = rng.standard_normal((n_test, d))
    W1 = rng.uniform(-1, 1, (d + 1, width))
    W2 = rng.uniform(-1, 1, (width, width))
    w3 = rng.uniform(-1, 1, width)

    def label(A):
        g = np.tanh(np.tanh(add_bias(A) @ W1) @ W2) @ w3
        return np.where(g >= 0, 1.0, -1.0)

    return X, label(X), X_test, label(X_test)
