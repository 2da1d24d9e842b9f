r"""The torch backend: infinite-width kernels in torch, on CUDA when present.

Same mathematics as :mod:`actgram.kernels`, evaluated with torch on any device
(``device=None`` picks CUDA when available, else the CPU), float64 throughout:

* stable angles from :func:`actgram._guards.pair_angles_torch` (as
  :func:`actgram.kernels.pair_angles`);
* the dual kernel :math:`\kappa(\theta)` from the :class:`~actgram.Activation`: its
  closed form written against the array namespace (``act.dual_form(of,
  actgram._xp.torch_ops())``); the exact Hermite expansion (Horner in
  :math:`\cos\theta`) for polynomials; for every other activation the piecewise
  Chebyshev interpolant of :func:`actgram.kernels.theta_table` (the
  *same coefficients*, evaluated by :func:`actgram._guards.clenshaw_panels_torch`);
* :math:`G^\infty_{ij} = \rho_{ij}\,\kappa_{\phi'}(\theta_{ij})`, computed in row blocks
  so that the working memory is a few blocks, not a few copies of the matrix.

Accuracy: the entries agree with :func:`actgram.kernel_inf` to a few units of 1e-16 (the
same formulas in float64; they differ by the rounding of the matrix product and of the
elementary functions), so they carry the same guarantee, ``1e-14 * max(1, |entry|)`` of
the exact value; the tests check the agreement to 1e-14 on the CPU. Eigenvalues with
brackets on a device: ``actgram.smallest_eigenvalues(..., method="dense", device=...)``.
"""

from __future__ import annotations

from ._guards import clenshaw_panels_torch, pair_angles_torch
from ._validate import (
    as_activation,
    as_data,
    check_kind,
    check_matrix_size,
    check_of,
    require_derivative,
)
from .kernels import theta_table

#: Entries per row block when a kernel matrix is assembled or multiplied on a GPU
#: (bounded working memory; large blocks keep the GPU busy).
BLOCK_ENTRIES = 2**24
#: Entries per row block on the CPU: 8 MB temporaries stay in the allocator's reused heap
#: and near the caches; 2**24-entry (128 MB) blocks made one matrix-free product at
#: n = 10000 five times slower (4.4 s against 0.83 s on 2 cores, 2026-11-23), most of it
#: page faults of freshly mapped memory.
BLOCK_ENTRIES_CPU = 2**20

__all__ = [
    "BLOCK_ENTRIES",
    "BLOCK_ENTRIES_CPU",
    "KernelBlocks",
    "eigvalsh_torch",
    "gram_inf_torch",
    "kernel_inf_torch",
    "resolve_device",
    "torch_dual",
]


def resolve_device(device=None):
    """``torch.device``: the one given, else CUDA when available, else the CPU."""
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            "device must be a torch device or a string such as 'cpu' or "
            f"'cuda'; got {device!r}"
        ) from exc


def _closed_form(act, of: str):
    """The activation's closed form, written once against the namespace, in torch."""
    from ._xp import torch_ops

    return act.dual_form(of, torch_ops())


def _horner(act, of: str):
    """The exact Hermite expansion of a polynomial's kernel, Horner in cos(theta)."""
    import torch

    from .hermite import hermite_coefficients

    deg = len(act.hermite_poly) + 1
    coef = (hermite_coefficients(act, deg, of=of) ** 2).tolist()

    def poly(t):
        rho = torch.cos(t)
        out = torch.zeros_like(rho)
        for ck in reversed(coef):
            out = out * rho + ck
        return out

    return poly


def torch_dual(act, of: str = "derivative", *, device=None, dtype=None):
    r""":math:`\kappa(\theta)` of ``act`` as a function of a torch tensor of angles.

    ``of="derivative"``: :math:`\mathbb{E}[\phi'(u)\phi'(v)]`; ``"function"``:
    :math:`\mathbb{E}[\phi(u)\phi(v)]`, for angles in :math:`[0, \pi]`. The activation's
    closed form where it has one, the exact Hermite expansion for polynomials, otherwise
    the Chebyshev table of :func:`actgram.kernels.theta_table` (built once in numpy,
    evaluated in torch). Same accuracy as :func:`actgram.kernels.dual_kernel`.
    """
    import torch

    act = as_activation(act)
    of = check_of(of)
    if of == "derivative":
        require_derivative(act, "its phi' kernel")
    dev = resolve_device(device)
    dtype = torch.float64 if dtype is None else dtype
    f = _closed_form(act, of)
    if f is not None:
        return f
    if act.hermite_poly is not None:
        return _horner(act, of)
    return clenshaw_panels_torch(theta_table(act, of).coef, dev, dtype)


