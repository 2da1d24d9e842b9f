"""The one gradient-descent loop and what every trainer shares.

A network object supplies the per-net parts (forward pass and residual, loss, step,
snapshot, extra observations); :func:`run` does the rest once: recording the residual,
snapshots, the divergence check, the progress bar and the CPU-thread guard. Argument
checks (:func:`check_common`, :func:`check_eta`) and the linearised prediction
(:func:`linearised`) are shared too.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .._validate import as_data, check_array, positive_int, real_scalar


@dataclass
class Run:
    """The fields every training record has (see :class:`TrainResult`)."""

    loss: np.ndarray
    record_steps: np.ndarray
    residuals: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray
    projections: np.ndarray
    predicted: np.ndarray
    eta: float


@dataclass
class TrainResult(Run):
    """What :func:`train_two_layer` and :func:`train_deep` record.

    ``loss[t]`` is :math:`\\tfrac12\\|u_t - y\\|^2` for ``t = 0..steps``; ``residuals``
    has the residual :math:`u_t - y` at the steps in ``record_steps``; ``eigvals`` /
    ``eigvecs`` are the eigenpairs (ascending) of the matrix :math:`H` that drives the
    residual near initialisation: :math:`G^0` for the first layer alone, :math:`G^0 +
    K^0` with ``train_second=True``, the empirical NTK for ``train_deep``.
    ``projections[j, i]`` is :math:`v_i^\\top r_t` at ``record_steps[j]`` and
    ``predicted[j, i]`` the linearised prediction :math:`(1 - \\eta\\lambda_i)^t
    v_i^\\top r_0`; ``weight_change`` is :math:`\\|W_T - W_0\\|_F / \\|W_0\\|_F` (all
    trained weights together). ``snapshots[t]`` is the same matrix recomputed at the
    weights of step ``t`` (for the steps asked for). ``info`` records device, dtype, m,
    lambda_max, train_second (and depth, the number of hidden layers, for
    ``train_deep``).
    """

    weight_change: float
    info: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)


class Net(Protocol):
    """What :func:`run` needs from a network (two-layer, deep, batched seeds)."""

    device: Any  # torch.device
    work: int  # size of one step's work: one CPU thread below 4e6
    batch: tuple[int, ...]  # () for one run, (S,) for S seeds at once

    def forward(self) -> tuple[Any, Any]:
        """The residual ``u - y`` and whatever the other methods need (the state)."""

    def loss(self, r) -> float | np.ndarray:
        """:math:`\\tfrac12\\|r\\|^2` (per seed for a batch)."""

    def observe(self, j: int, state) -> None:
        """Extra records at the ``j``-th recorded step (default: nothing)."""

    def snapshot(self, state) -> np.ndarray:
        """The kernel matrix at the current weights."""

    def step(self, r, state, eta: float) -> None:
        """One gradient step in place."""

    def weights(self) -> tuple[list, list]:
        """The trained weights now and at the start, numpy (for :func:`fit`)."""


def torch_device(device: str | None):
    """The torch device: ``device``, or CUDA when available, else CPU."""
    import torch

    return torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))


def progress_bar(total: int, enabled: bool | None):
    """A tqdm bar, or None; ``enabled=None``: quiet in notebooks, nbval and CI."""
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="gradient descent", leave=False)


class cpu_threads:
    """Run small CPU problems on one torch thread, restoring the setting afterwards.

    On a shared machine torch's intra-op threads spin-wait on tiny tensors: n = 50, m =
    1000 ran 40x slower with 2 threads than with 1 under load. One thread changes no
    result beyond the summation order of matrix products (round-off).
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


def check_steps(steps, snapshot_steps) -> tuple[int, set]:
    """``steps`` as an int >= 0, ``snapshot_steps`` as a set of steps in 0..steps."""
    steps = positive_int(steps, "steps", minimum=0)
    if isinstance(snapshot_steps, (str, bytes)) or not isinstance(
        snapshot_steps, Sequence | np.ndarray | set | frozenset | range
    ):
        raise TypeError(
            "snapshot_steps must be a sequence of step numbers in 0..steps; "
            f"got {snapshot_steps!r}"
        )
    snaps = set()
    for s in snapshot_steps:
        s = positive_int(s, "each of snapshot_steps", minimum=0)
        if s > steps:
            raise ValueError(
                f"snapshot step {s} is beyond the last step {steps}; "
                "snapshot_steps must lie in 0..steps"
            )
        snaps.add(s)
    return steps, snaps


def check_common(X, y, m, steps, record_every, dtype, snapshot_steps):
    """Validate the arguments shared by the trainers; return them cleaned."""
    X = as_data(X)
    n = X.shape[0]
    y = check_array(y, "y", what="a real array of shape (n,)")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}")
    m = positive_int(m, "width m")
    steps, snaps = check_steps(steps, snapshot_steps)
    record_every = positive_int(record_every, "record_every")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    return X, y, m, steps, record_every, snaps


