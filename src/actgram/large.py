r"""Smallest eigenvalues of :math:`G^\infty` for large n, without forming the n x n matrix.

The matrix is never stored: every product :math:`G V` (a block of vectors) recomputes the
kernel entries row block by row block on the device (:class:`actgram.gpu.KernelBlocks`), so the
memory is :math:`O(n\,(d + b + p))` plus one block of rows, and the cost of one product is one
pass over the :math:`n^2` entries, nearly independent of the number of vectors.

**Method.** LOBPCG (``scipy.sparse.linalg.lobpcg``, ``largest=False``) on the operator :math:`V \mapsto GV`,
preconditioned with a Nystrom approximation built from ``p`` landmark columns
:math:`C = G[:, S]`, :math:`W = G[S, S]`: :math:`\hat G = C W^{+} C^\top = U\,\mathrm{diag}(s^2)\,U^\top`
and :math:`T = U\,\mathrm{diag}(1/(s^2 + \mu))\,U^\top + (I - UU^\top)/\mu` with :math:`\mu` the
smallest retained Nystrom eigenvalue. :math:`T` removes the large top of the kernel spectrum, which
otherwise makes unpreconditioned LOBPCG need hundreds of products. Shift-invert is impossible
without the matrix. The heavy work (kernel entries, products) runs in torch on any device; the
small Rayleigh-Ritz problems run in scipy on the host.

**Accuracy (what this method can deliver).** The products use entries within
:math:`\delta = 10^{-14}\max(1, |G_{ij}|)` of the exact ones, so
they are products with :math:`G + E`, :math:`\|E\|_2 \le n\delta`, plus summation round-off of
order :math:`\sqrt n\,\varepsilon\|G\|_2`. Hence the *floor*
:math:`f = n\delta + 4\sqrt n\,\varepsilon\|G\|_2`, the same as the dense bracket of
:mod:`actgram.spectra`: a Ritz value :math:`\theta` with residual :math:`r` has an exact
eigenvalue of :math:`G` within :math:`\|r\| + f` of it, and :math:`\lambda_{\min}(G) \le \theta + f`
(Rayleigh quotient). That the eigenvalue found is the *smallest* is not guaranteed (LOBPCG can
miss an eigenvector orthogonal to its start); the tests check it against dense ``eigvalsh`` at
n <= 2000. A value is reported only where :math:`\|r\| + f \le 10^{-2}\theta` (relative accuracy
1e-2). For smooth activations on low-dimensional data :math:`\lambda_{\min}` lies far below this
floor (chapter 4): there :meth:`LargeEigen.describe` says so and refuses to give a number; use
:func:`actgram.lambda_min`, whose factorisations go below it.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._validate import positive_int, real_scalar
from .gpu import KernelBlocks
from .spectra import ENTRY_ERROR, EPS


@dataclass
class LargeEigen:
    """Smallest eigenvalues from matrix-free LOBPCG, ascending, with what they can be trusted to.

    ``value``: Ritz values; ``residual``: :math:`\\|Gv - \\theta v\\|` per Ritz pair; ``floor``: the
    absolute accuracy of the products (module docstring); ``norm``: an estimate of
    :math:`\\|G\\|_2` (largest Ritz value of the Nystrom step); ``products``: number of block products
    with :math:`G`; ``info``: timings, device, block sizes.
    """

    value: np.ndarray
    residual: np.ndarray
    floor: float
    norm: float
    n: int
    products: int
    info: dict = field(default_factory=dict)

    @property
    def error(self) -> np.ndarray:
        """Distance to the nearest exact eigenvalue is at most ``residual + floor``."""
        return self.residual + self.floor

    @property
    def upper(self) -> np.ndarray:
        """Upper bounds: :math:`\\lambda_i(G) \\le \\theta_i + f` (Courant-Fischer on the Ritz space)."""
        return self.value + self.floor

    @property
    def resolved(self) -> np.ndarray:
        """True where ``residual + floor <= 1e-2 * value`` (a number with two correct digits)."""
        return self.error <= 1e-2 * self.value

    def describe(self, i: int = 0, digits: int = 3) -> str:
        """A number only where it is resolved; 'below the floor' or 'not converged' otherwise."""
        if self.resolved[i]:
            return f"{self.value[i]:.{digits}g}"
        if self.value[i] <= 100.0 * self.floor:
            return f"below the floor of the matrix-free products ({self.floor:.1e}); no number reported"
        return f"not converged (residual {self.residual[i]:.1e}); no number reported"


def _products(kb: KernelBlocks, counter: list):
    import torch

    def mm(V):
        V = np.asarray(V, dtype=np.float64)
        one = V.ndim == 1
        V2 = V.reshape(kb.n, -1)
        counter[0] += 1
        Vt = torch.as_tensor(V2, dtype=kb.dtype, device=kb.device)
        out = torch.empty_like(Vt)
        b = kb.block_rows()
        for i0 in range(0, kb.n, b):
            out[i0:i0 + b] = kb.rows(i0, min(kb.n, i0 + b)) @ Vt
        res = out.cpu().numpy()
        return res.ravel() if one else res

    return mm


def _nystrom(kb: KernelBlocks, p: int, rng: np.random.Generator):
    """Landmark Nystrom factor U (n, r), s^2 (r,) of G, from p columns (computed as rows, G symmetric)."""
    import torch

    S = np.sort(rng.choice(kb.n, size=p, replace=False))
    step = max(1, kb.block_rows())
    C = torch.cat([kb.rows_at(S[s0:s0 + step].tolist()) for s0 in range(0, p, step)]).T.cpu().numpy()
    W = C[S]
    W = 0.5 * (W + W.T)
    w, Q = np.linalg.eigh(W)
    keep = w > 1e-12 * w[-1]
    F = C @ (Q[:, keep] / np.sqrt(w[keep]))
    U, s, _ = np.linalg.svd(F, full_matrices=False)
    return U, s * s


def smallest_eigenvalues_large(X, act, k: int = 1, *, kind: str = "G", block: int | None = None,
                               landmarks: int | None = None, tol: float = 1e-9, maxiter: int = 200,
                               seed: int = 0, device=None, normalize: bool = False) -> LargeEigen:
    r"""The ``k`` smallest eigenvalues of an infinite-width kernel matrix, matrix-free.

    Parameters
    ----------
    X : array_like
        (n, d) data with unit rows.
    act : str or Activation
        The activation.
    k : int
        How many of the smallest eigenvalues.
    kind : str
        ``"G"`` (default), ``"K"`` or ``"ntk"`` (see :func:`actgram.kernel_inf`).
    block : int, optional
        LOBPCG block size (default ``k + 4``; extra vectors speed convergence).
    landmarks : int, optional
        Nystrom landmarks for the preconditioner (default ``min(n, 1500)``; 0 = none). At n = 10000
        (ReLU, sphere in R^10) 1500 landmarks took 99 products against 149 with 400; host memory
        grows by a few ``n x landmarks`` float64 arrays.
    tol : float
        LOBPCG residual tolerance relative to the operator scale (scipy's convention).
    maxiter : int
        LOBPCG iterations at most (non-convergence shows in the residual and in ``describe``).
    seed : int
        Seed of the landmarks and of the starting block.
    device : torch device or str, optional
        Where the kernel products run (default CUDA when available).
    normalize : bool
        Scale the rows of ``X`` to unit length instead of refusing rows that are not.

    Notes
    -----
    Memory :math:`O(n(d + b + p))` plus one block of :data:`actgram.gpu.BLOCK_ENTRIES` entries
    (:data:`actgram.gpu.BLOCK_ENTRIES_CPU` on the CPU);
    time: (products + 1) passes over the :math:`n^2` kernel entries. Accuracy and what is
    reported: module docstring (``describe`` refuses numbers below the floor).
    """
    from scipy.sparse.linalg import LinearOperator, lobpcg

    t0 = time.perf_counter()
    kb = KernelBlocks(X, act, kind, device=device, normalize=normalize)
    n = kb.n
    k = positive_int(k, "k")
    b = k + 4 if block is None else positive_int(block, "block")
    if b < k:
        raise ValueError(f"block = {b} must be at least k = {k}")
    if 5 * b > n:
        raise ValueError(f"n = {n} is too small for matrix-free LOBPCG with block {b} (needs n >= 5 * block); "
                         "use actgram.smallest_eigenvalues (dense) for small n")
    p = min(n, 1500) if landmarks is None else positive_int(landmarks, "landmarks", minimum=0)
    p = min(p, n - 1)
    tol = real_scalar(tol, "tol", positive=True)
    maxiter = positive_int(maxiter, "maxiter")
    rng = np.random.default_rng(seed)
    counter = [0]
    mm = _products(kb, counter)
    A = LinearOperator((n, n), matvec=mm, matmat=mm, dtype=np.float64)
    M = None
    norm_est = None
    if p > 0:
        U, s2 = _nystrom(kb, p, rng)
        mu = float(s2[-1])
        norm_est = float(s2[0])

        def prec(R):
            R = np.asarray(R, dtype=np.float64)
            UR = U.T @ R
            return U @ (UR / (s2 + mu)[:, None] if R.ndim == 2 else UR / (s2 + mu)) + (R - U @ UR) / mu

        M = LinearOperator((n, n), matvec=prec, matmat=prec, dtype=np.float64)
    t1 = time.perf_counter()
    V0 = rng.standard_normal((n, b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # non-convergence is reported through the residual
        w, V = lobpcg(A, V0, M=M, largest=False, tol=tol, maxiter=maxiter)
    order = np.argsort(w)
    w, V = w[order], V[:, order]
    GV = mm(V)
    res = np.linalg.norm(GV - V * w, axis=0) / np.linalg.norm(V, axis=0)
    if norm_est is None:
        norm_est = float(np.max(np.linalg.norm(GV, axis=0)))
    # a bound on |G_ij| for the entry error: the diagonal dominates for PSD kernels, |G_ij| <= G_ii
    gmax = float(np.max(np.abs(kb.rows(0, 1).cpu().numpy())))
    floor = n * ENTRY_ERROR * max(1.0, gmax) + 4.0 * math.sqrt(n) * EPS * norm_est
    info = {"device": str(kb.device), "block": b, "landmarks": p, "setup_s": t1 - t0,
            "lobpcg_s": time.perf_counter() - t1, "kind": kind, "activation": kb.act.name}
    return LargeEigen(w[:k], res[:k], floor, norm_est, n, counter[0], info)
