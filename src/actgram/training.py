r"""Training the two-layer net of Du, Zhai, Poczos and Singh in torch.

The net is :math:`f(x) = m^{-1/2}\sum_k a_k\,\phi(w_k\cdot x)` with :math:`a_k = \pm1` fixed and
only :math:`W` trained by full-batch gradient descent on
:math:`L(W) = \tfrac12\sum_i (f(x_i) - y_i)^2`. The gradient is written out,

.. math::  \nabla_{w_k} L = m^{-1/2} a_k \sum_i (u_i - y_i)\,\phi'(w_k\cdot x_i)\,x_i,

so the same activation object (with its exact derivative) drives the kernels and the training.
Near initialisation the residual follows :math:`r_{t+1} \approx (I - \eta G^0) r_t`, i.e.
:math:`(1 - \eta\lambda_i)^t` along the eigenvector :math:`v_i` of :math:`G^0`.

With ``train_second=True`` the second layer is trained too (same step size), with
:math:`\partial L/\partial a_k = m^{-1/2}\sum_i r_i\,\phi(w_k\cdot x_i)`; the matrix that drives
the residual is then :math:`H^0 = G^0 + K^0`, :math:`K^0 = \phi(XW^\top)\phi(XW^\top)^\top/m`.

:func:`train_deep` trains every hidden layer of a deeper fully connected net (NTK
parametrisation, normalised as in :mod:`actgram.deep`); its eigen-quantities refer to the
empirical neural tangent kernel at initialisation, which :func:`ntk_inf_fixed_output` gives in
the infinite-width limit.

Accuracy: every step is computed in the requested torch dtype (float64 by default: the
gradients carry relative round-off of order :math:`10^{-15}`); the Gram matrices, their
eigenpairs and the predictions are computed in float64 numpy, so eigenvalues are resolved only
to about :math:`\varepsilon\|G\|_2` (use :func:`actgram.lambda_min` for the small end).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._validate import as_data, as_real_array, positive_int, real_scalar
from .activations import Activation, activation
from .deep import dual_activation
from .finite import gram_init, sample_weights
from .kernels import dual_kernel, gram_inf


def _or(f, z, p):
    """phi(z), or the already computed p = phi(z) when given (the same values, one pass fewer)."""
    return f(z) if p is None else p


_TORCH_FNS = {
    # name: (phi(t, z), phi'(t, z, p)) as torch expressions; where phi' is an expression in phi(z) it
    # takes p = phi(z) when the caller has it (bit-identical either way): relu(z) > 0 exactly where
    # z > 0, tanh' = 1 - tanh^2, sigmoid' = s (1 - s)
    "relu": (lambda t, z: t.relu(z), lambda t, z, p=None: (_or(t.relu, z, p) > 0).to(z.dtype)),
    "tanh": (lambda t, z: t.tanh(z), lambda t, z, p=None: 1.0 - _or(t.tanh, z, p) ** 2),
    "sigmoid": (lambda t, z: t.sigmoid(z),
                lambda t, z, p=None: _or(t.sigmoid, z, p) * (1 - _or(t.sigmoid, z, p))),
    "softplus": (lambda t, z: t.nn.functional.softplus(z), lambda t, z, p=None: t.sigmoid(z)),
    "swish": (lambda t, z: z * t.sigmoid(z),
              lambda t, z, p=None: t.sigmoid(z) * (1 + z * (1 - t.sigmoid(z)))),
    "erf": (lambda t, z: t.erf(z), lambda t, z, p=None: 2.0 / math.sqrt(math.pi) * t.exp(-z * z)),
    "sin": (lambda t, z: t.sin(z), lambda t, z, p=None: t.cos(z)),
    "gelu": (lambda t, z: z * 0.5 * t.erfc(-z / math.sqrt(2.0)),
             lambda t, z, p=None: 0.5 * t.erfc(-z / math.sqrt(2.0))
             + z * t.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)),
}


def _torch_pair(act: Activation):
    """(phi(z), phi'(z, p=None)) acting on torch tensors: native for common built-ins, numpy otherwise.
    ``p``, when given, is phi(z) already computed; some built-ins reuse it."""
    import torch

    if act.builtin and act.name in _TORCH_FNS:
        f, df = _TORCH_FNS[act.name]
        return (lambda z: f(torch, z)), (lambda z, p=None: df(torch, z, p))

    def wrap(g):
        def h(z, p=None):
            out = np.asarray(g(z.detach().cpu().numpy()), dtype=np.float64)
            return torch.as_tensor(out, dtype=z.dtype, device=z.device)
        return h

    return wrap(act.fn), wrap(act.derivative)


@dataclass
class TrainResult:
    """What :func:`train_two_layer` and :func:`train_deep` record.

    ``loss[t]`` is :math:`\\tfrac12\\|u_t - y\\|^2` for ``t = 0..steps``; ``residuals`` has the
    residual :math:`u_t - y` at the steps in ``record_steps``; ``eigvals`` / ``eigvecs`` are the
    eigenpairs (ascending) of the matrix :math:`H` that drives the residual near initialisation:
    :math:`G^0` for the first layer alone, :math:`G^0 + K^0` with ``train_second=True``, the
    empirical NTK for :func:`train_deep`. ``projections[j, i]`` is :math:`v_i^\\top r_t` at
    ``record_steps[j]`` and ``predicted[j, i]`` the linearised prediction
    :math:`(1 - \\eta\\lambda_i)^t v_i^\\top r_0`; ``weight_change`` is
    :math:`\\|W_T - W_0\\|_F / \\|W_0\\|_F` (all trained weights together). ``snapshots[t]`` is
    the same matrix recomputed at the weights of step ``t`` (for the steps asked for).
    ``info`` records device, dtype, m, lambda_max, train_second (and depth for ``train_deep``).
    """

    loss: np.ndarray
    record_steps: np.ndarray
    residuals: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray
    projections: np.ndarray
    predicted: np.ndarray
    eta: float
    weight_change: float
    info: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)


def _progress(total: int, enabled: bool | None):
    if enabled is None:  # quiet in notebooks, under nbval and in CI; on in a terminal
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="gradient descent", leave=False)


class _cpu_threads:
    """Run small CPU problems on one torch thread, restoring the setting afterwards.

    On a shared machine torch's intra-op threads spin-wait on tiny tensors: n = 50, m = 1000
    ran 40x slower with 2 threads than with 1 under load. One thread changes no result beyond
    the summation order of matrix products (round-off).
    """

    def __init__(self, torch, dev, work: int):
        self.torch, self.active = torch, dev.type == "cpu" and work < 4_000_000
        self.saved = None

    def __enter__(self):
        if self.active:
            self.saved = self.torch.get_num_threads()
            self.torch.set_num_threads(1)

    def __exit__(self, *exc):
        if self.saved is not None:
            self.torch.set_num_threads(self.saved)


def _check_common(X, y, m, steps, record_every, dtype, snapshot_steps):
    """Validate the arguments shared by both trainers; return them cleaned."""
    X = as_data(X)
    y = as_real_array(y, "y", "a real array of shape (n,)")
    n = X.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf")
    m = positive_int(m, "width m")
    steps = positive_int(steps, "steps", minimum=0)
    record_every = positive_int(record_every, "record_every")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    if isinstance(snapshot_steps, (str, bytes)) or not isinstance(snapshot_steps, Sequence | np.ndarray | set
                                                                    | frozenset | range):
        raise TypeError(f"snapshot_steps must be a sequence of step numbers in 0..steps; got {snapshot_steps!r}")
    snaps = set()
    for s in snapshot_steps:
        s = positive_int(s, "each of snapshot_steps", minimum=0)
        if s > steps:
            raise ValueError(f"snapshot step {s} is beyond the last step {steps}; snapshot_steps must lie "
                             f"in 0..steps")
        snaps.add(s)
    return X, y, m, steps, record_every, snaps


def _check_eta(eta, lam_max: float, what: str) -> float:
    if eta is None:
        eta = 1.0 / lam_max
    eta = real_scalar(eta, "step size eta", positive=True)
    if eta >= 2.0 / lam_max:
        raise ValueError(
            f"step size eta = {eta:.3g} is unstable for this net: lambda_max({what}) = {lam_max:.3g}, "
            f"and gradient descent near initialisation converges only for eta < 2 / lambda_max = "
            f"{2.0 / lam_max:.3g}; leave eta=None for 1 / lambda_max"
        )
    return eta


def _diverged(t: int, loss: float, eta: float, lam_max: float, what: str) -> FloatingPointError:
    return FloatingPointError(
        f"gradient descent diverged at step {t} (loss {loss:.3g}): step size eta = "
        f"{eta:.3g} against lambda_max({what}) = {lam_max:.3g}; linearised GD is stable only "
        f"for eta < 2 / lambda_max = {2 / lam_max:.3g}"
    )


def _linearised(res: list, V: np.ndarray, lam: np.ndarray, eta: float, record: list):
    R = np.array(res)
    proj = R @ V
    steps_arr = np.array(record)
    pred = (1.0 - eta * lam)[None, :] ** steps_arr[:, None] * proj[0][None, :]
    return R, proj, steps_arr, pred


def _sym(M) -> np.ndarray:
    out = M.detach().cpu().numpy().astype(np.float64)
    return 0.5 * (out + out.T)


def train_two_layer(
    X,
    y,
    act,
    m: int,
    *,
    steps: int,
    eta: float | None = None,
    seed: int = 0,
    record_every: int = 1,
    dtype: str = "float64",
    device: str | None = None,
    progress: bool | None = None,
    train_second: bool = False,
    snapshot_steps: Sequence[int] = (),
) -> TrainResult:
    r"""Full-batch gradient descent on the DZXP two-layer net (first layer, or both layers).

    Parameters
    ----------
    X : array of shape (n, d)
        Unit rows.
    y : array of shape (n,)
        Targets.
    act : activation
        Name, callable or :class:`Activation`.
    m : int
        Width.
    steps : int
        Number of gradient steps.
    eta : float, optional
        Step size; default :math:`1/\lambda_{max}(H^0)` (stable: below :math:`2/\lambda_{max}`),
        with :math:`H^0 = G^0` or, if ``train_second``, :math:`G^0 + K^0`.
    seed : int
        Draws ``W`` (``sample_weights(m, d, seed)``) and the signs ``a`` (``seed + 1``).
    record_every : int
        Keep the residual every this many steps (and at the last).
    dtype : str
        Torch dtype name, ``"float64"`` or ``"float32"``.
    device : str, optional
        Torch device (default CUDA when available, else CPU).
    progress : bool, optional
        Tqdm bar; ``None`` = only in an interactive terminal outside CI.
    train_second : bool
        Also train the second layer ``a`` (initialised at :math:`\pm1`, same ``eta``,
        :math:`\partial L/\partial a_k = m^{-1/2}\sum_i r_i\phi(w_k\cdot x_i)`); eigen-quantities
        then refer to :math:`H^0 = G^0 + K^0`, :math:`K^0 = \phi(XW^\top)\phi(XW^\top)^\top/m`.
    snapshot_steps : sequence of int
        Steps ``t`` in ``0..steps`` at which to store the Gram matrix at the current weights,
        :math:`G(t)_{ij} = (x_i\cdot x_j)\,m^{-1}\sum_k a_k^2\phi'(w_k\cdot x_i)\phi'(w_k\cdot x_j)`
        (plus :math:`K(t)` if ``train_second``), in ``TrainResult.snapshots[t]``.

    Raises
    ------
    ValueError
        If ``eta >= 2 / lambda_max(H0)`` (unstable from the first step).
    FloatingPointError
        Naming ``eta`` and :math:`\lambda_{max}(H^0)`, if the loss becomes non-finite or grows a
        thousandfold during the run.
    """
    import torch

    act = act if isinstance(act, Activation) else activation(act)
    if not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere: gradient descent "
                         "on the first layer cannot move it")
    X, y, m, steps, record_every, snaps = _check_common(X, y, m, steps, record_every, dtype, snapshot_steps)
    if not isinstance(train_second, (bool, np.bool_)):
        raise TypeError(f"train_second must be True or False; got {train_second!r}")
    n, d = X.shape
    what = "G0 + K0" if train_second else "G0"
    W0 = sample_weights(m, d, seed)
    a = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m)
    H0 = gram_init(X, W0, act, kind="ntk" if train_second else "G")
    lam, V = np.linalg.eigh(H0)
    lam_max = float(lam[-1])
    eta = _check_eta(eta, lam_max, what)

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    tdt = getattr(torch, dtype)
    phi, dphi = _torch_pair(act)
    Xt = torch.as_tensor(X, dtype=tdt, device=dev)
    yt = torch.as_tensor(y, dtype=tdt, device=dev)
    at = torch.as_tensor(a, dtype=tdt, device=dev).clone()  # trained if train_second
    W = torch.as_tensor(W0, dtype=tdt, device=dev).clone()
    scale = 1.0 / math.sqrt(m)
    XX = Xt @ Xt.T if snaps else None

    record = sorted(set(range(0, steps + 1, record_every)) | {steps})
    losses = np.empty(steps + 1)
    res = []
    snapshots: dict[int, np.ndarray] = {}
    bar = _progress(steps, progress)
    with torch.no_grad(), _cpu_threads(torch, dev, n * m):
        Z = torch.empty((n, m), dtype=tdt, device=dev)  # reused every step
        for t in range(steps + 1):
            torch.matmul(Xt, W.T, out=Z)
            P = phi(Z)
            u = scale * (P @ at)
            r = u - yt
            loss = 0.5 * float(r @ r)
            losses[t] = loss
            if not math.isfinite(loss) or loss > 1e3 * max(losses[0], 1e-300):
                raise _diverged(t, loss, eta, lam_max, what)
            if t in record:
                res.append(r.cpu().numpy().astype(np.float64))
            if t in snaps:
                A = dphi(Z) * at[None, :]
                Gt = XX * (A @ A.T) / m
                if train_second:
                    Gt = Gt + (P @ P.T) / m
                snapshots[t] = _sym(Gt)
            if t == steps:
                break
            # scale * ((phi'(Z) * r) * a), built in place in one n x m buffer (fewer fresh allocations per
            # step; the same operations in the same order as the plain expression, so the same bits)
            D = dphi(Z, P)
            D.mul_(r[:, None]).mul_(at[None, :]).mul_(scale)
            grad = D.T @ Xt
            if train_second:
                grad_a = scale * (P.T @ r)
                at -= eta * grad_a
            W -= eta * grad
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    R, proj, steps_arr, pred = _linearised(res, V, lam, eta, record)
    dW2 = float(np.sum((W.cpu().numpy() - W0) ** 2))
    norm2 = float(np.sum(W0 ** 2))
    if train_second:
        dW2 += float(np.sum((at.cpu().numpy() - a) ** 2))
        norm2 += float(np.sum(a ** 2))
    change = math.sqrt(dW2 / norm2)
    info = {"device": str(dev), "dtype": dtype, "m": m, "lambda_max": lam_max, "train_second": bool(train_second)}
    return TrainResult(loss=losses, record_steps=steps_arr, residuals=R, eigvals=lam, eigvecs=V,
                       projections=proj, predicted=pred, eta=float(eta), weight_change=change, info=info,
                       snapshots=snapshots)


def _layer_norm_constant(act: Activation) -> float:
    """:math:`c = 1/\\mathbb{E}[\\phi(g)^2]`, :math:`g \\sim N(0, 1)` (as in :mod:`actgram.deep`)."""
    k0 = float(dual_kernel(act, np.zeros(1), "ff")[0])
    if not k0 > 0:
        raise ValueError(f"{act.name}: E[phi(g)^2] = 0, the hidden layers cannot be normalised")
    return 1.0 / k0


def ntk_inf_fixed_output(X, act, depth: int) -> np.ndarray:
    r"""Infinite-width NTK of the net of :func:`train_deep` (hidden layers trained, output fixed).

    With :math:`\Sigma^{(0)} = XX^\top`, :math:`\Sigma^{(l)} = \hat\phi(\Sigma^{(l-1)})` and
    :math:`\Theta^{(1)} = \Sigma^{(0)}`,
    :math:`\Theta^{(l+1)} = c\,\kappa_{\phi'}(\Sigma^{(l-1)})\circ\Theta^{(l)} + \Sigma^{(l)}`, the kernel is
    :math:`\kappa_{\phi'}(\Sigma^{(L-2)})\circ\Theta^{(L-1)}` for ``depth`` = L weight layers: the
    ``deep_gram(X, act, depth - 1, kind="ntk")`` of :mod:`actgram.deep` without its output-layer term
    :math:`\kappa_\phi(\Sigma^{(L-2)})`. At ``depth = 2`` it is :math:`G^\infty` (``gram_inf``).
    Accuracy: that of :func:`actgram.dual_kernel` (about 1e-13 absolute per entry).
    """
    act = act if isinstance(act, Activation) else activation(act)
    depth = positive_int(depth, "depth", minimum=2)
    X = as_data(X)
    if depth == 2:
        return gram_inf(X, act)
    c = _layer_norm_constant(act)
    sigma = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(sigma, 1.0)
    ntk = sigma.copy()
    for _ in range(depth - 2):
        kd = dual_kernel(act, np.arccos(sigma), "dd")
        sigma = np.clip(dual_activation(act, sigma), -1.0, 1.0)
        np.fill_diagonal(sigma, 1.0)
        ntk = c * kd * ntk + sigma
    out = dual_kernel(act, np.arccos(sigma), "dd") * ntk
    return 0.5 * (out + out.T)


def train_deep(
    X,
    y,
    act,
    m: int,
    depth: int,
    *,
    steps: int,
    eta: float | None = None,
    seed: int = 0,
    record_every: int = 1,
    dtype: str = "float64",
    device: str | None = None,
    progress: bool | None = None,
    snapshot_steps: Sequence[int] = (),
) -> TrainResult:
    r"""Full-batch gradient descent on all hidden layers of a deep fully connected net.

    ``depth`` counts weight layers (``depth = 2`` is the DZXP net of :func:`train_two_layer`, with
    the same weights for the same seed). With :math:`h^{(0)} = x` and width ``m`` everywhere:

    .. math::  z^{(l)} = W^{(l)} h^{(l-1)},\quad h^{(l)} = \sqrt{c/m}\,\phi(z^{(l)})\ (l < L-1),\quad
               f(x) = m^{-1/2}\, a\cdot\phi(z^{(L-1)}),

    :math:`c = 1/\mathbb{E}[\phi(g)^2]` (so hidden representations keep unit norm as in
    :mod:`actgram.deep`), all :math:`W^{(l)}` standard normal and trained, :math:`a = \pm1` fixed.
    Gradients by explicit back-propagation,
    :math:`\partial f/\partial W^{(l)} = \delta^{(l)} h^{(l-1)\top}` with
    :math:`\delta^{(L-1)} = m^{-1/2} a\circ\phi'(z^{(L-1)})`,
    :math:`\delta^{(l-1)} = \sqrt{c/m}\,\phi'(z^{(l-1)})\circ W^{(l)\top}\delta^{(l)}`.
    Eigen-quantities refer to the empirical NTK at initialisation,
    :math:`\Theta^0 = \sum_l (\delta^{(l)}\delta^{(l)\top})\circ(h^{(l-1)}h^{(l-1)\top})` (per-example
    gradients, shape (n, n)); it tends to :func:`ntk_inf_fixed_output` as :math:`m\to\infty`.
    ``snapshot_steps`` stores the same kernel at later steps. Other arguments as in
    :func:`train_two_layer`; ``W^{(1)}`` and ``a`` are drawn as there, ``W^{(l)}`` for ``l >= 2`` from
    ``numpy.random.default_rng([seed, l])``; default ``eta = 1 / lambda_max(Theta0)``.
    """
    import torch

    act = act if isinstance(act, Activation) else activation(act)
    if not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere: gradient descent "
                         "cannot move the hidden layers")
    depth = positive_int(depth, "depth (number of weight layers, 2 = the two-layer net)", minimum=2)
    X, y, m, steps, record_every, snaps = _check_common(X, y, m, steps, record_every, dtype, snapshot_steps)
    n, d = X.shape
    c = _layer_norm_constant(act) if depth > 2 else 1.0
    W0 = [sample_weights(m, d, seed)]
    for layer in range(2, depth):
        W0.append(np.random.default_rng([seed, layer]).standard_normal((m, m)))
    a = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=m)

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    tdt = getattr(torch, dtype)
    phi, dphi = _torch_pair(act)
    Xt = torch.as_tensor(X, dtype=tdt, device=dev)
    yt = torch.as_tensor(y, dtype=tdt, device=dev)
    at = torch.as_tensor(a, dtype=tdt, device=dev)
    Ws = [torch.as_tensor(w, dtype=tdt, device=dev).clone() for w in W0]
    out_scale = 1.0 / math.sqrt(m)
    hid_scale = math.sqrt(c / m)

    def forward_backward():
        """Outputs u (n,), inputs h^{(l-1)} of every layer and deltas du/dz^{(l)} (n, m)."""
        hs, zs = [Xt], []
        for li, Wl in enumerate(Ws):
            z = hs[-1] @ Wl.T
            zs.append(z)
            if li < len(Ws) - 1:
                hs.append(hid_scale * phi(z))
        u = out_scale * (phi(zs[-1]) @ at)
        deltas = [None] * len(Ws)
        deltas[-1] = out_scale * dphi(zs[-1]) * at[None, :]
        for li in range(len(Ws) - 1, 0, -1):
            deltas[li - 1] = hid_scale * dphi(zs[li - 1]) * (deltas[li] @ Ws[li])
        return u, hs, deltas

    def ntk(hs, deltas):
        return sum((dl @ dl.T) * (h @ h.T) for dl, h in zip(deltas, hs, strict=True))

    with torch.no_grad():
        _, hs, deltas = forward_backward()
        H0 = ntk([h.to(torch.float64) for h in hs], [dl.to(torch.float64) for dl in deltas])
    H0 = _sym(H0)
    lam, V = np.linalg.eigh(H0)
    lam_max = float(lam[-1])
    what = "NTK0"
    eta = _check_eta(eta, lam_max, what)

    record = sorted(set(range(0, steps + 1, record_every)) | {steps})
    losses = np.empty(steps + 1)
    res = []
    snapshots: dict[int, np.ndarray] = {}
    bar = _progress(steps, progress)
    with torch.no_grad(), _cpu_threads(torch, dev, n * m * max(1, (depth - 2) * min(m, 64))):
        for t in range(steps + 1):
            u, hs, deltas = forward_backward()
            r = u - yt
            loss = 0.5 * float(r @ r)
            losses[t] = loss
            if not math.isfinite(loss) or loss > 1e3 * max(losses[0], 1e-300):
                raise _diverged(t, loss, eta, lam_max, what)
            if t in record:
                res.append(r.cpu().numpy().astype(np.float64))
            if t in snaps:
                snapshots[t] = _sym(ntk(hs, deltas))
            if t == steps:
                break
            grads = [(dl * r[:, None]).T @ h for dl, h in zip(deltas, hs, strict=True)]
            for Wl, g in zip(Ws, grads, strict=True):
                Wl -= eta * g
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    R, proj, steps_arr, pred = _linearised(res, V, lam, eta, record)
    dW2 = sum(float(np.sum((Wl.cpu().numpy() - w0) ** 2)) for Wl, w0 in zip(Ws, W0, strict=True))
    change = math.sqrt(dW2 / sum(float(np.sum(w0 ** 2)) for w0 in W0))
    info = {"device": str(dev), "dtype": dtype, "m": m, "lambda_max": lam_max, "train_second": False,
            "depth": depth, "c": c}
    return TrainResult(loss=losses, record_steps=steps_arr, residuals=R, eigvals=lam, eigvecs=V,
                       projections=proj, predicted=pred, eta=float(eta), weight_change=change, info=info,
                       snapshots=snapshots)
