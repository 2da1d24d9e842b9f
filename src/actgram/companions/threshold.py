r"""Threshold-activation nets trained globally by a convex program.

A companion to the book, after Ergen, Gulluk, Lacotte and Pilanci, "Globally optimal training
of neural networks with threshold activation functions" (ICLR 2023).

**The net.** The threshold activation with amplitude :math:`s` is
:math:`\sigma_s(z) = s\,\mathbf 1\{z \ge 0\}`. A two-layer net on inputs with a bias column,
:math:`\tilde x = (x, 1) \in \mathbb R^{d+1}`, is
:math:`f(x) = \sum_{j=1}^m \alpha_j\, s_j\, \mathbf 1\{\tilde x\cdot w_j \ge 0\}`.

**The weight-decay objective used throughout** (the book's statement, written out so that the
straight-through runs below are comparable):

.. math::  J(W, s, \alpha) = \tfrac12 \|f(X) - y\|_2^2 + \tfrac{\beta}{2}\sum_j (s_j^2 + \alpha_j^2).

The first-layer weights are not penalised: :math:`\mathbf 1\{\tilde X w \ge 0\}` does not change
under :math:`w \to c\,w`, :math:`c > 0`, so a penalty on :math:`w` could be driven to zero
without changing the net (its infimum is the same objective).

**The convex program.** By :math:`s^2 + \alpha^2 \ge 2|s\alpha|` (equality at
:math:`|s| = |\alpha|`) and because the first layer acts on the data only through the 0/1
*arrangement pattern* :math:`h = \mathbf 1\{\tilde X w \ge 0\} \in \{0,1\}^n`,

.. math::  \min_{W, s, \alpha} J = \min_u\ \tfrac12\|H u - y\|_2^2 + \beta \|u\|_1
           \qquad (u_j = s_j \alpha_j),

where the columns of :math:`H` run over all arrangement patterns and the width :math:`m` is at
least the number of non-zeros of a Lasso solution (at most :math:`n + 1` suffice). Ergen et al.
prove this equivalence; here :math:`H` is built from sampled directions
(:func:`arrangement_patterns`), or exhaustively for inputs in the plane
(:func:`exhaustive_patterns_2d`), and the Lasso is solved with open methods:
:func:`solve_lasso_fista` (FISTA with adaptive restart, stopped by a certified duality gap) and
:func:`solve_lasso_lbfgsb` (scipy's L-BFGS-B on the split :math:`u = u^+ - u^-`), both reporting
the same certificate (:func:`lasso_dual_bound`).

**The shattering formulation.** If a hidden layer can realise every pattern in
:math:`\{0,1\}^n`, the Lasso runs over all of them and (the book's derivation: the
:math:`\ell_1` gauge of the 0/1 cube's columns is a layer-cake sum) becomes

.. math::  \min_\delta\ \tfrac12\|\delta - y\|_2^2 + \beta\,(\|\delta_+\|_\infty + \|\delta_-\|_\infty),

which :func:`shattering_closed_form` solves exactly (a water-filling in one variable per sign)
and :func:`shattering_generic` with scipy's SLSQP as an independent check.

**Baselines.** :func:`train_ste` trains the same net by full-batch SGD (or Adam, optionally with
linear warm-up and cosine decay of the learning rate) with straight-through
estimators (forward :math:`\mathbf 1\{z > 0\}`; backward identity, ReLU mask, leaky mask or
clipped mask) on :math:`J / n`, and :meth:`ThresholdNet.convex_objective` reports any net in the
Lasso form (amplitudes balanced, equal patterns merged), which is :math:`\le J` and directly
comparable to the Lasso optimum.

Accuracy: everything is float64. The Lasso solvers return a primal point and a dual-feasible
point; the optimum of the Lasso over the given patterns lies in
``[dual_objective, objective]`` (the certified gap), up to rounding of order
:math:`10^{-15}\,\|y\|^2`. The shattering closed form is exact up to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_real_array, positive_int, real_scalar

__all__ = [
    "LassoResult",
    "Patterns",
    "SteResult",
    "ThresholdNet",
    "STE_BACKWARDS",
    "add_bias",
    "arrangement_patterns",
    "exhaustive_patterns_2d",
    "lasso_dual_bound",
    "lasso_objective",
    "network_from_lasso",
    "patterns_with_nets",
    "shattering_closed_form",
    "shattering_generic",
    "shattering_objective",
    "solve_lasso_fista",
    "solve_lasso_lbfgsb",
    "tanh_teacher_data",
    "threshold",
    "train_ste",
    "ste_learning_rate",
    "STE_OPTIMIZERS",
    "STE_DECAYS",
]

#: Straight-through backward passes, as in the public code of Ergen et al.: the gradient that
#: flows through the threshold at pre-activation z is multiplied by this mask.
STE_BACKWARDS = {
    "identity": "1 (the threshold is treated as the identity)",
    "relu": "1{z >= 0} (ReLU's derivative)",
    "leaky": "1 for z >= 0, 0.01 for z < 0 (leaky ReLU's derivative)",
    "clipped": "1{0 <= z <= 1} (clipped ReLU's derivative)",
}


# ----------------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------------

def _matrix(A, name: str) -> np.ndarray:
    A = as_real_array(A, name, "a real 2-D array")
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got shape {A.shape}. For one row use {name}.reshape(1, -1).")
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {A.shape})")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or inf; clean it first")
    return np.ascontiguousarray(A)


def _vector(y, name: str, n: int) -> np.ndarray:
    y = as_real_array(y, name, "a real array of shape (n,)")
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the data; got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or inf")
    return y


def _beta(beta) -> float:
    return real_scalar(beta, "beta", positive=True)


def _lasso_inputs(H, y, beta):
    H = _matrix(H, "H")
    y = _vector(y, "y", H.shape[0])
    return H, y, _beta(beta)


# ----------------------------------------------------------------------------------------------
# the activation and the patterns
# ----------------------------------------------------------------------------------------------

def threshold(z, s: float = 1.0) -> np.ndarray:
    r"""The threshold activation :math:`\sigma_s(z) = s\,\mathbf 1\{z \ge 0\}` (exact), elementwise."""
    z = as_real_array(z, "z")
    s = real_scalar(s, "s")
    return s * (z >= 0).astype(np.float64)


def add_bias(X) -> np.ndarray:
    """Append a column of ones: ``(n, d) -> (n, d + 1)``, so that a direction's last entry is a bias."""
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
    """Keep the first occurrence of every distinct column of the 0/1 matrix H; drop the zero column."""
    packed = np.packbits(H.astype(bool), axis=0)  # (ceil(n/8), p) bytes: a cheap exact key per column
    _, first = np.unique(packed, axis=1, return_index=True)
    first = np.sort(first)
    keep = first[H[:, first].any(axis=0)]
    return H[:, keep], G[:, keep]


