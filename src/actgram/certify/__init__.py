r"""Certified eigenvalues of :math:`G^\infty`: enclosures that are proofs (python-flint balls).

``lambda_min(X, act, method="certified")`` and ``smallest_eigenvalues(..., method="certified")``
(:mod:`actgram.spectra`) call :func:`certified_brackets`; :func:`certified_spectrum` returns the
enclosures at full precision with the bits used and the time split. Needs the optional extra
``actgram[certify]`` (python-flint); ``import actgram`` does not import it.

What is certified
-----------------
The matrix is :math:`G_{ij} = \rho_{ij}\,\kappa(\rho_{ij})` with
:math:`\kappa(\rho) = \mathbb{E}[\phi'(u)\phi'(v)]`, :math:`(u, v)` standard normal with
correlation :math:`\rho`, for the unit vectors :math:`x_i/\|x_i\|`, where the float64 rows
:math:`x_i` are taken as exact numbers: :math:`\rho_{ij} = x_i\cdot x_j/(\|x_i\|\|x_j\|)` is
enclosed in ball arithmetic (the products and sums of floats are exact or tight balls; the
diagonal is exactly 1). The result is a statement about the eigenvalues of *that* matrix:
``lower <= lambda <= upper`` holds as a mathematical fact, every rounding and truncation error
being enclosed. Nothing is estimated.

What the proof rests on
-----------------------
1. *Closed forms*, evaluated in Arb ball arithmetic (every operation returns a ball containing
   the exact result): with :math:`\theta = \arccos\rho`, ReLU
   :math:`\kappa = (\pi - \theta)/(2\pi)`; leaky ReLU with slope :math:`a` (abs: :math:`a = -1`)
   :math:`a + (1 - a)^2(\pi - \theta)/(2\pi)`; ``relu_power`` :math:`r \le 3`:
   :math:`r^2 J_{r-1}(\theta)/(2\pi)` (Cho and Saul); erf
   :math:`\frac{4}{\pi}(9 - 4\rho^2)^{-1/2}`; sin :math:`e^{-1}\cosh\rho`; polynomials: the
   exact Hermite expansion :math:`\kappa = \sum_k b_k^2\,k!\,\rho^k` of
   :math:`\phi' = \sum_k b_k He_k`.
2. *Hermite series* for tanh, sigmoid, softplus, swish and GELU:
   :math:`\kappa(\rho) = \sum_k a_k^2\rho^k` (Mehler), :math:`a_k = \mathbb{E}[\phi'(g)He_k(g)]
   /\sqrt{k!}`. All :math:`a_k^2 \ge 0` and :math:`\sum_k a_k^2 = S = \mathbb{E}[\phi'(g)^2]`,
   so for :math:`|\rho| \le 1` the tail after :math:`K` terms lies in
   :math:`[-|\rho|^{K+1}T_K,\ |\rho|^{K+1}T_K]` with :math:`T_K = S - \sum_{k \le K}a_k^2`,
   enclosed from balls for :math:`S` and the :math:`a_k^2`. :math:`K` grows until
   :math:`T_K < 2^{-\mathrm{bits}}`; the diagonal is :math:`S` itself.
3. *Integral enclosures.* :math:`S` is ``acb.integral`` of :math:`\phi'^2` times the normal
   density on :math:`[-L, L]` plus :math:`\sup\phi'^2\,P(|g| > L)`. The :math:`a_k` come from
   Fourier transforms of :math:`\phi'` (module ``_hermite``): positive integrands on
   :math:`[0, \Omega]` by ``acb.integral`` (rigorous for integrands holomorphic near the
   segment, which these meromorphic ones are) and an incomplete-gamma bound beyond
   :math:`\Omega`; for GELU they are exact Gamma values.
4. *Gershgorin with counting.* For any invertible :math:`V`, :math:`B = V^{-1}GV` has the
   eigenvalues of :math:`G`. :math:`B` is enclosed by ``arb_mat.solve`` (which proves
   :math:`V` invertible), for every :math:`G` in the ball matrix at once. The disks of
   :math:`DBD^{-1}` (:math:`D` diagonal, positive) contain all eigenvalues, and a connected
   component of :math:`m` disks disjoint from the others contains exactly :math:`m` of them
   (continuity of eigenvalues along :math:`\mathrm{diag}(B) + t\,\mathrm{offdiag}(B)`).
   The eigenvalues are real (:math:`G` symmetric), so the components are intervals; the
   :math:`i`-th smallest eigenvalue lies in the component that holds the :math:`i`-th disk in
   the count. Three scalings (:math:`D = I`, :math:`|\tilde\lambda|^{1/2}`,
   :math:`|\tilde\lambda|^{-1/2}`) give three valid enclosures, which are intersected.
   Lower bounds are clipped at 0 (:math:`G^\infty` is a Gram matrix, positive semidefinite).
   When the smallest eigenvalue's component holds several disks, the bracket is that
   cluster's bounds.
5. *Conversion to float64*: lower endpoints are rounded down, upper endpoints up.

The approximate eigenbasis :math:`V` needs no proof. It comes from float64 ``eigh`` when
60 bits suffice and otherwise from python-flint's ``acb_mat.eig(algorithm="approx")`` (QR
iteration at the working precision; groups of close eigenvalues get a real orthonormal basis
of their span). Alternatives measured: float64 eigenvectors resolve nothing below the float64
floor; Arb's own certified ``acb_mat.eig`` at the same precision took as long and failed to
isolate the eigenvalues (erf, n = 64 and 96 half-circle points, whose two smallest eigenvalues
nearly coincide), where the Gershgorin components simply count the pair. The working precision
is chosen from the approximate spectrum,
:math:`\log_2(\|G\|/\lambda_{\min}) + \tfrac12\log_2 n + \log_2(1/w) + 12` bits for a relative
width :math:`w`; when the smallest eigenvalues are round-off at the current precision, the next
one is extrapolated from the resolved eigenvalues. At most ``max_tries`` precisions are tried;
the certificate of the last one is returned even if it is wider than :math:`w` (it is still a
proof), and :class:`CertificationError` is raised only when no precision proved :math:`V`
invertible.

Cost on 2 cores (one thread, ``benchmarks/bench_certify.py``): tanh on 128 half-circle points
about 25 s unloaded (the Hermite coefficients dominate; cached per activation and precision),
erf on 250 points about 1-2 minutes at 410 bits (the eigenbasis dominates).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_activation, as_data, positive_int
from ..activations import Activation
from ._flint import float_down, float_up, require, working_precision
from ._gershgorin import certify, eigenbasis, extrapolated_bits, log2_ratio, needed_bits
from ._hermite import SERIES
from ._kernels import check_supported, correlations, kernel_balls, supported_activations

MAX_N = 400  # the certificate costs O(n^3) operations at hundreds of bits

__all__ = [
    "CertificationError",
    "CertifiedSpectrum",
    "MAX_N",
    "certified_brackets",
    "certified_spectrum",
    "correlations",
    "kernel_balls",
    "supported_activations",
]


class CertificationError(RuntimeError):
    """No certificate could be produced within the allowed precision."""


@dataclass
class CertifiedSpectrum:
    """Enclosures of the ``k`` smallest eigenvalues, ascending, as exact arb endpoints.

    ``lower[i] <= lambda_i <= upper[i]`` is proved (module docstring). ``cluster[i]`` is the
    number of Gershgorin disks in the component that encloses eigenvalue ``i`` (1: isolated).
    ``norm`` is an upper bound on :math:`\\|G\\|_2`; ``bits`` the working precision;
    ``seconds`` the time split into ``entries``, ``basis`` and ``certificate`` (all attempts
    together); ``attempts`` the number of precisions tried.
    """

    lower: list
    upper: list
    value: list
    cluster: list[int]
    norm: object
    bits: int
    n: int
    attempts: int
    seconds: dict = field(default_factory=dict)

    def relative_width(self, i: int = 0) -> float:
        """``(upper - lower) / upper`` of eigenvalue ``i`` (1.0 when ``upper`` is 0)."""
        lo, hi = self.lower[i], self.upper[i]
        if not hi > 0:
            return 1.0
        with working_precision(64):
            return float_up(((hi - lo) / hi).upper())

    def describe(self, i: int = 0, digits: int = 4) -> str:
        """The enclosure of eigenvalue ``i`` as ``[lower, upper]`` in ``digits`` digits."""
        lo, hi = self.lower[i], self.upper[i]
        return f"[{_sci(lo, digits, 'down')}, {_sci(hi, digits, 'up')}]"

    def brackets(self):
        """The result as an :class:`actgram.spectra.EigenBrackets` with ``certified=True``."""
        from ..spectra import EPS, EigenBrackets

        lo = np.array([max(float_down(x), 0.0) for x in self.lower])
        hi = np.array([float_up(x) for x in self.upper])
        val = np.clip(np.array([float(x) for x in self.value]), lo, hi)
        norm = float_up(self.norm)
        return EigenBrackets(val, lo, hi, EPS * norm, norm, "certified", self.n, certified=True)


def _sci(x, digits: int, direction: str) -> str:
    """Decimal scientific notation of an exact arb point, rounded outward."""
    arb = require().arb
    if x == 0:
        return "0"
    with working_precision(64 + 4 * digits):
        e = int(math.floor(float(abs(x).log() / arb(10).log())))
        m = x / arb(10) ** e
        scale = 10 ** (digits - 1)
        q = m * scale
        k = int(math.floor(float(q.mid()))) if direction == "down" else int(math.ceil(float(q.mid())))
        while direction == "down" and arb(k) > q:
            k -= 1
        while direction == "up" and arb(k) < q:
            k += 1
        if abs(k) >= 10 * scale:
            return _sci(x, digits - 1, direction) if digits > 1 else f"{k}e{e - digits + 1}"
        s = f"{k / scale:.{digits - 1}f}"
    return f"{s}e{e:+03d}"


def _initial_bits(X: np.ndarray, act: Activation, rel_width: float) -> int:
    """A first working precision from a float64 look at the kernel (only a starting guess)."""
    from ..kernels import gram_inf

    n = X.shape[0]
    lam = np.linalg.eigvalsh(gram_inf(X, act))
    top = float(lam[-1])
    if lam[0] > 1e4 * np.finfo(float).eps * top:  # well above the float64 floor: trust it
        ratio = math.log2(top / float(lam[0]))
        return int(math.ceil(ratio + 0.5 * math.log2(n) + math.log2(1.0 / rel_width) + 20))
    return 104


def _attempt(X, act, k, bits, rel_width, last, spent, grow):
    """One precision: entries, basis, certificate. Returns (result or None, next bits).

    Adds the time of each phase to ``spent`` (all attempts together).
    """
    n = X.shape[0]
    t0 = time.perf_counter()
    G = kernel_balls(X, act, bits)
    t1 = time.perf_counter()
    lam, V = eigenbasis(G, bits)
    t2 = time.perf_counter()
    spent["entries"] += t1 - t0
    spent["basis"] += t2 - t1
    need = needed_bits(lam, n, rel_width)
    resolved = log2_ratio(lam) + math.log2(n) + 8 < bits
    if not last and not resolved:  # the smallest eigenvalue is round-off at this precision
        return None, max(int(grow * bits), extrapolated_bits(lam, bits, n, rel_width) + 8)
    if not last and need > bits:
        return None, need + 8
    try:
        enc = certify(G, V, lam, bits)
    except ZeroDivisionError:  # V not provably invertible
        return None, 2 * bits
    t3 = time.perf_counter()
    spent["certificate"] += t3 - t2
    with working_precision(bits):
        lo = [enc[i][0] if enc[i][0] > 0 else require().arb(0) for i in range(k)]
        res = CertifiedSpectrum(
            lower=lo, upper=[enc[i][1] for i in range(k)], value=lam[:k],
            cluster=[enc[i][2] for i in range(k)], norm=enc[-1][1], bits=bits, n=n, attempts=0,
            seconds=dict(spent),
        )
    return res, max(int(1.5 * bits), need + 32)


def certified_spectrum(X, act, k: int = 1, *, rel_width: float = 1e-2, bits: int | None = None,
                       max_tries: int = 4, max_bits: int | None = None,
                       normalize: bool = False) -> CertifiedSpectrum:
    r"""Proved enclosures of the ``k`` smallest eigenvalues of :math:`G^\infty`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Unit rows (float64, taken as exact); ``n <= MAX_N``.
    act : str or Activation
        One of :func:`supported_activations`.
    k : int
        Number of smallest eigenvalues.
    rel_width : float
        Target relative width of the enclosures; the precision is raised until it is met or
        ``max_tries`` precisions were tried (the last certificate is returned, still proved,
        only wider).
    bits : int, optional
        Fixed working precision (no automatic choice).
    max_tries, max_bits : int, optional
        At most ``max_tries`` precisions, none above ``max_bits`` (default 832 bits for the
        closed forms, 256 for the Hermite-series activations, whose coefficient cost grows
        like bits^2); the last attempt returns its certificate whatever its width. When the
        basis does not resolve the smallest eigenvalue, the next precision is extrapolated
        from the resolved eigenvalues, and at least a factor 2 (closed forms) or 1.4
        (series) larger.

    Raises
    ------
    ValueError
        Unsupported activation or ``n > MAX_N``.
    CertificationError
        No certificate at any precision tried.
    """
    require()
    act = as_activation(act)
    check_supported(act)
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    if n > MAX_N:
        raise ValueError(f"method='certified' is limited to n <= {MAX_N} points (got n = {n}): "
                         "its cost grows like n^3 at hundreds of bits. Use method='auto'.")
    k = positive_int(k, "k")
    if k > n:
        raise ValueError(f"k = {k} exceeds the number of points n = {n}")
    series = check_supported(act) in SERIES
    if max_bits is None:
        max_bits = 256 if series else 832
    grow = 1.4 if series else 2.0  # precision factor when the basis does not resolve lambda_min
    p = int(bits) if bits is not None else _initial_bits(X, act, rel_width)
    cap = max_bits if bits is None else p
    spent = {"entries": 0.0, "basis": 0.0, "certificate": 0.0}
    for attempt in range(1, max_tries + 1):
        final = bits is not None or attempt == max_tries or p >= cap
        res, p_next = _attempt(X, act, k, min(p, cap), rel_width, final, spent, grow)
        if res is not None:
            res.attempts = attempt
            if final or max(res.relative_width(i) for i in range(k)) <= rel_width:
                return res
        p = min(p_next, cap)
    raise CertificationError(f"{act.name}, n = {n}: no certificate after {max_tries} precisions "
                             f"(last tried {p} bits); pass a larger max_tries or bits")


def certified_brackets(X, act, k: int = 1, *, normalize: bool = False):
    """:func:`certified_spectrum` as an :class:`~actgram.spectra.EigenBrackets` (``certified=True``)."""
    return certified_spectrum(X, act, k, normalize=normalize).brackets()
