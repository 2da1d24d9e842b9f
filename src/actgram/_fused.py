r"""Fused evaluation of kernel matrices: one parallel pass from correlations to entries.

The numpy route to :math:`G^\infty_{ij} = \rho_{ij}\,\kappa(\theta_{ij})` makes a dozen passes
over the :math:`n \times n` entries (arccos, the stable-angle fix-up, one temporary per
Chebyshev term, the products, the symmetrisation, the finiteness check). Here, after the
matrix product :math:`R = XY^\top` (BLAS), one compiled pass (numba, ``parallel=True``, no
``fastmath``) takes every entry of the upper triangle from :math:`\rho` to its value:

* the stable angle: :math:`\theta = \arccos\rho` for :math:`|\rho| \le 0.9`, else
  :math:`\theta = 2\,\mathrm{atan2}(\|x_i - y_j\|, \|x_i + y_j\|)` from the rows, exactly as
  :func:`actgram.kernels.pair_angles`;
* the table: where :math:`|\rho| \le 0.9`, a piecewise Chebyshev table *in* :math:`\rho`
  (128 panels of degree 8 on :math:`[-0.9, 0.9]`, or finer, see :data:`RHO_TRIES`; built
  once per activation from the theta table by :func:`rho_table`), so that no arccos is
  taken there; elsewhere (and on the diagonal) the stable angle and the theta table:
  panel :math:`p = \lfloor \theta P / \pi \rfloor`, local coordinate
  :math:`y = 2(\theta P/\pi - p) - 1` and the Clenshaw recurrence of
  :class:`actgram.kernels.ThetaTable` (same operations in the same order);
* or the arc-cosine closed forms (ReLU, leaky ReLU, abs, step):
  :math:`\kappa_{\phi'} = a + (1-a)^2 (\pi - \theta)/(2\pi)` and
  :math:`\kappa_\phi = p^2\rho + q^2 (4 J_1(\theta)/(2\pi) - \rho)`, :math:`p, q = (1 \pm a)/2`,
  with :math:`J_1 = \sin\theta + (\pi - \theta)\cos\theta`; :math:`\cos\theta = \rho` and
  :math:`\sin\theta = \sqrt{(1-\rho)(1+\rho)}` where :math:`|\rho| \le 0.9`, and
  :math:`\cos\theta = (b^2 - a^2)/(a^2 + b^2)`, :math:`\sin\theta = 2ab/(a^2 + b^2)` with
  :math:`a = \|x - y\|`, :math:`b = \|x + y\|` elsewhere (no cancellation near
  :math:`\rho = \pm 1`);

and writes both triangles. Accuracy: the same as the numpy route (entries agree with it
within 2e-15 * max(1, ``|entry|``), tested entrywise in ``tests/test_fused.py``; a rho
table is checked against its theta table when it is built, :data:`RHO_TOL`). Nothing is
compiled at import: numba is imported on the first call that needs it and its compiled
code is cached on disk (``cache=True``); without numba
(``pip install 'actgram[fast]'``), or with the environment variable ``ACTGRAM_NUMBA=0``,
:mod:`actgram.kernels` uses its numpy route.
"""

from __future__ import annotations

import contextlib
import math
import os

import numpy as np

from ._fused_passes import (
    _STABLE,
    _angles_pass,
    _arccos_pass,
    _numba,
    _rho_pass,
    _table_eval,
    _table_pass,
)

#: Arrays with fewer entries than this are left to numpy (call overhead dominates).
MIN_ENTRIES = 4096


def enabled() -> bool:
    """True when numba is importable and not switched off with ``ACTGRAM_NUMBA=0``."""
    return _numba is not None and os.environ.get("ACTGRAM_NUMBA", "1") != "0"


# --------------------------------------------------------------------------------------------
# entry points used by actgram.kernels
# --------------------------------------------------------------------------------------------

_BLAS = []  # [threadpoolctl controller or None], filled on first use


def _one_blas_thread():
    """A context in which BLAS runs on the calling thread only (threadpoolctl), if available.

    Measured on 2 cores: OpenBLAS's worker threads keep spinning for a while after a product,
    and the compiled pass that follows on every core then ran 2-4x slower; a single-threaded
    product (under 1 ns per entry for d = 10) leaves the cores to the pass.
    """
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS.append(ThreadpoolController())
        except Exception:  # threadpoolctl absent or failing: BLAS as configured
            _BLAS.append(None)
    if _BLAS[0] is None:
        return contextlib.nullcontext()
    return _BLAS[0].limit(limits=1, user_api="blas")


