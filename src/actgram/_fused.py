r"""Fused evaluation of kernel matrices: one parallel pass from correlations to entries.

The numpy route to :math:`G^\infty_{ij} = \rho_{ij}\,\kappa(\theta_{ij})` makes a dozen passes
over the :math:`n \times n` entries (arccos, the stable-angle fix-up, one temporary per
Chebyshev term, the products, the symmetrisation, the finiteness check). Here, after the
matrix product :math:`R = XY^\top` (BLAS), one compiled pass (numba, ``parallel=True``, no
``fastmath``) takes every entry of the upper triangle from :math:`\rho` to its value:

* the stable angle: :math:`\theta = \arccos\rho` for :math:`|\rho| \le 0.9`, else
  :math:`\theta = 2\,\mathrm{atan2}(\|x_i - y_j\|, \|x_i + y_j\|)` from the rows, exactly as
  :func:`actgram.kernels.pair_angles`;
* the table: panel :math:`p = \lfloor \theta P / \pi \rfloor`, local coordinate
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

and writes both triangles. Accuracy: the same as the numpy route (entries agree with it to a
few units in the last place; tested entrywise in ``tests/test_fused.py``). Nothing is compiled
at import: numba is imported on the first call that needs it and its compiled code is cached
on disk (``cache=True``); without numba (``pip install 'actgram[fast]'``), or with the
environment variable ``ACTGRAM_NUMBA=0``, :mod:`actgram.kernels` uses its numpy route.
"""

from __future__ import annotations

import contextlib
import math
import os

import numpy as np

from ._fused_passes import _angles_pass, _arccos_pass, _numba, _table_eval, _table_pass

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
    """``rho * table_dd(theta) + table_ff(theta)`` (either term may be absent); (matrix, finite)."""
    X, Y, R, sym = _gram(X, Y)
    mode = (1 if cdd is not None else 0) | (2 if cff is not None else 0)
    dummy = np.zeros((1, 1))
    cdd = dummy if cdd is None else np.ascontiguousarray(cdd, dtype=np.float64)
    cff = dummy if cff is None else np.ascontiguousarray(cff, dtype=np.float64)
    out = np.empty_like(R)
    with _chunks(R.size):
        finite = _table_pass(X, Y, R, cdd, cff, mode, sym, out)
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
    from .kernels import ThetaTable, _pick, check_finite_kernel, theta_table

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
