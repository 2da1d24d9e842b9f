r"""Method ``"dense"``: ``eigvalsh`` of the kernel matrix in float64 (numpy or torch).

:func:`actgram.kernel_inf` (or :func:`actgram.torch_kernels.kernel_inf_torch` on a
device), then ``eigvalsh``. Bracket :math:`\tilde\lambda \pm \delta` clipped at 0 from
below (the kernels are PSD), with the Weyl radius :math:`\delta` of
:func:`actgram._guards.dense_radius`: :math:`n\,\delta_{entry} + 4\sqrt
n\,\varepsilon\|M\|_2`, :math:`\delta_{entry} = 10^{-14}\max(1, \max|M_{ij}|)`. Correct
for every kind, but no better than the float64 floor :math:`\varepsilon\|M\|_2`.

Rows of any norm and a first-layer bias (``rows="any"``, ``bias_var > 0``; numpy only):
the kernel of :mod:`actgram.general_kernels`. Its entries are accurate to 1e-14
(``ENTRY_ERROR`` of :mod:`actgram._guards`) relative to the *expectation*
:math:`\mathbb{E}[\phi'(u)\phi'(v)]`, not to the entry of G: the prefactor
:math:`x_i\cdot x_j + \sigma_b^2` multiplies that error (measured: 2.2e-14 relative to
:math:`G_{ii}` for tanh at :math:`|x_i|^2 = 11.4`, against an independent Cartesian
Gauss-Legendre reference); for user callables the general kernels promise 1e-12
(``CALLABLE_ENTRY_ERROR`` of :mod:`actgram._guards`; the unit-row path charges the
same 1e-12 per entry for callables). The entry bound used (``general_radius``) is therefore
:math:`2\,e\max(1, \max|M_{ij}|, \max_i(|x_i|^2 + \sigma_b^2))`, :math:`e` = 1e-14 for
built-ins and 1e-12 for callables (the factor 2 covers G + K and the homogeneous
scaling :math:`(s_is_j)^p\kappa`).
"""

from __future__ import annotations

import numpy as np

from .._guards import EPS, dense_radius, entry_error
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


def general_radius(X: np.ndarray, act, kind: str, bias_var: float, M: np.ndarray,
                   norm: float) -> float:
    """Weyl radius of ``eigvalsh`` of the general kernel ``M`` (module docstring)."""
    scale = max(1.0, float(np.max(np.abs(M))))
    if kind != "K":
        scale = max(scale, float(np.max(np.einsum("ij,ij->i", X, X))) + bias_var)
    return dense_radius(M.shape[0], 2.0 * scale, norm, entry_error(act))


def dense_brackets(X: np.ndarray, act, k: int, kind: str = "G", *, rows: str = "unit",
                   bias_var: float = 0.0) -> EigenBrackets:
    """The ``k`` smallest eigenvalues of the ``kind`` matrix by numpy ``eigvalsh``
    (``rows``, ``bias_var`` as in :func:`actgram.kernel_inf`)."""
    M = kernel_inf(X, act, kind, rows=rows, bias_var=bias_var)
    lam = np.linalg.eigvalsh(M)
    norm = float(max(abs(lam[0]), abs(lam[-1])))
    if rows == "unit" and bias_var == 0.0:
        delta = dense_radius(M.shape[0], np.max(np.abs(M)), norm, entry_error(act))
    else:
        delta = general_radius(X, act, kind, bias_var, M, norm)
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
    return _clip(lam, dense_radius(n, mmax, norm, entry_error(act)), k, norm,
                 "dense-torch", kind)
