r"""Method ``"matrix-free"``: LOBPCG on kernel products, without the n x n matrix.

The matrix is never stored: every product :math:`MV` (a block of vectors) recomputes the
kernel entries row block by row block on the device
(:class:`actgram.torch_kernels.KernelBlocks`), so the memory is :math:`O(n\,(d + b +
p))` plus one block of rows, and the cost of one product is one pass over the
:math:`n^2` entries, nearly independent of the number of vectors.

**Method.** LOBPCG (``scipy.sparse.linalg.lobpcg``, ``largest=False``) on
:math:`V \mapsto MV`, preconditioned with a Nystrom approximation built from ``p``
landmark columns :math:`C = M[:, S]`, :math:`W = M[S, S]`:
:math:`\hat M = C W^{+} C^\top = U\,\mathrm{diag}(s^2)\,U^\top` and
:math:`T = U\,\mathrm{diag}(1/(s^2 + \mu))\,U^\top + (I - UU^\top)/\mu` with :math:`\mu`
the smallest retained Nystrom eigenvalue. :math:`T` removes the large top of the kernel
spectrum, which otherwise makes unpreconditioned LOBPCG need hundreds of products.
Shift-invert is impossible without the matrix. The heavy work (kernel entries, products)
runs in torch on any device; the small Rayleigh-Ritz problems run in scipy on the host.

**Accuracy.** The products use entries within :math:`10^{-14}\max(1, |M_{ij}|)` of the
exact ones, plus summation round-off, so they carry the dense Weyl radius
:math:`\delta` (:func:`actgram._guards.dense_radius`, with the Nystrom estimate of
:math:`\|M\|_2`). A Ritz value :math:`\theta` with residual :math:`r` has an exact
eigenvalue within :math:`\|r\| + \delta` of it, and :math:`\lambda_{\min} \le \theta +
\delta` (Rayleigh quotient): the bracket is
:math:`[\max(\theta - \|r\| - \delta, 0),\ \theta + \delta]`. That the eigenvalue found
is the *smallest* is not guaranteed (LOBPCG can miss an eigenvector orthogonal to its
start); the tests check it against dense ``eigvalsh`` at n <= 2000. ``describe`` gives a
number only where the bracket is resolved (relative width 1e-2), and otherwise says
"below the floor" or "not converged".

Options (``options=`` of :func:`actgram.smallest_eigenvalues`): ``block`` (LOBPCG block,
default ``k + 4``), ``landmarks`` (default ``min(n, 1500)``; 0 = no preconditioner; at
n = 10000, ReLU on the sphere in R^10, 1500 landmarks took 99 products against 149 with
400), ``tol`` (LOBPCG residual tolerance, scipy's convention, default 1e-9), ``maxiter``
(default 200), ``seed`` (landmarks and starting block, default 0).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from .._guards import EPS, dense_radius, entry_error
from .._validate import positive_int, real_scalar
from ._result import EigenBrackets

#: The options of the matrix-free method and their defaults (None: chosen from n and k).
OPTIONS = {"block": None, "landmarks": None, "tol": 1e-9, "maxiter": 200, "seed": 0}


def _products(kb, counter: list):
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
            out[i0 : i0 + b] = kb.rows(i0, min(kb.n, i0 + b)) @ Vt
        res = out.cpu().numpy()
        return res.ravel() if one else res

    return mm


def _nystrom(kb, p: int, rng: np.random.Generator):
    """Landmark Nystrom factor U (n, r), s^2 (r,) of M, from p columns (computed as
    rows, M symmetric)."""
    import torch

    S = np.sort(rng.choice(kb.n, size=p, replace=False))
    step = max(1, kb.block_rows())
    C = (
        torch.cat([kb.rows_at(S[s0 : s0 + step].tolist()) for s0 in range(0, p, step)])
        .T.cpu()
        .numpy()
    )
    W = C[S]
    W = 0.5 * (W + W.T)
    w, Q = np.linalg.eigh(W)
    keep = w > 1e-12 * w[-1]
    F = C @ (Q[:, keep] / np.sqrt(w[keep]))
    U, s, _ = np.linalg.svd(F, full_matrices=False)
    return U, s * s


def _preconditioner(U: np.ndarray, s2: np.ndarray, n: int):
    from scipy.sparse.linalg import LinearOperator

    mu = float(s2[-1])

    def prec(R):
        R = np.asarray(R, dtype=np.float64)
        UR = U.T @ R
        scaled = UR / (s2 + mu)[:, None] if R.ndim == 2 else UR / (s2 + mu)
        return U @ scaled + (R - U @ UR) / mu

    return LinearOperator((n, n), matvec=prec, matmat=prec, dtype=np.float64)


def _options(options: dict | None, n: int, k: int) -> dict:
    opts = dict(OPTIONS)
    unknown = set(options or {}) - set(OPTIONS)
    if unknown:
        raise ValueError(
            f"unknown matrix-free options {sorted(unknown)}; "
            f"the options are {sorted(OPTIONS)}"
        )
    opts.update(options or {})
    b = k + 4 if opts["block"] is None else positive_int(opts["block"], "block")
    if b < k:
        raise ValueError(f"block = {b} must be at least k = {k}")
    if 5 * b > n:
        raise ValueError(
            f"n = {n} is too small for matrix-free LOBPCG with block {b} "
            "(needs n >= 5 * block); use method='dense' for small n"
        )
    p = opts["landmarks"]
    p = min(n, 1500) if p is None else positive_int(p, "landmarks", minimum=0)
    return {
        "block": b,
        "landmarks": min(p, n - 1),
        "tol": real_scalar(opts["tol"], "tol", positive=True),
        "maxiter": positive_int(opts["maxiter"], "maxiter"),
        "seed": opts["seed"],
    }


def matrix_free_brackets(
    X: np.ndarray, act, k: int, kind: str, device, options: dict | None = None
) -> EigenBrackets:
    """The ``k`` smallest eigenvalues of the ``kind`` matrix by preconditioned LOBPCG.

    Memory :math:`O(n(d + b + p))` plus one block of
    :data:`actgram.torch_kernels.BLOCK_ENTRIES` entries (``BLOCK_ENTRIES_CPU`` on the
    CPU); time: (products + 1) passes over the :math:`n^2` kernel entries.
    """
    from scipy.sparse.linalg import LinearOperator, lobpcg

    from ..torch_kernels import KernelBlocks

    t0 = time.perf_counter()
    kb = KernelBlocks(X, act, kind, device=device)
    n = kb.n
    o = _options(options, n, k)
    rng = np.random.default_rng(o["seed"])
    counter = [0]
    mm = _products(kb, counter)
    A = LinearOperator((n, n), matvec=mm, matmat=mm, dtype=np.float64)
    M = None
    norm_est = None
    if o["landmarks"] > 0:
        U, s2 = _nystrom(kb, o["landmarks"], rng)
        norm_est = float(s2[0])
        M = _preconditioner(U, s2, n)
    t1 = time.perf_counter()
    V0 = rng.standard_normal((n, o["block"]))
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", UserWarning
        )  # non-convergence shows in the residual
        w, V = lobpcg(A, V0, M=M, largest=False, tol=o["tol"], maxiter=o["maxiter"])
    order = np.argsort(w)
    w, V = w[order], V[:, order]
    GV = mm(V)
    res = np.linalg.norm(GV - V * w, axis=0) / np.linalg.norm(V, axis=0)
    if norm_est is None:
        norm_est = float(np.max(np.linalg.norm(GV, axis=0)))
    # a bound on |M_ij| for the entry error: the diagonal dominates for PSD kernels
    gmax = float(np.max(np.abs(kb.rows(0, 1).cpu().numpy())))
    radius = dense_radius(n, gmax, norm_est, entry_error(kb.act))
    info = {
        "device": str(kb.device),
        "block": o["block"],
        "landmarks": o["landmarks"],
        "setup_s": t1 - t0,
        "lobpcg_s": time.perf_counter() - t1,
        "activation": kb.act.name,
    }
    w, res = w[:k], res[:k]
    return EigenBrackets(
        w,
        np.maximum(w - res - radius, 0.0),
        w + radius,
        EPS * norm_est,
        norm_est,
        "matrix-free",
        n,
        kind=kind,
        radius=radius,
        residual=res,
        products=counter[0],
        info=info,
    )