def _gram(X: np.ndarray, Y: np.ndarray | None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    sym = Y is None or Y is X
    X = np.ascontiguousarray(X, dtype=np.float64)
    Y = X if sym else np.ascontiguousarray(Y, dtype=np.float64)
    with _one_blas_thread():
        R = X @ Y.T
    return X, Y, np.ascontiguousarray(R), sym


#: Passes over fewer entries than this run on the calling thread alone: waking the workers
#: costs more than it saves there, and on a busy machine a parallel region waits at its end
#: for a worker the scheduler has not run yet (measured: 0.08 ms on one thread against
#: 80-140 ms on two for n = 100, load average 14 on 2 cores).
PARALLEL_MIN = 1 << 16


def _max_threads() -> int:
    """numba's thread count, capped by OMP_NUM_THREADS when that is set (as BLAS is), and one
    thread while the machine is oversubscribed (1-minute load average above the core count):
    then a parallel pass waits at its end for workers the scheduler has not run (measured with
    load average 12 on 2 cores: gram_inf(X, "tanh") at n = 400 took 136 ms on two threads, where
    one thread of a quiet machine needs about 4 ms)."""
    n = _numba.config.NUMBA_NUM_THREADS
    with contextlib.suppress(ValueError):
        n = min(n, max(1, int(os.environ.get("OMP_NUM_THREADS", n))))
    with contextlib.suppress(OSError, AttributeError):
        if os.getloadavg()[0] > (os.cpu_count() or 1):
            n = 1
    return n


class _chunks:
    """Thread count for a pass of ``entries`` entries, and dynamic scheduling: row pairs are
    handed out 4 at a time, so that a core slowed by other work does not hold up the pass (a
    static split waits for the slowest thread)."""

    def __init__(self, entries: int, chunk: int = 4):
        self.threads = 1 if entries < PARALLEL_MIN else _max_threads()
        self.chunk = chunk

    def __enter__(self):
        self.saved = _numba.get_num_threads()
        _numba.set_num_threads(self.threads)
        self.saved_chunk = _numba.set_parallel_chunksize(self.chunk)
        return self

    def __exit__(self, *exc):
        _numba.set_parallel_chunksize(self.saved_chunk)
        _numba.set_num_threads(self.saved)
        return False



# ------------------------------------------------------------------------------------
# tables in rho: no arccos where |rho| <= 0.9
# ------------------------------------------------------------------------------------

#: (panels, degree) tried in turn for a table in rho on [-0.9, 0.9]; the first that
#: passes the check of :func:`_rho_fit` is kept; if none does, the angle route stays.
RHO_TRIES = ((128, 8), (128, 12), (256, 16))
#: Largest difference allowed, relative to max(1, |kappa|), between a rho table (its
#: float64 coefficients) and the theta table at the exact angle, both evaluated in long
#: double at the panel edges and three points between consecutive nodes. The theta
#: tables jump by a few 1e-16 at their own panel edges (their interpolation error), so
#: the two cannot agree more closely than that; the built-ins reach at most 6e-16.
RHO_TOL = 1e-15
#: id(theta coef) -> (theta coef, rho coef or None)
_RHO: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}


def _clenshaw_ld(coef: np.ndarray, x: np.ndarray, lo, width) -> np.ndarray:
    """Long-double Clenshaw evaluation of a panel table on [lo, lo + width] at x."""
    P, D1 = coef.shape
    t = (x - lo) * (P / width)
    p = np.clip(np.floor(t).astype(np.intp), 0, P - 1)
    y = 2 * (t - p) - 1
    b1 = np.zeros_like(y)
    b2 = np.zeros_like(y)
    for j in range(D1 - 1, 0, -1):
        b1, b2 = coef[p, j] + 2 * y * b1 - b2, b1
    return coef[p, 0] + y * b1 - b2


def _rho_fit(coef: np.ndarray, panels: int, degree: int) -> np.ndarray | None:
    r"""Chebyshev coefficients in :math:`\rho` of :math:`\kappa(\arccos\rho)` on
    ``panels`` equal panels of [-0.9, 0.9], from the theta table ``coef``: its values at
    the first-kind nodes and their discrete cosine transform, in long double; None if
    the result misses the theta table by more than :data:`RHO_TOL` at a check point."""
    if not np.all(np.isfinite(coef)):
        return None
    ld = np.longdouble
    pi = np.arccos(ld(-1))
    lo, width = ld(-_STABLE), ld(2 * _STABLE)
    cl = coef.astype(ld)

    def kappa(r):
        return _clenshaw_ld(cl, np.arctan2(np.sqrt((1 - r) * (1 + r)), r), ld(0), pi)

    N = degree + 1
    ang = pi * (np.arange(N, dtype=ld) + ld(0.5)) / N
    h = width / panels
    left = lo + h * np.arange(panels, dtype=ld)
    vals = kappa(left[:, None] + h * (np.cos(ang) + 1) / 2)
    c = 2 * vals @ np.cos(np.outer(ang, np.arange(N, dtype=ld))) / N
    c[:, 0] /= 2
    c = c.astype(np.float64)
    yc = np.linspace(-1, 1, 3 * degree + 4, dtype=ld)
    rc = np.clip((left[:, None] + h * (yc + 1) / 2).ravel(), lo, -lo)
    ref = kappa(rc)
    err = np.abs(_clenshaw_ld(c.astype(ld), rc, lo, width) - ref)
    return c if np.max(err / np.maximum(1, np.abs(ref))) <= RHO_TOL else None