def arrangement_patterns(X, n_directions: int, *, seed: int = 0) -> Patterns:
    r"""Arrangement patterns :math:`\mathbf 1\{\tilde X g \ge 0\}` of sampled directions.

    ``X``: (n, d) inputs (any scale; a ones column is appended for the bias);
    ``n_directions``: number of directions :math:`g \sim N(0, I_{d+1})` drawn with
    ``numpy.random.default_rng(seed)``. Duplicate patterns and the all-zero pattern are dropped;
    the first direction that produced each pattern is kept, in sampling order, so a larger
    ``n_directions`` with the same seed gives a superset of patterns.
    """
    Xa = add_bias(X)
    p = positive_int(n_directions, "n_directions")
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    G = rng.standard_normal((p, Xa.shape[1])).T  # row per direction: a prefix of a longer draw
    H = (Xa @ G >= 0).astype(np.float64)
    H, G = _distinct_nonzero(H, G)
    return Patterns(H, G, sampled=p)


def exhaustive_patterns_2d(X) -> Patterns:
    r"""Every non-zero pattern :math:`\mathbf 1\{a\cdot x + b \ge 0\}` of points in the plane, exactly.

    ``X``: (n, 2) points in general position (no two equal, no three on a line). Any separating
    line can be moved, without crossing a point, until it passes through two data points, so
    every pattern is one side of the line through some pair :math:`(x_i, x_j)` plus a subset of
    :math:`\{i, j\}`; the function enumerates these (8 per pair), keeps the distinct non-zero
    ones and returns a direction realising each. For points in general position there are
    exactly :math:`n^2 - n + 1` of them (Cover's count :math:`2\sum_{k \le 2}\binom{n-1}{k}`
    minus the empty pattern).
    """
    X = _matrix(X, "X")
    n, d = X.shape
    if d != 2:
        raise ValueError(f"exhaustive_patterns_2d needs points in the plane, shape (n, 2); got {X.shape}. "
                         "In higher dimension sample directions with arrangement_patterns.")
    if n < 2:
        raise ValueError("exhaustive_patterns_2d needs at least 2 points")
    scale = float(np.abs(X).max()) or 1.0
    cols = [np.ones(n, dtype=bool)]
    for i in range(n):
        for j in range(i + 1, n):
            e = X[j] - X[i]
            if np.hypot(*e) <= 1e-12 * scale:
                raise ValueError(f"points {i} and {j} coincide; exhaustive_patterns_2d needs distinct points")
            a = np.array([-e[1], e[0]]) / np.hypot(*e)
            side = X @ a - a @ X[i]
            side[[i, j]] = np.inf
            k = int(np.argmin(np.abs(side)))
            if np.abs(side[k]) <= 1e-9 * scale:
                raise ValueError(f"points {i}, {j} and {k} are (nearly) collinear; exhaustive_patterns_2d "
                                 "needs points in general position (perturb them slightly)")
            for sign in (1.0, -1.0):
                base = sign * side > 0
                for with_i in (False, True):
                    for with_j in (False, True):
                        h = base.copy()
                        h[i], h[j] = with_i, with_j
                        cols.append(h)
    H = np.array(cols).T.astype(np.float64)
    H, _ = _distinct_nonzero(H, np.zeros((3, H.shape[1])))
    G = np.array([_direction_for(X, H[:, c]) for c in range(H.shape[1])]).T
    return Patterns(H, G, sampled=0)


