"""The one result type of :mod:`actgram.spectra`: eigenvalue brackets."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass
class EigenBrackets:
    r"""Brackets for the ``k`` smallest eigenvalues of a kernel matrix, ascending.

    ``value`` is the best estimate; ``lower <= true eigenvalue <= upper`` holds under
    the assumptions of the method (:mod:`actgram.spectra`). ``floor`` is the resolution
    :math:`\varepsilon\|M\|_2` of a plain float64 dense solve; ``norm`` is
    :math:`\|M\|_2` (an estimate for ``"matrix-free"``); ``n`` the order of the matrix;
    ``kind`` which matrix (``"G"``, ``"K"``, ``"ntk"``). ``certified`` is True only for
    method ``"certified"``, where the bracket is a proof (:mod:`actgram.certify`).
    ``exact_zeros``: pairs of points that force exact zeros (:func:`exact_zero_pairs`);
    the first ``zero_count`` eigenvalues are then 0 exactly. ``radius``: the Weyl radius
    of a dense or matrix-free solve (None for the factorisations); ``residual``,
    ``products``, ``info``: the matrix-free method's Ritz residuals, number of block
    products and timings (``residual`` None for the other methods).

    The fields are arrays of length ``k``; ``b[i]`` is the same type with float fields
    for eigenvalue ``i`` (what :func:`actgram.lambda_min` returns).
    """

    value: np.ndarray | float
    lower: np.ndarray | float
    upper: np.ndarray | float
    floor: float
    norm: float
    method: str
    n: int
    certified: bool = False
    exact_zeros: tuple = ()
    zero_count: int = 0
    kind: str = "G"
    radius: np.ndarray | float | None = None
    residual: np.ndarray | float | None = None
    products: int = 0
    info: dict = field(default_factory=dict)

    @property
    def scalar(self) -> bool:
        """True for a single eigenvalue (float fields), False for ``k`` of them."""
        return np.ndim(self.value) == 0

    def __len__(self) -> int:
        return 1 if self.scalar else len(self.value)

    def __getitem__(self, i: int) -> EigenBrackets:
        """Eigenvalue ``i`` alone, with float fields."""
        if self.scalar:
            raise TypeError("this bracket holds one eigenvalue; it cannot be indexed")
        i = range(len(self.value))[i]
        zero = i < self.zero_count

        def pick(a):
            return (
                None
                if a is None
                else float(np.broadcast_to(a, np.shape(self.value))[i])
            )

        return replace(
            self,
            value=float(self.value[i]),
            lower=float(self.lower[i]),
            upper=float(self.upper[i]),
            exact_zeros=self.exact_zeros if zero else (),
            zero_count=int(zero),
            radius=pick(self.radius),
            residual=pick(self.residual),
            info=dict(self.info),
        )

    @property
    def relative_width(self):
        """``(upper - lower) / upper`` (1 where nothing is resolved)."""
        up, lo = np.asarray(self.upper), np.asarray(self.lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(up > 0, (up - lo) / up, 1.0)
        return float(w) if self.scalar else w

    @property
    def resolved(self):
        """True where the bracket's relative width is at most 1e-2."""
        up, lo = np.asarray(self.upper), np.asarray(self.lower)
        ok = (up > 0) & ((up - lo) <= 1e-2 * up)
        return bool(ok) if self.scalar else ok

    @property
    def below_floor(self):
        """True where the eigenvalue is below what a float64 dense solve can resolve."""
        below = np.asarray(self.upper) < self.floor
        return bool(below) if self.scalar else below

    def describe(self, i: int = 0, digits: int = 3) -> str:
        """Eigenvalue ``i`` as text: a number only where it is resolved; "0 exactly"
        with the pairs that force it (see :func:`exact_zero_pairs`); otherwise the
        bracket (the matrix-free method says "below the floor" or "not converged"
        instead)."""
        b = self
        if not self.scalar:
            b = self[i]
        elif i != 0:
            raise IndexError(
                f"this bracket holds one eigenvalue; describe(digits=...) "
                f"takes no index (got i = {i})"
            )
        if b.zero_count:
            return _describe_zero(b.exact_zeros)
        if b.resolved:
            return f"{b.value:.{digits}g}"
        if b.residual is not None:
            if b.value <= 100.0 * b.radius:
                return (
                    f"below the floor of the matrix-free products ({b.radius:.1e}); "
                    "no number reported"
                )
            return f"not converged (residual {b.residual:.1e}); no number reported"
        if b.upper <= 0:
            return "0 (exactly, within rounding)"
        return f"in [{b.lower:.1e}, {b.upper:.1e}] (not resolved)"


@dataclass(frozen=True)
class ExactZero:
    """A pair of points that forces an eigenvalue of the kernel to be exactly zero.

    ``relation`` is ``"duplicate"`` or ``"antipodal"``; ``reason`` says why in words.
    """

    i: int
    j: int
    relation: str
    reason: str

    def __str__(self) -> str:
        return self.reason


def _describe_zero(pairs) -> str:
    shown = "; ".join(str(p) for p in pairs[:3])
    more = f"; and {len(pairs) - 3} more pairs" if len(pairs) > 3 else ""
    return f"0 exactly ({shown}{more})"
