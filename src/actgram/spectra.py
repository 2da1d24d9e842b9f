r"""Smallest eigenvalues of :math:`G^\infty` with error brackets, below the float64 floor.

A dense float64 eigensolver resolves eigenvalues of :math:`G` only to about
:math:`\varepsilon\|G\|_2` (the *floor*, :math:`\varepsilon = 2.2\times10^{-16}`); for smooth
activations on low-dimensional data the smallest eigenvalues fall far below it. This module
returns every eigenvalue as a bracket ``lower <= lambda <= upper``.

Method ``"fourier"`` (data spanning a 2-dimensional subspace, smooth built-in activations)
------------------------------------------------------------------------------------------
Points on a circle, :math:`x_i = (\cos\alpha_i, \sin\alpha_i)` in an orthonormal basis of their
span, have :math:`G_{ij} = F(\alpha_i - \alpha_j)` with
:math:`F(\beta) = \cos\beta\,\kappa(\beta)` and, writing :math:`w = r(\cos t, \sin t)`,

.. math::

   \kappa(\beta) = \int_0^\infty r e^{-r^2/2} \frac{1}{2\pi}\int_0^{2\pi}
   g_r(t)\,g_r(t-\beta)\,dt\,dr, \qquad g_r(t) = \phi'(r\cos t),

so the Fourier coefficients of :math:`\kappa` are the non-negative averages
:math:`\hat\kappa_\ell = \int r e^{-r^2/2}|\hat g_r(\ell)|^2 dr` and
:math:`\hat F_\ell = (\hat\kappa_{\ell-1} + \hat\kappa_{\ell+1})/2 \ge 0`. Hence

.. math::  G = \Phi\,\mathrm{diag}(\hat F)\,\Phi^\top = BB^\top, \qquad
           \Phi = [1,\ \sqrt2\cos\ell\alpha,\ \sqrt2\sin\ell\alpha]_{\ell \ge 1},

and :math:`\lambda_i(G) = \sigma_i(B)^2`. Tiny :math:`\hat g_r(\ell)` are computed with
*relative* accuracy by shifting the contour, :math:`\hat g_r(\ell) = e^{-\ell\eta}
\frac{1}{2\pi}\int g_r(t - i\eta)e^{-i\ell t}dt` (FFT of :math:`\phi'` at complex points,
:math:`\eta` below the singularity of :math:`\phi'`), choosing for each :math:`\ell` the shift
with the smallest error estimate. A Jacobi SVD of the graded factor gives every
:math:`\sigma_i` of the float64 factor with small *relative* error; the rounding of the factor
itself is an absolute error :math:`\|\Delta B\| \approx \varepsilon\sqrt{\|G\|}` in
:math:`\sigma`, so :math:`\lambda = \sigma^2` is resolved down to about
:math:`(10^2\varepsilon)^2\|G\|`, ten orders of magnitude below the float64 floor.

What the bracket rests on (``"fourier"``):

1. Loewner monotonicity: with coefficient bounds :math:`0 \le \hat F^{lo} \le \hat F \le
   \hat F^{hi}`, :math:`\lambda_i(B_{lo}B_{lo}^\top) \le \lambda_i(G) \le
   \lambda_i(B_{hi}B_{hi}^\top) + \|T_L\|`, where the truncated tail
   :math:`T_L = \sum_{\ell > L}\hat F_\ell(\ldots)` is PSD with
   :math:`\|T_L\| \le \mathrm{tr}\,T_L = n\sum_{|\ell| > L}\hat F_\ell`.
2. The coefficient error estimate: floating-point error of the FFT
   (:math:`4\sqrt N\varepsilon\max|g_r(\cdot - i\eta)|`), aliasing (the size of the
   shifted coefficients near the Nyquist index), and the :math:`r`-quadrature error (the
   difference between two Gauss-Legendre rules, 16 and 24 nodes per panel). These are
   estimates, not proofs.
3. Two floating-point errors, both through Weyl's inequality for singular values: the float64
   factor differs from the exact one by :math:`\|\Delta B\|_F \le \varepsilon\,
   (\sum_\ell \hat F_\ell\,\sum_i 4(2 + \ell(|\alpha_i| + 1))^2)^{1/2}` (rounding of
   :math:`\ell\alpha_i`, of cos/sin and of the angles: an *absolute* error in
   :math:`\sigma`), and the Jacobi SVD (``dgejsv``, ``JOBA='F'``) of the float64 factor has
   *relative* error at most :math:`16\sqrt{nM}\,\varepsilon\,\kappa(\Phi)` (Drmac and
   Veselic's bound for row-scaled matrices; the constant is ours). The first term sets the
   floor: eigenvalues are resolved to 1e-2 relative down to about
   :math:`10^{-26}\|G\|` (about :math:`(200\,\|\Delta B\|)^2`), far below
   :math:`\varepsilon\|G\|` but not to :math:`\varepsilon^2\|G\|`: there the eigenvalues of
   the float64 input itself move under :math:`\varepsilon`-perturbations of the points.
4. The tail beyond :math:`L` and beyond :math:`r = 15` bounded with Cauchy's estimate
   :math:`|\hat g_r(\ell)| \le \max|g_r(\cdot - i\eta)|\,e^{-\ell\eta}` and
   :math:`\sup|\phi'|^2 e^{-15^2/2}`.

Method ``"spherical"`` (data spanning a 3-dimensional subspace, smooth built-ins)
---------------------------------------------------------------------------------
By Funk-Hecke, :math:`F(\rho) = \rho\,\kappa(\rho) = \sum_\ell A_\ell P_\ell(\rho)` with
:math:`A_\ell \ge 0`, and the addition theorem gives
:math:`G = \sum_\ell A_\ell\frac{4\pi}{2\ell+1} Y_\ell Y_\ell^\top = BB^\top` with the real
spherical harmonics :math:`Y_\ell` (:math:`n \times (2\ell+1)`). The :math:`A_\ell` come from
the circle's Chebyshev coefficients :math:`2\hat F_j` through the exact Chebyshev-to-Legendre
relation (:func:`legendre_coefficients`), with bounds carried through the signed matrix; the
factor is graded and goes through the same Jacobi SVD. Degrees up to 160 enter the factor;
smaller modes (relative size below 1e-36) and the rest go to the PSD tail, bounded by its trace.

Method ``"dense"`` (everything else)
------------------------------------
``eigvalsh`` of :func:`actgram.gram_inf` in float64. Bracket
:math:`\tilde\lambda \pm (n\,\delta_{entry} + 4\sqrt n\,\varepsilon\|G\|_2)` with the entry
accuracy :math:`\delta_{entry} = 10^{-14}\max(1, \max|G_{ij}|)` of :func:`gram_inf`, clipped at
0 from below (:math:`G^\infty` is PSD). Correct but no better than the floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dgejsv

from ._validate import as_data, positive_int
from .activations import Activation, activation
from .kernels import gram_inf

EPS = float(np.finfo(np.float64).eps)
ENTRY_ERROR = 1e-14  # absolute accuracy of gram_inf entries (relative to max(1, |G|))

_N_FFT = 4096
_R_MAX = 15.0
_ETA_FRACTIONS = (0.0, 0.15, 0.3, 0.45, 0.6, 0.72, 0.82, 0.9, 0.95, 0.98)
_COEF_CUTOFF = 1e-44  # relative size below which Fourier coefficients are treated as tail


@dataclass
class EigenBrackets:
    """Brackets for the ``k`` smallest eigenvalues, ascending.

    ``value`` is the best estimate; ``lower <= true eigenvalue <= upper`` holds under the
    assumptions of the method (module docstring). ``floor`` is the resolution
    :math:`\\varepsilon\\|G\\|_2` of a plain float64 dense solve; ``norm`` is :math:`\\|G\\|_2`.
    ``certified`` is True only for method ``"certified"``, where the bracket is a proof
    (:mod:`actgram.certify`).
    """

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    floor: float
    norm: float
    method: str
    n: int
    certified: bool = False
    exact_zeros: tuple = ()
    zero_count: int = 0

    @property
    def relative_width(self) -> np.ndarray:
        """``(upper - lower) / upper`` (1 where nothing is resolved)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            w = (self.upper - self.lower) / self.upper
        return np.where(self.upper > 0, w, 1.0)

    @property
    def resolved(self) -> np.ndarray:
        """True where the bracket's relative width is at most 1e-2."""
        return self.relative_width <= 1e-2

    def describe(self, i: int = 0, digits: int = 3) -> str:
        """A human-readable string for eigenvalue ``i``: a number only where it is resolved;
        "0 exactly" with the pairs that force it (see :func:`exact_zero_pairs`)."""
        if i < self.zero_count:
            return _describe_zero(self.exact_zeros)
        return _describe(self.value[i], self.lower[i], self.upper[i], digits)


