r"""The device path: infinite-width kernels and their spectra in torch, on CUDA when present.

Same mathematics as :mod:`actgram.kernels` and the ``"dense"`` method of :mod:`actgram.spectra`,
evaluated with torch on any device (``device=None`` picks CUDA when available, else the CPU),
float64 throughout:

* angles :math:`\theta_{ij} = \arccos\rho_{ij}`, recomputed as
  :math:`2\,\mathrm{atan2}(\|x_i - x_j\|, \|x_i + x_j\|)` where :math:`|\rho_{ij}| > 0.9`
  (exactly as :func:`actgram.kernels.pair_angles`);
* the dual kernel :math:`\kappa(\theta)`: torch closed forms for ReLU, leaky ReLU, abs,
  ``relu_power`` (r <= 3), erf and sin; the exact Hermite expansion for polynomials; for every
  other activation the piecewise Chebyshev interpolant of :func:`actgram.kernels.theta_table`
  (the *same coefficients*, 16 panels of degree 20, evaluated by Clenshaw's recurrence in torch);
* :math:`G^\infty_{ij} = \rho_{ij}\,\kappa_{\phi'}(\theta_{ij})`, computed in row blocks so that
  the working memory is a few blocks, not a few copies of the matrix.

Accuracy: the entries agree with :func:`actgram.gram_inf` to a few units of 1e-16 (both evaluate
the same formulas in float64; they differ by the rounding of the matrix product and of the
elementary functions), so they carry the same guarantee, ``1e-14 * max(1, |entry|)`` of the exact
value. The test suite checks the agreement to 1e-14 on the CPU.

:func:`lambda_min_torch` is ``torch.linalg.eigvalsh`` of that matrix with the dense bracket of
:mod:`actgram.spectra`: :math:`\tilde\lambda \pm (n\,\delta_{entry} + 4\sqrt n\,\varepsilon\|G\|_2)`.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_data, check_matrix_size
from .activations import Activation, activation
from .kernels import _pick, theta_table
from .spectra import ENTRY_ERROR, EPS, LambdaMin

_INV_2PI = 1.0 / (2.0 * math.pi)
#: entries per row block when a kernel matrix is assembled or multiplied on a GPU (bounded working memory;
#: large blocks keep the GPU busy)
BLOCK_ENTRIES = 2**24
#: entries per row block on the CPU: 8 MB temporaries stay in the allocator's reused heap and near the
#: caches; 2**24-entry (128 MB) blocks made one matrix-free product at n = 10000 five times slower
#: (4.4 s against 0.83 s on 2 cores, 2026-11-23), most of it page faults of freshly mapped memory
BLOCK_ENTRIES_CPU = 2**20


def resolve_device(device=None):
    """``torch.device``: the one given, else CUDA when available, else the CPU."""
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be a torch device or a string such as 'cpu' or 'cuda'; got {device!r}") from exc


def _as_act(act) -> Activation:
    return act if isinstance(act, Activation) else activation(act)


# --------------------------------------------------------------------------------------------
# dual kernels as torch functions of theta
# --------------------------------------------------------------------------------------------

def _arccos_J(order: int, t):
    import torch

    s, c = torch.sin(t), torch.cos(t)
    if order == 0:
        return math.pi - t
    if order == 1:
        return s + (math.pi - t) * c
    return 3.0 * s * c + (math.pi - t) * (1.0 + 2.0 * c * c)


def _closed_form(act: Activation, which: str):
    """Torch closed form of kappa for the built-ins that have one, else None."""
    import torch

    if not act.builtin:
        return None
    base = act.name.split("(")[0]
    if base in ("relu", "leaky_relu", "abs"):
        a = 0.0 if base == "relu" else (-1.0 if base == "abs" else float(act.params["slope"]))
        p, q = (1.0 + a) / 2.0, (1.0 - a) / 2.0
        if which == "dd":
            return lambda t: a + (1.0 - a) ** 2 * _arccos_J(0, t) * _INV_2PI
        return lambda t: p * p * torch.cos(t) + q * q * (4.0 * _arccos_J(1, t) * _INV_2PI - torch.cos(t))
    if base == "relu_power" and which in act.dual:
        r = int(act.params["r"])
        if which == "dd":
            return lambda t: r * r * _arccos_J(r - 1, t) * _INV_2PI
        return lambda t: _arccos_J(2, t) * _INV_2PI
    if base == "erf":
        if which == "dd":
            return lambda t: (4.0 / math.pi) / torch.sqrt(9.0 - 4.0 * torch.cos(t) ** 2)
        return lambda t: (2.0 / math.pi) * torch.asin(2.0 * torch.cos(t) / 3.0)
    if base == "sin":
        e = math.exp(-1.0)
        if which == "dd":
            return lambda t: e * torch.cosh(torch.cos(t))
        return lambda t: e * torch.sinh(torch.cos(t))
    return None


def _clenshaw_table(coef: np.ndarray, device, dtype):
    """Torch evaluation of a :class:`actgram.kernels.ThetaTable` (same coefficients, same recurrence)."""
    import torch

    C = torch.as_tensor(coef, dtype=dtype, device=device)
    P, D1 = C.shape

    def f(theta):
        x = theta * (P / math.pi)
        p = torch.clamp(torch.floor(x).long(), 0, P - 1)
        y = 2.0 * (x - p) - 1.0
        y2 = 2.0 * y
        b1 = torch.zeros_like(y)
        b2 = torch.zeros_like(y)
        for j in range(D1 - 1, 0, -1):
            b1, b2 = C[:, j][p] + y2 * b1 - b2, b1
        return C[:, 0][p] + y * b1 - b2

    return f


def torch_dual(act, which: str = "dd", *, device=None, dtype=None):
    r""":math:`\kappa(\theta)` of ``act`` as a function of a torch tensor of angles in :math:`[0, \pi]`.

    ``which="dd"``: :math:`\mathbb{E}[\phi'(u)\phi'(v)]`; ``"ff"``: :math:`\mathbb{E}[\phi(u)\phi(v)]`.
    Closed form where :mod:`actgram.gpu` has one in torch, the exact Hermite expansion for
    polynomials, otherwise the Chebyshev table of :func:`actgram.kernels.theta_table` (built once
    in numpy, evaluated in torch). Same accuracy as :func:`actgram.kernels.dual_kernel`.
    """
    import torch

    act = _as_act(act)
    if which not in ("dd", "ff"):
        raise ValueError(f"which must be 'dd' (phi') or 'ff' (phi); got {which!r}")
    _pick(act, which)  # refuses 'dd' for the step
    dev = resolve_device(device)
    dtype = torch.float64 if dtype is None else dtype
    f = _closed_form(act, which)
    if f is not None:
        return f
    if act.hermite_poly is not None:
        from .hermite import hermite_coefficients

        deg = len(act.hermite_poly) + 1
        c = hermite_coefficients(act, deg, of="derivative" if which == "dd" else "function")
        coef = (c * c).tolist()

        def poly(t):
            rho = torch.cos(t)
            out = torch.zeros_like(rho)
            for ck in reversed(coef):
                out = out * rho + ck
            return out

        return poly
    return _clenshaw_table(theta_table(act, which).coef, dev, dtype)


# --------------------------------------------------------------------------------------------
# angles and kernel blocks
# --------------------------------------------------------------------------------------------

def torch_pair_angles(X, Y=None):
    r"""Torch version of :func:`actgram.kernels.pair_angles`: :math:`\rho_{ij}` and stable :math:`\theta_{ij}`.

    ``X`` (n, d) and ``Y`` (n2, d) are torch tensors with unit rows on the same device. If ``Y`` is
    ``None`` the diagonal is set to exactly :math:`\rho = 1`, :math:`\theta = 0`.
    """
    import torch

    same = Y is None
    Y = X if same else Y
    R = torch.clamp(X @ Y.T, -1.0, 1.0)
    theta = torch.arccos(R)
    i, j = torch.nonzero(torch.abs(R) > 0.9, as_tuple=True)
    step = max(1, 2_000_000 // max(1, X.shape[1]))
    for s in range(0, i.numel(), step):
        a, b = X[i[s:s + step]], Y[j[s:s + step]]
        theta[i[s:s + step], j[s:s + step]] = 2.0 * torch.atan2(
            torch.linalg.norm(a - b, dim=1), torch.linalg.norm(a + b, dim=1))
    if same:
        theta.fill_diagonal_(0.0)
        R.fill_diagonal_(1.0)
    return R, theta


_KINDS = ("G", "K", "ntk")


class KernelBlocks:
    r"""Rows of an infinite-width kernel matrix computed on demand on a device.

    ``KernelBlocks(X, act, kind)`` holds the data (n, d) on the device and the dual-kernel
    functions; :meth:`rows` returns ``G[i0:i1, :]``, recomputed every time (no n x n storage).
    ``kind``: ``"G"`` (:math:`\rho\,\kappa_{\phi'}`), ``"K"`` (:math:`\kappa_\phi`) or ``"ntk"`` (their sum).
    """

    def __init__(self, X, act, kind: str = "G", *, device=None, normalize: bool = False):
        import torch

        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}")
        self.act = _as_act(act)
        Xn = as_data(X, normalize=normalize)
        self.n, self.d = Xn.shape
        self.device = resolve_device(device)
        self.dtype = torch.float64
        self.kind = kind
        self.X = torch.as_tensor(Xn, dtype=self.dtype, device=self.device)
        self.fdd = torch_dual(self.act, "dd", device=self.device) if kind in ("G", "ntk") else None
        self.fff = torch_dual(self.act, "ff", device=self.device) if kind in ("K", "ntk") else None

    def rows(self, i0: int, i1: int):
        """The rows ``i0:i1`` of the kernel matrix, a (i1 - i0, n) float64 tensor on the device."""
        return self.rows_at(range(i0, i1))

    def rows_at(self, idx):
        """The rows ``idx`` (a sequence of point indices) of the kernel matrix, a (len(idx), n) tensor."""
        import torch

        cols = torch.as_tensor(list(idx), dtype=torch.long, device=self.device)
        R, theta = torch_pair_angles(self.X[cols], self.X)
        r = torch.arange(len(cols), device=self.device)
        theta[r, cols] = 0.0  # the diagonal exactly
        R[r, cols] = 1.0
        out = torch.zeros_like(R)
        if self.fdd is not None:
            out += R * self.fdd(theta)
        if self.fff is not None:
            out += self.fff(theta)
        return out

    def block_rows(self) -> int:
        """Rows per block so that one block has about :data:`BLOCK_ENTRIES` entries
        (:data:`BLOCK_ENTRIES_CPU` on the CPU)."""
        entries = BLOCK_ENTRIES_CPU if self.device.type == "cpu" else BLOCK_ENTRIES
        return max(1, min(self.n, entries // max(1, self.n)))


def kernel_inf_torch(X, act, kind: str = "G", *, device=None, normalize: bool = False):
    r"""The infinite-width kernel matrix (n, n) as a float64 torch tensor on ``device``.

    Same definition and accuracy as :func:`actgram.kernel_inf` (module docstring); assembled
    in row blocks and symmetrised exactly, :math:`(G + G^\top)/2`.
    """
    import torch

    kb = KernelBlocks(X, act, kind, device=device, normalize=normalize)
    n = kb.n
    check_matrix_size(n, copies=2, what="kernel (on the device)")
    G = torch.empty((n, n), dtype=kb.dtype, device=kb.device)
    b = kb.block_rows()
    for i0 in range(0, n, b):
        G[i0:i0 + b] = kb.rows(i0, min(n, i0 + b))
    if not bool(torch.isfinite(G).all()):
        raise ValueError(f"{kb.act.name}: the kernel has non-finite entries (phi or phi' not finite somewhere)")
    # exact symmetry, in place, block by block (no second n x n copy)
    for i0 in range(0, n, b):
        i1 = min(n, i0 + b)
        blk = 0.5 * (G[i0:i1, i0:] + G[i0:, i0:i1].T)
        G[i0:i1, i0:] = blk
        G[i0:, i0:i1] = blk.T
    return G


def gram_inf_torch(X, act, *, device=None, normalize: bool = False):
    r""":math:`G^\infty` (n, n) as a float64 torch tensor on ``device`` (CUDA when present).

    :math:`G^\infty_{ij} = (x_i\cdot x_j)\,\mathbb{E}[\phi'(w\cdot x_i)\phi'(w\cdot x_j)]`; agrees
    with :func:`actgram.gram_inf` to a few units of 1e-16 (same formulas, float64).
    """
    return kernel_inf_torch(X, act, "G", device=device, normalize=normalize)


def eigvalsh_torch(G):
    """All eigenvalues (ascending) of a symmetric torch matrix, computed in float64 on its device."""
    import torch

    if not isinstance(G, torch.Tensor) or G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError("G must be a square torch tensor")
    return torch.linalg.eigvalsh(G if G.dtype == torch.float64 else G.to(torch.float64))


def lambda_min_torch(X, act, *, device=None, normalize: bool = False) -> LambdaMin:
    r"""Smallest eigenvalue of :math:`G^\infty` with the dense bracket, computed on ``device``.

    :func:`gram_inf_torch` then ``torch.linalg.eigvalsh`` in float64; the bracket is
    :math:`\tilde\lambda \pm (n\,\delta_{entry} + 4\sqrt n\,\varepsilon\|G\|_2)`, clipped at 0
    (``method="dense-torch"``), as in :mod:`actgram.spectra`. No better than the float64 floor:
    for smooth activations on low-dimensional data use :func:`actgram.lambda_min`.
    """
    import torch

    G = gram_inf_torch(X, act, device=device, normalize=normalize)
    n = G.shape[0]
    gmax = float(torch.max(torch.abs(G)))
    lam = eigvalsh_torch(G)
    del G
    lo_, hi_ = float(lam[0]), float(lam[-1])
    norm = max(abs(lo_), abs(hi_))
    delta = n * ENTRY_ERROR * max(1.0, gmax) + 4.0 * math.sqrt(n) * EPS * norm
    return LambdaMin(max(lo_, 0.0), max(lo_ - delta, 0.0), max(lo_ + delta, 0.0), EPS * norm, norm,
                     "dense-torch")