class KernelBlocks:
    r"""Rows of an infinite-width kernel matrix computed on demand on a device.

    ``KernelBlocks(X, act, kind)`` holds the data (n, d) on the device and the
    dual-kernel functions; :meth:`rows` returns ``M[i0:i1, :]``, recomputed every time
    (no n x n storage). ``kind``: ``"G"`` (:math:`\rho\,\kappa_{\phi'}`), ``"K"``
    (:math:`\kappa_\phi`) or ``"ntk"`` (their sum). ``normalize=True``: the kernel of
    the normalised rows.
    """

    def __init__(
        self, X, act, kind: str = "G", *, device=None, normalize: bool = False
    ):
        import torch

        kind = check_kind(kind)
        self.act = as_activation(act)
        if kind != "K":
            require_derivative(self.act, "G" if kind == "G" else "the NTK")
        Xn = as_data(X, normalize=normalize)
        self.n, self.d = Xn.shape
        self.device = resolve_device(device)
        self.dtype = torch.float64
        self.kind = kind
        self.X = torch.as_tensor(Xn, dtype=self.dtype, device=self.device)
        self.f_derivative = (
            torch_dual(self.act, "derivative", device=self.device)
            if kind in ("G", "ntk")
            else None
        )
        self.f_function = (
            torch_dual(self.act, "function", device=self.device)
            if kind in ("K", "ntk")
            else None
        )

    def rows(self, i0: int, i1: int):
        """The rows ``i0:i1`` of the kernel matrix, a (i1 - i0, n) float64 tensor."""
        return self.rows_at(range(i0, i1))

    def rows_at(self, idx):
        """The rows ``idx`` (a sequence of point indices), a (len(idx), n) tensor."""
        import torch

        cols = torch.as_tensor(list(idx), dtype=torch.long, device=self.device)
        R, theta = pair_angles_torch(self.X[cols], self.X)
        r = torch.arange(len(cols), device=self.device)
        theta[r, cols] = 0.0  # the diagonal exactly
        R[r, cols] = 1.0
        out = torch.zeros_like(R)
        if self.f_derivative is not None:
            out += R * self.f_derivative(theta)
        if self.f_function is not None:
            out += self.f_function(theta)
        return out

    def block_rows(self) -> int:
        """Rows per block so that one block has about :data:`BLOCK_ENTRIES` entries
        (:data:`BLOCK_ENTRIES_CPU` on the CPU)."""
        entries = BLOCK_ENTRIES_CPU if self.device.type == "cpu" else BLOCK_ENTRIES
        return max(1, min(self.n, entries // max(1, self.n)))


def kernel_inf_torch(X, act, kind: str = "G", *, device=None, normalize: bool = False):
    r"""The infinite-width kernel matrix (n, n) as a float64 torch tensor on ``device``.

    Same definition and accuracy as :func:`actgram.kernel_inf` (module docstring);
    assembled in row blocks and symmetrised exactly, :math:`(M + M^\top)/2`.
    ``normalize=True``: the kernel of the normalised rows.
    """
    import torch

    kb = KernelBlocks(X, act, kind, device=device, normalize=normalize)
    n = kb.n
    check_matrix_size(n, copies=2, what="kernel (on the device)")
    G = torch.empty((n, n), dtype=kb.dtype, device=kb.device)
    b = kb.block_rows()
    for i0 in range(0, n, b):
        G[i0 : i0 + b] = kb.rows(i0, min(n, i0 + b))
    if not bool(torch.isfinite(G).all()):
        raise ValueError(
            f"{kb.act.name}: the kernel has non-finite entries (phi or phi' "
            "not finite somewhere)"
        )
    # exact symmetry, in place, block by block (no second n x n copy)
    for i0 in range(0, n, b):
        i1 = min(n, i0 + b)
        blk = 0.5 * (G[i0:i1, i0:] + G[i0:, i0:i1].T)
        G[i0:i1, i0:] = blk
        G[i0:, i0:i1] = blk.T
    return G


def gram_inf_torch(X, act, *, device=None, normalize: bool = False):
    r""":math:`G^\infty` (n, n) as a float64 torch tensor on ``device`` (CUDA when
    present).

    :math:`G^\infty_{ij} = (x_i\cdot x_j)\,\mathbb{E}[\phi'(w\cdot x_i)\phi'(w\cdot
    x_j)]`; agrees with :func:`actgram.gram_inf` to a few units of 1e-16 (same formulas,
    float64). ``normalize=True``: the matrix of the normalised rows.
    """
    return kernel_inf_torch(X, act, "G", device=device, normalize=normalize)


def eigvalsh_torch(G):
    """All eigenvalues (ascending) of a symmetric torch matrix (float64, its device)."""
    import torch

    if not isinstance(G, torch.Tensor) or G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError("G must be a square torch tensor")
    return torch.linalg.eigvalsh(G if G.dtype == torch.float64 else G.to(torch.float64))