def _direction_for(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """A direction (a, b) with 1{X a + b >= 0} == h for a linearly separable 0/1 pattern h (max-margin LP)."""
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
        raise RuntimeError("internal error: an enumerated pattern is not linearly separable")
    return g


# ----------------------------------------------------------------------------------------------
# the Lasso and its certificate
# ----------------------------------------------------------------------------------------------

def lasso_objective(H, y, u, beta: float) -> float:
    r""":math:`P(u) = \tfrac12\|Hu - y\|_2^2 + \beta\|u\|_1` (float64)."""
    H, y, beta = _lasso_inputs(H, y, beta)
    u = _vector(u, "u", H.shape[1])
    return _primal(H, y, u, beta)


def _primal(H, y, u, beta) -> float:
    r = H @ u - y
    return 0.5 * float(r @ r) + beta * float(np.abs(u).sum())


def _dual(H, y, u, beta) -> float:
    """Dual value y.v - |v|^2/2 at v = the residual scaled so that max |H^T v| <= beta."""
    v = y - H @ u
    c = float(np.abs(H.T @ v).max(initial=0.0))
    if c > beta:
        v = v * (beta / c)
    return float(y @ v) - 0.5 * float(v @ v)


def lasso_dual_bound(H, y, u, beta: float) -> float:
    r"""A certified lower bound on :math:`\min_u P(u)` from any primal point ``u``.

    The Lasso's dual is :math:`\max_v\ y\cdot v - \tfrac12\|v\|_2^2` subject to
    :math:`\|H^\top v\|_\infty \le \beta`; the residual :math:`y - Hu`, scaled into the feasible
    set, gives a dual value :math:`D \le P^\star \le P(u)` (weak duality). At the optimum the
    two meet.
    """
    H, y, beta = _lasso_inputs(H, y, beta)
    u = _vector(u, "u", H.shape[1])
    return _dual(H, y, u, beta)


@dataclass
class LassoResult:
    """A Lasso solution with its certificate: the optimum lies in ``[dual_objective, objective]``."""

    u: np.ndarray
    objective: float
    dual_objective: float
    iterations: int
    converged: bool
    method: str

    @property
    def gap(self) -> float:
        """Certified duality gap ``objective - dual_objective`` (>= 0 up to rounding)."""
        return self.objective - self.dual_objective

    @property
    def support(self) -> np.ndarray:
        """Indices of the non-zero coefficients."""
        return np.flatnonzero(self.u)


def solve_lasso_fista(H, y, beta: float, *, tol: float = 1e-10, max_iter: int = 200_000,
                      check_every: int = 10) -> LassoResult:
    r"""Solve :math:`\min_u \tfrac12\|Hu - y\|_2^2 + \beta\|u\|_1` by FISTA with adaptive restart.

    Step :math:`1/L`, :math:`L = \|H\|_2^2`; proximal step = soft thresholding at
    :math:`\beta/L`; momentum restarted whenever it points uphill (O'Donoghue and Candes' gradient
    test). Every ``check_every`` iterations the certified gap :math:`P(u) - D(v)`
    (:func:`lasso_dual_bound`) is computed; the run stops when it is at most
    ``tol * max(P(u), 1e-300)``. ``converged`` is False if ``max_iter`` is reached first; the
    returned gap is a valid certificate either way.
    """
    H, y, beta = _lasso_inputs(H, y, beta)
    tol = real_scalar(tol, "tol", positive=True)
    max_iter = positive_int(max_iter, "max_iter")
    check_every = positive_int(check_every, "check_every")
    L = float(np.linalg.norm(H, 2)) ** 2
    if L == 0.0:
        u = np.zeros(H.shape[1])
        return LassoResult(u, _primal(H, y, u, beta), _dual(H, y, u, beta), 0, True, "fista")
    thr = beta / L
    u = np.zeros(H.shape[1])
    z = u.copy()
    t = 1.0
    best = (np.inf, u, -np.inf)
    it = 0
    converged = False
    for it in range(1, max_iter + 1):  # noqa: B007 (it is reported)
        g = H.T @ (H @ z - y)
        w = z - g / L
        u_new = np.sign(w) * np.maximum(np.abs(w) - thr, 0.0)
        if (z - u_new) @ (u_new - u) > 0:  # momentum points uphill: restart
            t = 1.0
            z = u_new
        else:
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            z = u_new + ((t - 1.0) / t_new) * (u_new - u)
            t = t_new
        u = u_new
        if it % check_every == 0 or it == max_iter:
            P, D = _primal(H, y, u, beta), _dual(H, y, u, beta)
            lower = max(D, best[2])
            best = (P, u.copy(), lower) if best[0] > P else (best[0], best[1], lower)
            if best[0] - best[2] <= tol * max(best[0], 1e-300):
                converged = True
                break
    return LassoResult(best[1], best[0], best[2], it, converged, "fista")


def solve_lasso_lbfgsb(H, y, beta: float, *, max_iter: int = 50_000) -> LassoResult:
    r"""The same Lasso with a generic solver: scipy's L-BFGS-B on :math:`u = u^+ - u^-`, :math:`u^\pm \ge 0`.

    Minimises :math:`\tfrac12\|H(u^+ - u^-) - y\|^2 + \beta\,\mathbf 1^\top(u^+ + u^-)` (smooth,
    with bound constraints) with tight tolerances; the certificate is computed as in
    :func:`solve_lasso_fista`. ``converged`` is scipy's success flag.
    """
    from scipy.optimize import minimize

    H, y, beta = _lasso_inputs(H, y, beta)
    max_iter = positive_int(max_iter, "max_iter")
    p = H.shape[1]

    def fun(x):
        u = x[:p] - x[p:]
        r = H @ u - y
        g = H.T @ r
        return 0.5 * float(r @ r) + beta * float(x.sum()), np.concatenate([g + beta, beta - g])

    res = minimize(fun, np.zeros(2 * p), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * (2 * p),
                   options={"maxiter": max_iter, "maxfun": 2 * max_iter, "ftol": 1e-15, "gtol": 1e-12,
                            "maxcor": 30})
    u = res.x[:p] - res.x[p:]
    return LassoResult(u, _primal(H, y, u, beta), _dual(H, y, u, beta), int(res.nit), bool(res.success),
                       "l-bfgs-b")


# ----------------------------------------------------------------------------------------------
# nets
# ----------------------------------------------------------------------------------------------

@dataclass
class ThresholdNet:
    r"""A two-layer threshold net :math:`f(x) = \sum_j \alpha_j s_j \mathbf 1\{(x, 1)\cdot w_j \ge 0\}`.

    ``W``: (d + 1, m) first-layer directions (last row: biases); ``s``, ``alpha``: (m,)
    amplitudes and output weights.
    """

    W: np.ndarray
    s: np.ndarray
    alpha: np.ndarray

    @property
    def width(self) -> int:
        return int(self.W.shape[1])

    def _check(self, X) -> np.ndarray:
        Xa = add_bias(X)
        if Xa.shape[1] != self.W.shape[0]:
            raise ValueError(f"X has {Xa.shape[1] - 1} features but the net expects {self.W.shape[0] - 1}")
        return Xa

    def hidden(self, X) -> np.ndarray:
        """(n, m) 0/1 hidden patterns ``1{X_aug W >= 0}``."""
        return (self._check(X) @ self.W >= 0).astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """(n,) outputs."""
        return self.hidden(X) @ (self.s * self.alpha)

    def accuracy(self, X, y) -> float:
        """Fraction of points with ``sign(f(x)) == y`` (sign(0) counted as +1), for labels in {-1, +1}."""
        f = self.predict(X)
        y = _vector(y, "y", f.shape[0])
        return float(np.mean(np.where(f >= 0, 1.0, -1.0) == y))

    def objective(self, X, y, beta: float) -> float:
        r"""The weight-decay objective :math:`J = \tfrac12\|f(X) - y\|^2 + \tfrac\beta2\sum_j(s_j^2 + \alpha_j^2)`."""
        f = self.predict(X)
        y = _vector(y, "y", f.shape[0])
        beta = _beta(beta)
        r = f - y
        return 0.5 * float(r @ r) + 0.5 * beta * float(self.s @ self.s + self.alpha @ self.alpha)

    def convex_objective(self, X, y, beta: float) -> float:
        r"""The net in the Lasso's form: :math:`\tfrac12\|f(X) - y\|^2 + \beta\sum_P |\sum_{j:h_j = P} s_j\alpha_j|`.

        The sum runs over the distinct non-zero patterns ``P`` the hidden units produce on ``X``.
        This is the smallest weight-decay objective over rescalings :math:`(s_j, \alpha_j) \to
        (c s_j, \alpha_j / c)` and merging of units with equal patterns, all of which leave
        :math:`f(X)` unchanged; so it is :math:`\le` :meth:`objective` and is the value to compare
        with the Lasso optimum.
        """
        Hn = self.hidden(X)
        y = _vector(y, "y", Hn.shape[0])
        beta = _beta(beta)
        u = self.s * self.alpha
        r = Hn @ u - y
        nz = Hn.any(axis=0)
        packed = np.packbits(Hn[:, nz].astype(bool), axis=0)
        _, inverse = np.unique(packed, axis=1, return_inverse=True)
        merged = np.bincount(inverse.ravel(), weights=u[nz])
        return 0.5 * float(r @ r) + beta * float(np.abs(merged).sum())


def patterns_with_nets(patterns: Patterns, X, nets) -> Patterns:
    r"""``patterns`` enlarged by the distinct non-zero patterns the units of ``nets`` produce on ``X``.

    ``nets``: an iterable of :class:`ThresholdNet` on the same data. Every such net in the Lasso's
    form (:meth:`ThresholdNet.convex_objective`) is a feasible point of the Lasso over the
    returned dictionary, so that Lasso's optimum is at most the smallest of their
    ``convex_objective`` values: a comparison in which the convex program cannot lose for lack of
    a pattern. The original columns come first, in their order; ``sampled`` is kept.
    """
    if not isinstance(patterns, Patterns):
        raise TypeError("patterns must be a Patterns object (from arrangement_patterns)")
    H, G = [patterns.H], [patterns.G]
    for net in nets:
        H.append(net.hidden(X))
        G.append(net.W)
    Hn, Gn = _distinct_nonzero(np.concatenate(H, axis=1), np.concatenate(G, axis=1))
    return Patterns(Hn, Gn, patterns.sampled)


def network_from_lasso(patterns: Patterns, u, *, drop_below: float = 0.0) -> ThresholdNet:
    r"""The threshold net that realises a Lasso point: one unit per non-zero :math:`u_j`.

    First-layer direction = the direction that produced pattern ``j``;
    :math:`s_j = \sqrt{|u_j|}`, :math:`\alpha_j = \mathrm{sign}(u_j)\sqrt{|u_j|}` (balanced, so
    :math:`J` equals the Lasso objective exactly). Coefficients with ``|u_j| <= drop_below`` are
    left out.
    """
    if not isinstance(patterns, Patterns):
        raise TypeError("patterns must be a Patterns object (from arrangement_patterns); "
                        f"got {type(patterns).__name__}")
    u = _vector(u, "u", patterns.count)
    drop_below = real_scalar(drop_below, "drop_below")
    keep = np.abs(u) > drop_below
    a = np.sqrt(np.abs(u[keep]))
    return ThresholdNet(patterns.G[:, keep].copy(), a, np.sign(u[keep]) * a)


# ----------------------------------------------------------------------------------------------
# the shattering formulation
# ----------------------------------------------------------------------------------------------

def shattering_objective(delta, y, beta: float) -> float:
    r""":math:`\tfrac12\|\delta - y\|^2 + \beta(\|\delta_+\|_\infty + \|\delta_-\|_\infty)` (float64)."""
    y = as_real_array(y, "y")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array; got shape {y.shape}")
    delta = _vector(delta, "delta", y.size)
    beta = _beta(beta)
    r = delta - y
    return 0.5 * float(r @ r) + beta * (max(float(delta.max()), 0.0) + max(float(-delta.min()), 0.0))


def _water_level(a: np.ndarray, beta: float) -> float:
    r"""Minimiser over :math:`t \ge 0` of :math:`\tfrac12\sum_i (a_i - \min(a_i, t))^2 + \beta t`, :math:`a_i > 0`."""
    if a.size == 0 or a.sum() <= beta:
        return 0.0
    a = np.sort(a)[::-1]
    S = np.cumsum(a)
    k = np.arange(1, a.size + 1)
    t = (S - beta) / k  # stationary point if exactly the k largest entries exceed t
    nxt = np.append(a[1:], 0.0)
    ok = (t <= a) & (t >= nxt)
    return float(t[np.argmax(ok)])


def _labels(y) -> np.ndarray:
    """Validated targets: a non-empty, finite, real 1-D array."""
    y = as_real_array(y, "y")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array; got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf")
    return y


def shattering_closed_form(y, beta: float) -> tuple[np.ndarray, float]:
    r"""Exact minimiser and minimum of the shattering problem (the book's derivation).

    Entries of :math:`\delta` never cross zero against their label's sign (moving them to zero
    lowers both terms), so the problem splits into one problem per sign, each in one level
    :math:`t = \|\delta_\pm\|_\infty`: :math:`\delta_i = \mathrm{clip}(y_i, -t_-, t_+)` with
    :math:`t_\pm` the root of :math:`\sum_{i:\, \pm y_i > t}(\pm y_i - t) = \beta`
    (or 0 when :math:`\sum (\pm y_i)_+ \le \beta`). For labels in :math:`\{-1, +1\}` with
    :math:`n_\pm` points per class this is :math:`t_\pm = (1 - \beta/n_\pm)_+` and the minimum is
    :math:`\sum_\pm (\beta - \beta^2/(2n_\pm))` when :math:`\beta \le n_\pm`
    (else that class contributes :math:`n_\pm/2`).
    """
    y = _labels(y)
    beta = _beta(beta)
    t_plus = _water_level(y[y > 0], beta)
    t_minus = _water_level(-y[y < 0], beta)
    delta = np.clip(y, -t_minus, t_plus)
    return delta, shattering_objective(delta, y, beta)


def shattering_generic(y, beta: float) -> tuple[np.ndarray, float]:
    r"""The shattering problem by a generic solver (scipy SLSQP) as a smooth QP.

    Variables :math:`(\delta, a, b)`: minimise :math:`\tfrac12\|\delta - y\|^2 + \beta(a + b)`
    subject to :math:`-b \le \delta_i \le a`, :math:`a, b \ge 0`. Returns the minimiser and the
    value of :func:`shattering_objective` at it.
    """
    from scipy.optimize import minimize

    y = _labels(y)
    beta = _beta(beta)
    n = y.size

    def fun(x):
        r = x[:n] - y
        return 0.5 * float(r @ r) + beta * (x[n] + x[n + 1]), np.concatenate([r, [beta, beta]])

    A = np.zeros((2 * n, n + 2))  # A x >= 0
    A[:n, :n] = -np.eye(n)
    A[:n, n] = 1.0  # a - delta_i >= 0
    A[n:, :n] = np.eye(n)
    A[n:, n + 1] = 1.0  # delta_i + b >= 0
    x0 = np.concatenate([np.zeros(n), [0.0, 0.0]])
    res = minimize(fun, x0, jac=True, method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda x: A @ x, "jac": lambda x: A}],
                   bounds=[(None, None)] * n + [(0.0, None)] * 2,
                   options={"maxiter": 1000, "ftol": 1e-14})
    delta = res.x[:n]
    return delta, shattering_objective(delta, y, beta)