def rho_table(coef: np.ndarray) -> np.ndarray | None:
    """The table in rho that replaces the theta table ``coef`` where |rho| <= 0.9, or
    None (no long double wider than float64 on this platform, or no entry of
    :data:`RHO_TRIES` passes the check).

    Built once per theta table (a few milliseconds) and kept while the theta table is
    (the theta tables are cached themselves)."""
    hit = _RHO.get(id(coef))
    if hit is not None and hit[0] is coef:
        return hit[1]
    out = None
    if np.finfo(np.longdouble).eps < 1e-18 and np.ndim(coef) == 2:
        for panels, degree in RHO_TRIES:
            out = _rho_fit(coef, panels, degree)
            if out is not None:
                break
    if len(_RHO) > 256:
        _RHO.clear()
    _RHO[id(coef)] = (coef, out)
    return out


def table_eval(coef: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Clenshaw evaluation of a piecewise Chebyshev table at any array of angles (parallel)."""
    th = np.ascontiguousarray(theta, dtype=np.float64).ravel()
    out = np.empty_like(th)
    with _chunks(th.size, 1 << 14):
        _table_eval(np.ascontiguousarray(coef, dtype=np.float64), th, out)
    return out.reshape(np.shape(theta))


def pair_angles(X: np.ndarray, Y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Clipped correlations and stable angles (as :func:`actgram.kernels.pair_angles`)."""
    X, Y, R, sym = _gram(X, Y)
    theta = np.empty_like(R)
    with _chunks(R.size):
        _angles_pass(X, Y, R, theta, sym)
    return R, theta


def table_kernel(X: np.ndarray, Y: np.ndarray | None, cdd: np.ndarray | None,
                 cff: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """``rho * table_dd(theta) + table_ff(theta)`` (either term may be absent); (matrix,
    finite). Read from the tables in rho (:func:`rho_table`) where |rho| <= 0.9 when every
    table present has one, else from the theta tables everywhere."""
    X, Y, R, sym = _gram(X, Y)
    mode = (1 if cdd is not None else 0) | (2 if cff is not None else 0)
    dummy = np.zeros((1, 1))
    cdd = dummy if cdd is None else np.ascontiguousarray(cdd, dtype=np.float64)
    cff = dummy if cff is None else np.ascontiguousarray(cff, dtype=np.float64)
    out = np.empty_like(R)
    rdd = dummy if mode & 1 == 0 else rho_table(cdd)
    rff = dummy if mode & 2 == 0 else rho_table(cff)
    with _chunks(R.size):
        if rdd is None or rff is None:
            finite = _table_pass(X, Y, R, cdd, cff, mode, sym, out)
        else:
            finite = _rho_pass(X, Y, R, cdd, cff, rdd, rff, mode, sym, out)
    return out, bool(finite)


def arccos_kernel(X: np.ndarray, Y: np.ndarray | None, a: float, relu: bool,
                  mode: int) -> np.ndarray:
    """One pass of the arc-cosine family (negative-side slope ``a``): ``mode`` 1 = G, 2 = K,
    3 = G + K, 4 = the step's K."""
    X, Y, R, sym = _gram(X, Y)
    out = np.empty_like(R)
    with _chunks(R.size):
        _arccos_pass(X, Y, R, float(a), bool(relu), int(mode), sym, out)
    return out


def arccos_slope(act) -> tuple[float, bool] | None:
    """(negative-side slope a, is ReLU) for the arc-cosine activations, else None.

    ReLU: a = 0; leaky ReLU: its slope; abs: a = -1; step: (nan, False) (K only, mode 4).
    Read from the fact the activation block declares (``act.arccos``), not its name.
    """
    return getattr(act, "arccos", None)


def kernel(X: np.ndarray, Y: np.ndarray | None, act, kind: str) -> np.ndarray | None:
    """The fused route of :func:`actgram.kernels.kernel_inf` (``kind`` in G, K, ntk), or None
    where it does not apply (closed forms other than the arc-cosine family, polynomials);
    raises as the numpy route does (G of the step, non-finite entries)."""
    from ._quadrature import _pick
    from ._tables import ThetaTable, theta_table
    from .kernels import check_finite_kernel

    ofs = {"G": ("derivative",), "K": ("function",), "ntk": ("derivative", "function")}[kind]
    for of in ofs:
        _pick(act, of)  # the same refusal as the numpy route (the step has no G)
    fam = arccos_slope(act)
    if fam is not None:
        a, relu = fam
        mode = 4 if math.isnan(a) else {"G": 1, "K": 2, "ntk": 3}[kind]
        return arccos_kernel(X, Y, 0.0 if math.isnan(a) else a, relu, mode)
    if act.hermite_poly is not None or any(of in act.dual for of in ofs):
        return None
    coefs = {}
    for of in ofs:
        tab = theta_table(act, of)
        if not isinstance(tab, ThetaTable) or np.ndim(tab.coef) != 2:
            return None
        coefs[of] = tab.coef
    out, finite = table_kernel(X, Y, coefs.get("derivative"), coefs.get("function"))
    if not finite:
        check_finite_kernel(out, act)  # raises with the numpy route's message
    return out