@dataclass
class LambdaMin:
    """The smallest eigenvalue with its bracket (see :class:`EigenBrackets`)."""

    value: float
    lower: float
    upper: float
    floor: float
    norm: float
    method: str
    certified: bool = False
    exact_zeros: tuple = ()

    @property
    def below_floor(self) -> bool:
        """True when the eigenvalue is below what a float64 dense solve can resolve."""
        return self.upper < self.floor

    @property
    def resolved(self) -> bool:
        """True when the bracket's relative width is at most 1e-2."""
        return _is_resolved(self.lower, self.upper)

    def describe(self, digits: int = 3) -> str:
        """A number only where it is resolved; otherwise the bracket; "0 exactly" with the
        pairs of points that force it (``exact_zeros``, see :func:`exact_zero_pairs`)."""
        if self.exact_zeros:
            return _describe_zero(self.exact_zeros)
        return _describe(self.value, self.lower, self.upper, digits)


@dataclass(frozen=True)
class ExactZero:
    """A pair of points that forces an eigenvalue of the kernel to be exactly zero."""

    i: int
    j: int
    kind: str  # "duplicate" or "antipodal"
    reason: str

    def __str__(self) -> str:
        return self.reason


def _describe_zero(pairs) -> str:
    shown = "; ".join(str(p) for p in pairs[:3])
    more = f"; and {len(pairs) - 3} more pairs" if len(pairs) > 3 else ""
    return f"0 exactly ({shown}{more})"