# ----------------------------------------------------------------------------------------------
# the paper's synthetic data
# ----------------------------------------------------------------------------------------------

def tanh_teacher_data(n: int, d: int, n_test: int, *, width: int = 20, seed: int = 0):
    r"""Labels from a random tanh teacher, as in the public code of Ergen et al.

    Inputs :math:`x \sim N(0, I_d)` (training and test); teacher
    :math:`g(x) = \tanh(\tanh(\tilde x W_1) W_2)\,w_3` with :math:`\tilde x = (x, 1)` and all
    weights uniform on :math:`[-1, 1]` (``W_1``: (d + 1, width), ``W_2``: (width, width));
    labels :math:`y = \mathrm{sign}\, g(x) \in \{-1, +1\}` (0 counted as +1).
    Returns ``X (n, d), y (n,), X_test (n_test, d), y_test (n_test,)`` (no bias column; the
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


# ----------------------------------------------------------------------------------------------
# straight-through baselines
# ----------------------------------------------------------------------------------------------

@dataclass
class SteResult:
    """A straight-through run: the trained net and its objective ``J / n`` along the way.

    ``steps``: step indices at which ``objective`` (the weight-decay objective ``J / n`` of the
    threshold net, forward pass exact) was recorded.
    """

    net: ThresholdNet
    backward: str
    steps: np.ndarray
    objective: np.ndarray = field(repr=False)


def _ste_function(kind: str):
    import torch

    class _Ste(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return (z > 0).to(z.dtype)

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            if kind == "identity":
                return g
            if kind == "relu":
                return g * (z >= 0).to(g.dtype)
            if kind == "leaky":
                return g * torch.where(z >= 0, 1.0, 0.01).to(g.dtype)
            return g * ((z >= 0) & (z <= 1)).to(g.dtype)  # clipped

    return _Ste.apply


STE_OPTIMIZERS = ("sgd", "adam")
STE_DECAYS = ("none", "cosine")


def ste_learning_rate(k: int, lr: float, steps: int, warmup: int = 0, decay: str = "none") -> float:
    r"""The learning rate of step ``k`` (0-based) of :func:`train_ste`.

    :math:`\eta_k = \eta\,\min(1, (k+1)/w)\,c_k` with ``w = warmup`` (no warm-up when 0) and
    :math:`c_k = \tfrac12(1 + \cos(\pi k/T))` for ``decay="cosine"`` (``T = steps``; it reaches 0
    at the last step), :math:`c_k = 1` for ``decay="none"``.
    """
    f = min(1.0, (k + 1) / warmup) if warmup > 0 else 1.0
    if decay == "cosine":
        f *= 0.5 * (1.0 + math.cos(math.pi * min(k, steps) / steps))
    return lr * f


def train_ste(X, y, beta: float, *, width: int, backward: str, lr: float = 0.01, steps: int = 2000,
              seed: int = 0, record_every: int = 10, optimizer: str = "sgd", warmup: int = 0,
              decay: str = "none") -> SteResult:
    r"""Train a threshold net by full-batch SGD with a straight-through estimator.

    Minimises :math:`J(W, s, \alpha)/n` (see the module docstring; :math:`n` = number of points,
    so ``lr`` has the scale of the public code of Ergen et al., which uses a mean squared
    error) in torch float64. Forward: :math:`\mathbf 1\{z > 0\}` (equal to
    :math:`\mathbf 1\{z \ge 0\}` except on a null set); backward: the mask named by ``backward``
    (one of :data:`STE_BACKWARDS`). The gradients of :math:`s` and :math:`\alpha` are exact.
    Initialisation (seeded numpy): ``W`` uniform on :math:`\pm 1/\sqrt{d+1}`, ``alpha`` uniform on
    :math:`\pm 1/\sqrt{m}` (torch's default for linear layers), ``s = 1``. Runs on one torch
    thread (restored afterwards): the products are small, and on a busy machine extra threads
    cost far more than they gain; it also makes the run independent of the thread count.

    ``optimizer`` is ``"sgd"`` (the default, plain full-batch SGD as in the paper's baselines) or
    ``"adam"`` (torch's Adam with its default moments); ``warmup`` (steps of linear warm-up) and
    ``decay`` (``"none"`` or ``"cosine"``) set the learning-rate schedule of
    :func:`ste_learning_rate`. The defaults reproduce the constant-rate SGD run.
    """
    import torch

    Xa = add_bias(X)
    n = Xa.shape[0]
    y = _vector(y, "y", n)
    beta = _beta(beta)
    width = positive_int(width, "width")
    if backward not in STE_BACKWARDS:
        raise ValueError(f"backward must be one of {sorted(STE_BACKWARDS)}; got {backward!r}")
    lr = real_scalar(lr, "lr", positive=True)
    steps = positive_int(steps, "steps")
    record_every = positive_int(record_every, "record_every")
    if optimizer not in STE_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {STE_OPTIMIZERS}; got {optimizer!r}")
    if decay not in STE_DECAYS:
        raise ValueError(f"decay must be one of {STE_DECAYS}; got {decay!r}")
    warmup = positive_int(warmup, "warmup", minimum=0)
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    W0 = rng.uniform(-1, 1, (Xa.shape[1], width)) / math.sqrt(Xa.shape[1])
    a0 = rng.uniform(-1, 1, width) / math.sqrt(width)

    dt = torch.float64
    Xt = torch.as_tensor(Xa, dtype=dt)
    yt = torch.as_tensor(y, dtype=dt)
    W = torch.tensor(W0, dtype=dt, requires_grad=True)
    s = torch.ones(width, dtype=dt, requires_grad=True)
    alpha = torch.tensor(a0, dtype=dt, requires_grad=True)
    ste = _ste_function(backward)
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)([W, s, alpha], lr=lr)
    schedule = None
    if warmup > 0 or decay != "none":
        schedule = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda k: ste_learning_rate(k, 1.0, steps, warmup, decay))
    rec_steps, rec_obj = [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # (n x d) @ (d x m) products are too small to gain from threads
    try:
        _ste_loop(Xt, yt, W, s, alpha, ste, opt, beta, n, steps, record_every, rec_steps, rec_obj, backward, lr,
                  schedule)
    finally:
        torch.set_num_threads(threads)
    net = ThresholdNet(W.detach().numpy().copy(), s.detach().numpy().copy(), alpha.detach().numpy().copy())
    return SteResult(net, backward, np.array(rec_steps), np.array(rec_obj))


def _ste_loop(Xt, yt, W, s, alpha, ste, opt, beta, n, steps, record_every, rec_steps, rec_obj, backward, lr,
              schedule=None):
    for k in range(steps + 1):
        opt.zero_grad()
        f = ste(Xt @ W) @ (s * alpha)
        loss = (0.5 * ((f - yt) ** 2).sum() + 0.5 * beta * ((s * s).sum() + (alpha * alpha).sum())) / n
        if k % record_every == 0 or k == steps:
            rec_steps.append(k)
            rec_obj.append(float(loss.detach()))
        if not math.isfinite(float(loss.detach())):
            raise FloatingPointError(f"the {backward} straight-through run diverged at step {k}; lower lr (now {lr})")
        if k == steps:
            break
        loss.backward()
        opt.step()
        if schedule is not None:
            schedule.step()