def check_eta(eta, lam_max: float, what: str) -> float:
    """``eta`` (default ``1 / lam_max``), refused at or above the stability limit."""
    if eta is None:
        eta = 1.0 / lam_max
    eta = real_scalar(eta, "step size eta", positive=True)
    if eta >= 2.0 / lam_max:
        raise ValueError(
            f"step size eta = {eta:.3g} is unstable for this net: lambda_max({what}) = "
            f"{lam_max:.3g}, and gradient descent near initialisation converges only "
            f"for eta < 2 / lambda_max = {2.0 / lam_max:.3g}; leave eta=None for "
            "1 / lambda_max"
        )
    return eta


def diverged(
    t: int, loss: float, eta: float, lam_max: float, what: str
) -> FloatingPointError:
    """The error raised when the loss becomes non-finite or grows a thousandfold."""
    return FloatingPointError(
        f"gradient descent diverged at step {t} (loss {loss:.3g}): step size eta = "
        f"{eta:.3g} against lambda_max({what}) = {lam_max:.3g}; linearised GD is "
        f"stable only for eta < 2 / lambda_max = {2 / lam_max:.3g}"
    )


def record_list(steps: int, record_every: int) -> list[int]:
    """Every ``record_every``-th step and the last."""
    return sorted(set(range(0, steps + 1, record_every)) | {steps})


def run(
    net: Net,
    *,
    steps: int,
    record: Sequence[int],
    snaps=frozenset(),
    eta: float,
    lam_max: float,
    what: str,
    progress: bool | None = None,
):
    """Gradient descent for ``steps`` steps: ``(losses, residuals, snapshots)``.

    ``losses`` has shape ``net.batch + (steps + 1,)``; ``residuals[j]`` is the residual
    at ``record[j]`` (float64 numpy); ``snapshots[t] = net.snapshot(...)`` for ``t`` in
    ``snaps``. Raises :func:`diverged` when a loss is non-finite or exceeds a thousand
    times its initial value.
    """
    import torch

    index = {int(t): j for j, t in enumerate(record)}
    losses = np.empty(tuple(net.batch) + (steps + 1,))
    res, snapshots = [], {}
    bar = progress_bar(steps, progress)
    try:
        with torch.no_grad(), cpu_threads(torch, net.device, net.work):
            for t in range(steps + 1):
                r, state = net.forward()
                losses[..., t] = net.loss(r)
                now = losses[..., t]
                if not np.all(np.isfinite(now)) or np.any(
                    now > 1e3 * np.maximum(losses[..., 0], 1e-300)
                ):
                    raise diverged(t, float(np.max(now)), eta, lam_max, what)
                j = index.get(t)
                if j is not None:
                    res.append(r.cpu().numpy().astype(np.float64))
                    net.observe(j, state)
                if t in snaps:
                    snapshots[t] = net.snapshot(state)
                if t == steps:
                    break
                net.step(r, state, eta)
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return losses, np.array(res), snapshots


def linearised(R: np.ndarray, V: np.ndarray, lam: np.ndarray, eta: float, record):
    """Projections ``R @ V``, the prediction :math:`(1 - \\eta\\lambda_i)^t p_i(0)`."""
    proj = R @ V
    steps_arr = np.array(record)
    pred = (1.0 - eta * lam)[None, :] ** steps_arr[:, None] * proj[0][None, :]
    return proj, steps_arr, pred


def sym(M) -> np.ndarray:
    """A torch matrix as float64 numpy, symmetrised."""
    out = M.detach().cpu().numpy().astype(np.float64)
    return 0.5 * (out + out.T)


def fit(net, lam, V, eta, what: str, *, steps: int, record_every: int, snaps,
        progress, info: dict) -> TrainResult:
    """Run ``net``; its :class:`TrainResult`, with the linearised prediction.

    ``lam``, ``V``: eigenpairs of the matrix that drives the residual; ``info``: what
    the trainer records besides device and lambda_max.
    """
    lam_max = float(lam[-1])
    record = record_list(steps, record_every)
    losses, R, snapshots = run(net, steps=steps, record=record, snaps=snaps, eta=eta,
                               lam_max=lam_max, what=what, progress=progress)
    proj, steps_arr, pred = linearised(R, V, lam, eta, record)
    info = {"device": str(net.device), "dtype": info.pop("dtype"), "m": info.pop("m"),
            "lambda_max": lam_max, **info}
    return TrainResult(loss=losses, record_steps=steps_arr, residuals=R, eigvals=lam,
                       eigvecs=V, projections=proj, predicted=pred, eta=float(eta),
                       weight_change=relative_change(*net.weights()), info=info,
                       snapshots=snapshots)


def relative_change(new: list, old: list) -> float:
    """:math:`\\sqrt{\\sum\\|N - O\\|_F^2 / \\sum\\|O\\|_F^2}` over all weights."""
    d2 = sum(float(np.sum((a - b) ** 2)) for a, b in zip(new, old, strict=True))
    return math.sqrt(d2 / sum(float(np.sum(b**2)) for b in old))