def _parity(f, name: str) -> str | None:
    """'even', 'odd' or None: the exact symmetry of f, checked to rounding on [-8, 8]."""
    z = np.linspace(1e-3, 8.0, 257)
    with np.errstate(all="ignore"):
        a = np.asarray(f(z), dtype=np.float64)
        b = np.asarray(f(-z), dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    tol = 8.0 * EPS * max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-300)
    if np.max(np.abs(a - b)) <= tol:
        return "even"
    if np.max(np.abs(a + b)) <= tol:
        return "odd"
    return None


def exact_zero_pairs(X, act, kind: str = "G", *, normalize: bool = False) -> list[ExactZero]:
    r"""Pairs of points that force an eigenvalue of the kernel to be exactly zero.

    * duplicates :math:`x_i = x_j` (to within 4 ulps per coordinate): two equal rows of the
      kernel, always;
    * antipodes :math:`x_j = -x_i` when the parity of :math:`\phi'` (for ``kind="G"``) or of
      :math:`\phi` (``"K"``) is exact: :math:`\rho_{jk} = -\rho_{ik}` and
      :math:`\mathbb{E}[f(u)f(-v)] = \pm\mathbb{E}[f(u)f(v)]` for even/odd :math:`f`, so
      row j of G is minus row i (:math:`\phi'` even: tanh, sigmoid, erf, sin) or equal to it
      (:math:`\phi'` odd: abs); for K, row j is plus/minus row i. ``"ntk"`` = G + K needs
      both rows to flip the same way (:math:`\phi'` even and :math:`\phi` odd, or
      :math:`\phi'` odd and :math:`\phi` even).

    Cost: one chunked product :math:`XX^\top` (candidates :math:`|\rho_{ij}| > 1 - 64\varepsilon`),
    confirmed coordinate-wise. Returns :class:`ExactZero` records (i < j).
    """
    act = act if isinstance(act, Activation) else activation(act)
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    sym_G = _parity(act.derivative, act.name) if act.derivative_defined else None
    sym_K = _parity(act.fn, act.name)
    flip_G = {"even": -1, "odd": 1}.get(sym_G) if sym_G else None
    flip_K = {"even": 1, "odd": -1}.get(sym_K) if sym_K else None
    if kind == "G":
        flip, what, f_what = flip_G, "G", f"phi' is {sym_G}"
    elif kind == "K":
        flip, what, f_what = flip_K, "K", f"phi is {sym_K}"
    else:
        flip = flip_G if flip_G is not None and flip_G == flip_K else None
        what, f_what = "G + K", f"phi' is {sym_G} and phi is {sym_K}"
    out: list[ExactZero] = []
    tol = 4.0 * EPS
    step = max(1, 2_000_000 // max(n, 1))
    for s0 in range(0, n, step):
        B = X[s0:s0 + step] @ X.T
        ii, jj = np.nonzero(np.abs(B) > 1.0 - 64.0 * EPS)
        for a, j in zip(ii + s0, jj, strict=True):
            if j <= a:
                continue
            if np.max(np.abs(X[a] - X[j])) <= tol:
                out.append(ExactZero(int(a), int(j), "duplicate",
                                     f"points {a} and {j} coincide: {what} has two equal rows"))
            elif flip is not None and np.max(np.abs(X[a] + X[j])) <= tol:
                sign = "minus" if flip < 0 else "equal to"
                out.append(ExactZero(int(a), int(j), "antipodal",
                                     f"points {a} and {j} are antipodal (x_{j} = -x_{a}) and {f_what}, "
                                     f"so row {j} of {what} is {sign} row {a}"))
    return out


def _zero_count(pairs, n: int) -> int:
    """n minus the number of classes of points linked by the pairs (a lower bound on the
    number of exact zero eigenvalues)."""
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p in pairs:
        parent[find(p.i)] = find(p.j)
    return n - len({find(a) for a in range(n)})


def _is_resolved(lower: float, upper: float) -> bool:
    return bool(upper > 0 and (upper - lower) <= 1e-2 * upper)


def _describe(value: float, lower: float, upper: float, digits: int) -> str:
    if _is_resolved(lower, upper):
        return f"{value:.{digits}g}"
    if upper <= 0:
        return "0 (exactly, within rounding)"
    return f"in [{lower:.1e}, {upper:.1e}] (not resolved)"


# --------------------------------------------------------------------------------------------
# the two-dimensional Fourier factorisation
# --------------------------------------------------------------------------------------------

def span_coordinates(X: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Coordinates of unit rows in an orthonormal basis of their span, shape (n, d').

    The span dimension d' counts singular values of ``X`` above ``tol`` times the largest; the
    coordinates are renormalised to unit length (they are unit up to rounding).
    """
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    dim = int(np.sum(s > tol * s[0]))
    P = X @ Vt[:dim].T
    return P / np.linalg.norm(P, axis=1, keepdims=True)


def circle_angles(X: np.ndarray, tol: float = 1e-12) -> np.ndarray | None:
    """Angles of the points in an orthonormal basis of their span, if that span is 2-D."""
    P = span_coordinates(X, tol)
    return np.arctan2(P[:, 1], P[:, 0]) if P.shape[1] == 2 else None


def _r_rule(nodes: int, width: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    x0, w0 = np.polynomial.legendre.leggauss(nodes)
    edges = np.arange(0.0, _R_MAX + 1e-9, width)
    r = (edges[:-1, None] + 0.5 * width * (x0 + 1.0)).ravel()
    w = np.tile(0.5 * width * w0, edges.size - 1)
    return r, w * r * np.exp(-0.5 * r * r)


def _ghat_sq(act: Activation, r: np.ndarray, L: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|ghat_r(l)|^2 for l = 0..L with an error estimate, and Cauchy tail constants.

    Returns ``(val, err, tail)``: ``val[j, l]`` estimate, ``err[j, l]`` bound on its error,
    ``tail[j]`` bound on ``sum_{l > L} |ghat_{r_j}(l)|^2`` (both signs counted once).
    """
    f = act.derivative_complex
    N = _N_FFT
    t = 2.0 * np.pi * np.arange(N) / N
    ell = np.arange(L + 1)
    dist = act.pole_distance
    eta_max = np.arcsinh((dist if math.isfinite(dist) else 6.0) / np.maximum(r, 1e-300))
    eta_max = np.minimum(eta_max, 4.0)
    best = np.zeros((r.size, L + 1))
    err = np.full((r.size, L + 1), np.inf)
    tail = np.full(r.size, np.inf)
    for frac in _ETA_FRACTIONS:
        eta = frac * eta_max
        z = r[:, None] * np.cos(t[None, :] - 1j * eta[:, None])
        vals = f(z)
        M = np.max(np.abs(vals), axis=1)
        C = np.fft.fft(vals, axis=1) / N
        alias = np.max(np.abs(C[:, N // 2 - 16: N // 2 + 16]), axis=1)
        decay = np.exp(-np.outer(eta, ell))
        est = np.abs(C[:, : L + 1]) * decay
        e = (4.0 * math.sqrt(N) * EPS * M + alias)[:, None] * decay
        better = e < err
        best[better] = est[better]
        err[better] = e[better]
        # Cauchy: |ghat(l)| <= M e^{-l eta}; sum over l > L of the square
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            q = np.exp(-2.0 * eta)
            tl = np.where(eta > 0, M**2 * q ** (L + 1) / (1.0 - q), np.inf)
        tail = np.minimum(tail, tl)
    err = np.minimum(err, best + err)  # |true| <= best + err in any case
    val_sq = best**2
    err_sq = 2.0 * best * err + err**2
    return val_sq, err_sq, tail


_COEF_CACHE: dict[tuple, dict] = {}


def _kappa_hat(act: Activation) -> dict:
    """Fourier coefficients of kappa_{phi'} on the circle, l = 0.._N_FFT/2 - 63, with bounds.

    Cached per built-in activation. Keys: ``k``, ``klo``, ``khi`` (arrays), ``beyond`` (bound
    on sum_{l > Lmax} kappa_l from Cauchy's estimate) and ``r_tail`` (the r > R_MAX part).
    """
    key = act.key + ("kappa_hat",)
    if act.builtin and key in _COEF_CACHE:
        return _COEF_CACHE[key]
    Lk = _N_FFT // 2 - 63
    out = []
    for nodes in (16, 24):
        r, w = _r_rule(nodes)
        v, e, tl = _ghat_sq(act, r, Lk)
        out.append((w @ v, w @ e, w @ tl))
    (k16, _, t16), (k, ek, tk) = out
    quad_err = np.abs(k - k16)
    sup = float(np.max(np.abs(act.derivative(np.linspace(-_R_MAX, _R_MAX, 20001)))))
    r_tail = sup**2 * math.exp(-0.5 * _R_MAX**2)  # r > R_MAX, for every l and for the sum
    kerr = ek + quad_err + r_tail
    klo = np.maximum(k - kerr, 0.0)
    khi = k + kerr
    # exact zeros from the symmetry of phi': g_r(t + pi) = +-g_r(t) (up to a constant)
    zero = np.zeros(k.size, dtype=bool)
    if act.derivative_symmetry == "even":
        zero[1::2] = True
    elif act.derivative_symmetry == "const+odd":
        zero[2::2] = True
    k, klo, khi = (np.where(zero, 0.0, a) for a in (k, klo, khi))
    res = {"k": k, "klo": klo, "khi": khi, "beyond": float(max(tk, t16)), "r_tail": r_tail}
    if act.builtin:
        _COEF_CACHE[key] = res
    return res


def fourier_coefficients(act, L: int) -> dict[str, np.ndarray | float]:
    r"""Fourier coefficients :math:`\hat F_\ell`, :math:`\ell = 0..L`, of :math:`\cos\beta\,\kappa_{\phi'}(\beta)`.

    Returns a dict with ``"value"``, ``"lower"``, ``"upper"`` (arrays of length ``L + 1``) and
    ``"tail"``: a bound on :math:`\sum_{|\ell| > L}\hat F_\ell`. Needs a smooth built-in
    activation (one with ``derivative_complex``); ``L <= 1984``.
    """
    act = act if isinstance(act, Activation) else activation(act)
    if act.derivative_complex is None:
        raise ValueError(f"{act.name}: the Fourier method needs phi' continued to complex "
                         "arguments (smooth built-ins only); use method='dense'")
    Lmax = _N_FFT // 2 - 64
    L = positive_int(L, "L", minimum=1)
    if Lmax < L:
        raise ValueError(f"L = {L} exceeds the {Lmax} coefficients the FFT resolves")
    kh = _kappa_hat(act)
    k, klo, khi = (kh[x][: L + 2] for x in ("k", "klo", "khi"))

    # kappa-hat is even in l: F_l = (k_{l-1} + k_{l+1}) / 2 for l = 0..L
    def shift(a):
        ext = np.concatenate([a[1:2], a])  # index l-1 with k_{-1} = k_1
        return 0.5 * (ext[:-2] + a[1:])

    F, Flo, Fhi = shift(k), shift(klo), shift(khi)
    # sum_{|l|>L} F_l <= sum_{|l| >= L} kappa_l = 2 sum_{l >= L} kappa_l
    tail = 2.0 * (float(np.sum(kh["khi"][L:])) + kh["beyond"]) + kh["r_tail"]
    return {"value": F, "lower": Flo, "upper": Fhi, "tail": float(tail)}


def _graded_svals(B: np.ndarray, n: int) -> np.ndarray:
    """Singular values of ``B = Phi diag(w)`` (n x M), descending, padded with zeros to n.

    Uses LAPACK's preconditioned Jacobi SVD ``dgejsv`` with ``JOBA='F'`` on ``B^T``, which
    computes the singular values of a row-scaled matrix ``D C`` with relative error of order
    ``eps * cond(C)`` however graded ``D`` is (Drmac and Veselic 2008). A plain SVD would give
    only ``eps * ||B||`` absolute error, i.e. the float64 floor again for ``sigma^2``.
    """
    M = B.shape[1]
    if n > M:  # fewer modes than points: rank-deficient, pad
        A = np.zeros((n, n))
        A[:, :M] = B
        B = A
    sva, _, _, work, _, info = dgejsv(np.asfortranarray(B.T), joba=2, jobu=3, jobv=3, jobr=1,
                                      jobp=0)
    if info != 0:  # pragma: no cover - LAPACK failure
        raise RuntimeError(f"LAPACK dgejsv failed with info = {info}")
    s = np.sort(np.asarray(sva) * (work[0] / work[1]))[::-1]
    return s[:n]


def _fourier_brackets(alpha: np.ndarray, act: Activation, k: int) -> EigenBrackets:
    n = alpha.size
    # G depends on angle differences only: centre the angles (smaller |alpha|, smaller
    # rounding in l * alpha)
    ref = math.atan2(float(np.mean(np.sin(alpha))), float(np.mean(np.cos(alpha))))
    alpha = np.angle(np.exp(1j * (alpha - ref)))
    L = min(max(2 * n, 512), _N_FFT // 2 - 64)
    co = fourier_coefficients(act, L)
    F, Flo, Fhi = co["value"], co["lower"], co["upper"]
    # drop modes whose upper bound is negligible; they go into the tail
    keep = Fhi > _COEF_CUTOFF * Fhi.max()
    keep[0] = True
    # at least n modes, so that the basis has full row rank (tiny weights cost no accuracy)
    last = max(int(np.nonzero(keep)[0].max()), n)
    tail = co["tail"] + 2.0 * float(np.sum(Fhi[last + 1:]))
    ell = np.arange(1, last + 1)
    C = np.cos(np.outer(alpha, ell)) * math.sqrt(2.0)
    S = np.sin(np.outer(alpha, ell)) * math.sqrt(2.0)
    basis = np.concatenate([np.ones((n, 1)), C, S], axis=1)

    def svals(coef):
        w = np.sqrt(np.concatenate([coef[:1], coef[1:last + 1], coef[1:last + 1]]))
        return _graded_svals(basis * w, n)

    s_mid, s_lo, s_hi = svals(F), svals(Flo), svals(Fhi)
    # |dPhi_il| <= sqrt(2) eps (2 + l (|alpha_i| + 1)): rounding of l * alpha, of cos/sin and
    # of the angle itself; dB bounds ||dPhi D^{1/2}||_F (the absolute error of the factor)
    a = np.abs(alpha)[:, None]
    per_mode = 2.0 * np.sum(2.0 * (2.0 + ell[None, :] * (a + 1.0)) ** 2, axis=0)  # cos and sin
    dB = EPS * math.sqrt(float(np.sum(Fhi[1:last + 1] * per_mode)))
    return _brackets(s_mid, s_lo, s_hi, basis, dB, tail, n, k, "fourier")


def _brackets(s_mid, s_lo, s_hi, basis, dB, tail, n, k, method) -> EigenBrackets:
    """Turn singular values of the factor into eigenvalue brackets.

    Two errors: the Jacobi SVD of the float64 factor is accurate to the *relative* error
    ``16 sqrt(n M) eps cond(basis)`` (row-scaled matrix, Drmac and Veselic); the float64 factor
    differs from the exact one by at most ``dB`` in norm (Weyl: an absolute error in sigma).
    """
    ms = basis.shape[1]
    g = np.linalg.eigvalsh(basis @ basis.T)
    rel = 1.0
    if g[0] > 0:
        rel = min(1.0, 16.0 * math.sqrt(n * ms) * EPS * math.sqrt(g[-1] / g[0]))
    lam = np.sort(s_mid[:n] ** 2)
    lo = np.sort(np.maximum(s_lo[:n] * (1.0 - rel) - dB, 0.0) ** 2)
    hi = np.sort((s_hi[:n] * (1.0 + rel) + dB) ** 2 + n * tail)
    norm = float(s_hi[0] ** 2)
    sl = slice(0, k)
    return EigenBrackets(lam[sl], np.minimum(lo[sl], lam[sl]), np.maximum(hi[sl], lam[sl]),
                         EPS * norm, norm, method, n)


# --------------------------------------------------------------------------------------------
# the three-dimensional spherical-harmonic factorisation
# --------------------------------------------------------------------------------------------

_L3_COEF = 600       # Legendre coefficients computed up to this degree
_L3_CAP = 160        # at most this degree enters the factor B (columns (L + 1)^2)
_L3_CUTOFF = 1e-36   # relative size below which Legendre modes go to the tail


def sphere_coordinates(X: np.ndarray, tol: float = 1e-12) -> np.ndarray | None:
    """Coordinates of the points in an orthonormal basis of their span, if that span is 3-D."""
    P = span_coordinates(X, tol)
    return P if P.shape[1] == 3 else None


def legendre_coefficients(act, L: int = _L3_COEF) -> dict[str, np.ndarray | float]:
    r"""Legendre coefficients :math:`A_\ell`, :math:`\ell = 0..L`, of :math:`F(\rho) = \rho\,\kappa_{\phi'}(\rho)`.

    :math:`F = \sum_\ell A_\ell P_\ell`, all :math:`A_\ell \ge 0` (Funk-Hecke on the sphere).
    Computed from the Chebyshev coefficients :math:`c_j = 2\hat F_j` of
    :func:`fourier_coefficients` (relative accuracy, with bounds) through the exact
    relation :math:`A_n = (n + \tfrac12)\sum_{j \ge n,\ j \equiv n\ (2)} c_j \int_{-1}^1 T_j P_n`,
    with the integrals by Gauss-Legendre quadrature (exact for these degrees) and the bounds
    propagated through the positive and negative parts of the matrix. Returns ``value``,
    ``lower``, ``upper`` and ``tail`` (a bound on :math:`\sum_{n > L} A_n`, assuming
    geometric decay of the Chebyshev tail).
    """
    act = act if isinstance(act, Activation) else activation(act)
    key = act.key + ("legendre", L)
    if act.builtin and key in _COEF_CACHE:
        return _COEF_CACHE[key]
    Lc = _N_FFT // 2 - 64
    co = fourier_coefficients(act, Lc)
    scale = np.full(Lc + 1, 2.0)
    scale[0] = 1.0
    c, clo, chi = (scale * co[k] for k in ("value", "lower", "upper"))
    N = (Lc + L) // 2 + 8
    x, w = np.polynomial.legendre.leggauss(N)
    T = np.cos(np.outer(np.arange(Lc + 1), np.arccos(x)))
    Pn = np.empty((L + 1, N))
    Pn[0] = 1.0
    Pn[1] = x
    for k in range(1, L):
        Pn[k + 1] = ((2 * k + 1) * x * Pn[k] - k * Pn[k - 1]) / (k + 1)
    nn = np.arange(L + 1)[:, None]
    jj = np.arange(Lc + 1)[None, :]
    M = (nn + 0.5) * ((Pn * w) @ T.T)
    M[(jj < nn) | ((jj - nn) % 2 == 1)] = 0.0  # exact zeros (orthogonality, parity)
    Mp, Mm = np.maximum(M, 0.0), np.maximum(-M, 0.0)
    A = M @ c
    round_err = 4.0 * (N + Lc) * EPS * (np.abs(M) @ chi)
    trunc = (2.0 * np.arange(L + 1) + 1.0) * 2.0 * co["tail"]  # |int T_j P_n| <= 2, sum_{j>Lc} c_j
    Ahi = Mp @ chi - Mm @ clo + round_err + trunc
    Alo = np.maximum(Mp @ clo - Mm @ chi - round_err - trunc, 0.0)
    A = np.clip(A, Alo, Ahi)
    # sum_{n > L} A_n <= sum_{j > L} (j + 1)^2 c_j: bounded by the computed c_j beyond L and,
    # beyond Lc, by 4 (Lc + 1)^2 * tail (geometric decay assumed there)
    j = np.arange(L + 1, Lc + 1)
    tail = float(np.sum((j + 1.0) ** 2 * chi[L + 1:]) + 4.0 * (Lc + 1) ** 2 * 2.0 * co["tail"])
    res = {"value": A, "lower": Alo, "upper": Ahi, "tail": tail}
    if act.builtin:
        _COEF_CACHE[key] = res
    return res


def _real_harmonics(P: np.ndarray, L: int) -> tuple[np.ndarray, np.ndarray]:
    """Real orthonormal spherical harmonics of degrees 0..L at unit points P (n, 3).

    Returns ``(Y, deg)``: ``Y`` of shape (n, (L+1)^2) and the degree of each column.
    """
    from scipy import special

    theta = np.arccos(np.clip(P[:, 2], -1.0, 1.0))
    phi = np.arctan2(P[:, 1], P[:, 0])
    cols, deg = [], []
    for ell in range(L + 1):
        m = np.arange(ell + 1)[:, None]
        if hasattr(special, "sph_harm_y"):
            Y = special.sph_harm_y(ell, m, theta[None, :], phi[None, :])
        else:  # pragma: no cover - SciPy < 1.15
            Y = special.sph_harm(m, ell, phi[None, :], theta[None, :])
        cols.append(Y[0].real[None, :])
        if ell:
            cols.append(math.sqrt(2.0) * Y[1:].real)
            cols.append(math.sqrt(2.0) * Y[1:].imag)
        deg += [ell] * (2 * ell + 1)
    return np.concatenate(cols, axis=0).T, np.array(deg)


def _sphere_brackets(P: np.ndarray, act: Activation, k: int) -> EigenBrackets:
    n = P.shape[0]
    co = legendre_coefficients(act)
    A, Alo, Ahi = co["value"], co["lower"], co["upper"]
    big = np.nonzero(Ahi > _L3_CUTOFF * Ahi.max())[0]
    need = int(math.ceil(math.sqrt(n))) + 1
    last = int(min(max(big.max(), need), _L3_CAP))
    tail = co["tail"] + float(np.sum(Ahi[last + 1:]))
    Y, deg = _real_harmonics(P, last)
    fac = 4.0 * math.pi / (2.0 * deg + 1.0)

    def svals(coef):
        return _graded_svals(Y * np.sqrt(fac * coef[deg]), n)

    s_mid, s_lo, s_hi = svals(A), svals(Alo), svals(Ahi)
    # |dY| <= eps (4 + 2 l) |Y|-scale per entry; sum_m Y_lm(x)^2 = (2l + 1) / (4 pi) per point
    ells = np.arange(last + 1)
    dB = EPS * math.sqrt(n * float(np.sum(Ahi[: last + 1] * (4.0 + 2.0 * ells) ** 2)))
    return _brackets(s_mid, s_lo, s_hi, Y, dB, tail, n, k, "spherical")


def _dense_brackets(X: np.ndarray, act: Activation, k: int) -> EigenBrackets:
    G = gram_inf(X, act)
    n = G.shape[0]
    lam = np.linalg.eigvalsh(G)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = n * ENTRY_ERROR * max(1.0, float(np.max(np.abs(G)))) + 4.0 * math.sqrt(n) * EPS * norm
    lo = np.maximum(lam - delta, 0.0)
    hi = np.maximum(lam + delta, 0.0)
    val = np.maximum(lam, 0.0)
    return EigenBrackets(val[:k], lo[:k], hi[:k], EPS * norm, norm, "dense", n)


def smallest_eigenvalues(X, act, k: int = 1, *, method: str = "auto",
                         normalize: bool = False) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of :math:`G^\infty` with brackets.

    As :func:`_smallest_eigenvalues`, plus: pairs of points that force exact zeros
    (duplicates; antipodes when :math:`\phi'` has a parity) are found by
    :func:`exact_zero_pairs` and returned in ``exact_zeros``; the first ``zero_count``
    eigenvalues are then 0 exactly (``value`` and ``lower`` set to 0) and ``describe`` names
    the pairs and the reason.
    """
    b = _smallest_eigenvalues(X, act, k, method=method, normalize=normalize)
    act = act if isinstance(act, Activation) else activation(act)
    pairs = exact_zero_pairs(X, act, "G", normalize=normalize)
    if pairs:
        m = min(_zero_count(pairs, b.n), b.value.size)
        b.value[:m] = 0.0
        b.lower[:m] = 0.0
        b.exact_zeros = tuple(pairs)
        b.zero_count = m
    return b


def _smallest_eigenvalues(X, act, k: int = 1, *, method: str = "auto",
                          normalize: bool = False) -> EigenBrackets:
    r"""The ``k`` smallest eigenvalues of :math:`G^\infty` with brackets.

    ``method="auto"`` uses ``"fourier"`` when the rows span a 2-dimensional subspace and the
    activation is a smooth built-in (tanh, sigmoid, softplus, swish, GELU, erf, sin),
    ``"spherical"`` when they span a 3-dimensional one, and ``"dense"`` otherwise (kinked or
    user activations, or data of higher dimension: a correct bracket no better than the floor).
    Costs on 2 cores: ``"fourier"`` about 5 s for the first call per activation, then under
    1 s (n <= 200); ``"spherical"`` about 30 s at n = 500. See the module docstring for what each bracket rests on.
    ``method="certified"`` (never chosen by ``"auto"``; needs python-flint) returns brackets that
    are proofs, with ``certified=True``: see :mod:`actgram.certify`.
    """
    act = act if isinstance(act, Activation) else activation(act)
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    k = positive_int(k, "k")
    if k > n:
        raise ValueError(f"k = {k} exceeds the number of points n = {n}")
    if method not in ("auto", "fourier", "spherical", "dense", "certified"):
        raise ValueError("method must be 'auto', 'fourier', 'spherical', 'dense' or 'certified'; "
                         f"got {method!r}")
    if not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere; G is not defined")
    if method == "certified":
        from .certify import certified_brackets

        return certified_brackets(X, act, k)
    factorised = {"fourier": (2, "two"), "spherical": (3, "three")}
    if method == "dense" or (method == "auto" and act.derivative_complex is None):
        return _dense_brackets(X, act, k)
    if act.derivative_complex is None:
        raise ValueError(f"method={method!r} needs a smooth built-in activation, not {act.name}")
    P = span_coordinates(X)
    if method in factorised and P.shape[1] != factorised[method][0]:
        raise ValueError(f"method={method!r} needs data spanning exactly {factorised[method][1]} dimensions")
    if P.shape[1] == 2:
        return _fourier_brackets(np.arctan2(P[:, 1], P[:, 0]), act, k)
    if P.shape[1] == 3:
        return _sphere_brackets(P, act, k)
    return _dense_brackets(X, act, k)


def lambda_min(X, act, *, method: str = "auto", normalize: bool = False) -> LambdaMin:
    r"""Smallest eigenvalue of :math:`G^\infty` with a bracket ``lower <= lambda <= upper``.

    Returns a :class:`LambdaMin` with ``value``, ``lower``, ``upper``, ``floor``
    (:math:`\varepsilon\|G\|_2`, the resolution of a plain float64 solve), ``norm`` and
    ``method``, ``certified`` (True only for ``method="certified"``) and ``exact_zeros`` (the
    pairs of points that force lambda = 0 exactly, with the reason; then ``value`` is 0 and
    ``describe()`` says why). See
    :func:`smallest_eigenvalues` and the module docstring.
    """
    b = smallest_eigenvalues(X, act, 1, method=method, normalize=normalize)
    return LambdaMin(float(b.value[0]), float(b.lower[0]), float(b.upper[0]), b.floor, b.norm,
                     b.method, b.certified, b.exact_zeros)
