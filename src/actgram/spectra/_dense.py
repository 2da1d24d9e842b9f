r"""Method ``"dense"``: ``eigvalsh`` of the kernel matrix in float64 (numpy or torch).

:func:`actgram.kernel_inf` (or :func:`actgram.torch_kernels.kernel_inf_torch` on a
device), then ``eigvalsh``. Bracket :math:`\tilde\lambda \pm \delta` clipped at 0 from
below (the kernels are PSD), with the Weyl radius :math:`\delta` of
:func:`actgram._guards.dense_radius`: :math:`n\,\delta_{entry} + 4\sqrt
n\,\varepsilon\|M\|_2`, :math:`\delta_{entry} = 10^{-14}\max(1, \max|M_{ij}|)`. Correct
for every kind, but no better than the float64 floor :math:`\varepsilon\|M\|_2`.
"""

from __future__ import annotations

import numpy as np

from .._guards import EPS, dense_radius
from ..kernels import kernel_inf
from ._result import EigenBrackets


def _clip(lam: np.ndarray, delta: float, k: int, norm: float, method: str, kind: str):
    lo = np.maximum(lam - delta, 0.0)
    hi = np.maximum(lam + delta, 0.0)
    val = np.maximum(lam, 0.0)
    return EigenBrackets(
        val[:k],
        lo[:k],
        hi[:k],
        EPS * norm,
        norm,
        method,
        lam.size,
        kind=kind,
        radius=delta,
    )


def dense_brackets(X: np.ndarray, act, k: int, kind: str = "G") -> EigenBrackets:
    """The ``k`` smallest eigenvalues of the ``kind`` matrix by numpy ``eigvalsh``."""
    M = kernel_inf(X, act, kind)
    lam = np.linalg.eigvalsh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    delta = dense_radius(M.shape[0], np.max(np.abs(M)), norm)
    return _clip(lam, delta, k, norm, "dense", kind)


def dense_brackets_torch(
    X: np.ndarray, act, k: int, kind: str, device
) -> EigenBrackets:
    """As :func:`dense_brackets`, with the matrix and ``eigvalsh`` in torch on
    ``device`` (``method="dense-torch"``)."""
    import torch

    from ..torch_kernels import eigvalsh_torch, kernel_inf_torch

    M = kernel_inf_torch(X, act, kind, device=device)
    n = M.shape[0]
    mmax = float(torch.max(torch.abs(M)))
    lam = eigvalsh_torch(M).cpu().numpy()
    del M
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    return _clip(lam, dense_radius(n, mmax, norm), k, norm, "dense-torch", kind)
