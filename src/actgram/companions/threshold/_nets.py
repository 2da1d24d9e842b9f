r"""Two-layer threshold nets: evaluation, the weight-decay objective and its Lasso form,
and the nets that realise a Lasso point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_array, real_scalar
from ._patterns import Patterns, _distinct_nonzero, add_bias


@dataclass
class ThresholdNet:
    r"""A two-layer threshold net :math:`f(x) = \sum_j \alpha_j s_j \mathbf 1\{(x,
    1)\cdot w_j \ge 0\}`.

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
            raise ValueError(f"X has {Xa.shape[1] - 1} features but the net expects "
                             f"{self.W.shape[0] - 1}")
        return Xa

    def hidden(self, X) -> np.ndarray:
        """(n, m) 0/1 hidden patterns ``1{X_aug W >= 0}``."""
        return (self._check(X) @ self.W >= 0).astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """(n,) outputs."""
        return self.hidden(X) @ (self.s * self.alpha)

    def accuracy(self, X, y) -> float:
        """Fraction of points with ``sign(f(x)) == y`` (sign(0) counted as +1), for
        labels in {-1, +1}."""
        f = self.predict(X)
        y = check_array(y, "y", shape=(f.shape[0],))
        return float(np.mean(np.where(f >= 0, 1.0, -1.0) == y))

    def objective(self, X, y, beta: float) -> float:
        r"""The weight-decay objective :math:`J = \tfrac12\|f(X) - y\|^2 +
        \tfrac\beta2\sum_j(s_j^2 + \alpha_j^2)`."""
        f = self.predict(X)
        y = check_array(y, "y", shape=(f.shape[0],))
        beta = real_scalar(beta, "beta", positive=True)
        r = f - y
        decay = float(self.s @ self.s + self.alpha @ self.alpha)
        return 0.5 * float(r @ r) + 0.5 * beta * decay

    def convex_objective(self, X, y, beta: float) -> float:
        r"""The net in the Lasso's form: :math:`\tfrac12\|f(X) - y\|^2 + \beta\sum_P
        |\sum_{j:h_j = P} s_j\alpha_j|`.

        The sum runs over the distinct non-zero patterns ``P`` the hidden units produce
        on ``X``. This is the smallest weight-decay objective over rescalings
        :math:`(s_j, \alpha_j) \to (c s_j, \alpha_j / c)` and merging of units with
        equal patterns, all of which leave :math:`f(X)` unchanged; so it is :math:`\le`
        :meth:`objective` and is the value to compare with the Lasso optimum.
        """
        Hn = self.hidden(X)
        y = check_array(y, "y", shape=(Hn.shape[0],))
        beta = real_scalar(beta, "beta", positive=True)
        u = self.s * self.alpha
        r = Hn @ u - y
        nz = Hn.any(axis=0)
        packed = np.packbits(Hn[:, nz].astype(bool), axis=0)
        _, inverse = np.unique(packed, axis=1, return_inverse=True)
        merged = np.bincount(inverse.ravel(), weights=u[nz])
        return 0.5 * float(r @ r) + beta * float(np.abs(merged).sum())


def patterns_with_nets(patterns: Patterns, X, nets) -> Patterns:
    r"""``patterns`` enlarged by the distinct non-zero patterns the units of ``nets``
    produce on ``X``.

    ``nets``: an iterable of :class:`ThresholdNet` on the same data. Every such net in
    the Lasso's form (:meth:`ThresholdNet.convex_objective`) is a feasible point of the
    Lasso over the returned dictionary, so that Lasso's optimum is at most the smallest
    of their ``convex_objective`` values: a comparison in which the convex program
    cannot lose for lack of a pattern. The original columns come first, in their order;
    ``sampled`` is kept.
    """
    if not isinstance(patterns, Patterns):
        raise TypeError("patterns must be a Patterns object (from "
                        "arrangement_patterns)")
    H, G = [patterns.H], [patterns.G]
    for net in nets:
        H.append(net.hidden(X))
        G.append(net.W)
    Hn, Gn = _distinct_nonzero(np.concatenate(H, axis=1), np.concatenate(G, axis=1))
    return Patterns(Hn, Gn, patterns.sampled)


def network_from_lasso(patterns: Patterns, u, *,
                       drop_below: float = 0.0) -> ThresholdNet:
    r"""The threshold net that realises a Lasso point: one unit per non-zero
    :math:`u_j`.

    First-layer direction = the direction that produced pattern ``j``; :math:`s_j =
    \sqrt{|u_j|}`, :math:`\alpha_j = \mathrm{sign}(u_j)\sqrt{|u_j|}` (balanced, so
    :math:`J` equals the Lasso objective exactly). Coefficients with ``|u_j| <=
    drop_below`` are left out.
    """
    if not isinstance(patterns, Patterns):
        raise TypeError("patterns must be a Patterns object (from "
                        f"arrangement_patterns); got {type(patterns).__name__}")
    u = check_array(u, "u", shape=(patterns.count,))
    drop_below = real_scalar(drop_below, "drop_below")
    keep = np.abs(u) > drop_below
    a = np.sqrt(np.abs(u[keep]))
    return ThresholdNet(patterns.G[:, keep].copy(), a, np.sign(u[keep]) * a)
