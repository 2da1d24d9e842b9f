r"""Straight-through baselines: the threshold net trained by full-batch SGD or Adam with
a straight-through estimator of the threshold's derivative."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..._validate import check_array, check_choice, positive_int, real_scalar
from ._nets import ThresholdNet
from ._patterns import add_bias

#: Straight-through backward passes, as in the public code of Ergen et al.: the gradient
#: that flows through the threshold at pre-activation z is multiplied by this mask.
STE_BACKWARDS = {
    "identity": "1 (the threshold is treated as the identity)",
    "relu": "1{z >= 0} (ReLU's derivative)",
    "leaky": "1 for z >= 0, 0.01 for z < 0 (leaky ReLU's derivative)",
    "clipped": "1{0 <= z <= 1} (clipped ReLU's derivative)",
}


@dataclass
class SteResult:
    """A straight-through run: the trained net and its objective ``J / n`` along the
    way.

    ``steps``: step indices at which ``objective`` (the weight-decay objective ``J / n``
    of the threshold net, forward pass exact) was recorded.
    """

    net: ThresholdNet
    backward: str
    steps: np.ndarray
    objective: np.ndarray = field(repr=False)


def _ste_function(backward: str):
    import torch

    class _Ste(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return (z > 0).to(z.dtype)

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            if backward == "identity":
                return g
            if backward == "relu":
                return g * (z >= 0).to(g.dtype)
            if backward == "leaky":
                return g * torch.where(z >= 0, 1.0, 0.01).to(g.dtype)
            return g * ((z >= 0) & (z <= 1)).to(g.dtype)  # clipped

    return _Ste.apply


STE_OPTIMIZERS = ("sgd", "adam")
STE_DECAYS = ("none", "cosine")


def ste_learning_rate(k: int, lr: float, steps: int, warmup: int = 0,
                      decay: str = "none") -> float:
    r"""The learning rate of step ``k`` (0-based) of :func:`train_ste`.

    :math:`\eta_k = \eta\,\min(1, (k+1)/w)\,c_k` with ``w = warmup`` (no warm-up when 0)
    and :math:`c_k = \tfrac12(1 + \cos(\pi k/T))` for ``decay="cosine"`` (``T = steps``;
    it reaches 0 at the last step), :math:`c_k = 1` for ``decay="none"``.
    """
    f = min(1.0, (k + 1) / warmup) if warmup > 0 else 1.0
    if decay == "cosine":
        f *= 0.5 * (1.0 + math.cos(math.pi * min(k, steps) / steps))
    return lr * f


def train_ste(X, y, beta: float, *, width: int, backward: str, lr: float = 0.01,
              steps: int = 2000, seed: int = 0, record_every: int = 10,
              optimizer: str = "sgd", warmup: int = 0,
              decay: str = "none") -> SteResult:
    r"""Train a threshold net by full-batch SGD with a straight-through estimator.

    Minimises :math:`J(W, s, \alpha)/n` (see the module docstring; :math:`n` = number of
    points, so ``lr`` has the scale of the public code of Ergen et al., which uses a
    mean squared error) in torch float64. Forward: :math:`\mathbf 1\{z > 0\}` (equal to
    :math:`\mathbf 1\{z \ge 0\}` except on a null set); backward: the mask named by
    ``backward`` (a key of ``STE_BACKWARDS``: identity, relu, leaky). The gradients of
    :math:`s` and :math:`\alpha` are exact. Initialisation (seeded numpy): ``W`` uniform on :math:`\pm
    1/\sqrt{d+1}`, ``alpha`` uniform on :math:`\pm 1/\sqrt{m}` (torch's default for
    linear layers), ``s = 1``. Runs on one torch thread (restored afterwards): the
    products are small, and on a busy machine extra threads cost far more than they
    gain; it also makes the run independent of the thread count.

    ``optimizer`` is ``"sgd"`` (the default, plain full-batch SGD as in the paper's
    baselines) or ``"adam"`` (torch's Adam with its default moments); ``warmup`` (steps
    of linear warm-up) and ``decay`` (``"none"`` or ``"cosine"``) set the learning-rate
    schedule of :func:`ste_learning_rate`. The defaults reproduce the constant-rate SGD
    run.
    """
    import torch

    Xa = add_bias(X)
    n = Xa.shape[0]
    y = check_array(y, "y", shape=(n,))
    beta = real_scalar(beta, "beta", positive=True)
    width = positive_int(width, "width")
    check_choice(backward, "backward", tuple(sorted(STE_BACKWARDS)),
                 "the straight-through mask")
    lr = real_scalar(lr, "lr", positive=True)
    steps = positive_int(steps, "steps")
    record_every = positive_int(record_every, "record_every")
    check_choice(optimizer, "optimizer", STE_OPTIMIZERS)
    check_choice(decay, "decay", STE_DECAYS)
    warmup = positive_int(warmup, "warmup", minimum=0)
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    W0 = rng.uniform(-1, 1, (Xa.shape[1], width)) / math.sqrt(Xa.shape[1])
    a0 = rng.uniform(-1, 1, width) / math.sqrt(width)

    dt = torch.float64
    Xt = torch.as_tensor(Xa, dtype=dt)
    yt = torch.as_tensor(y, dtype=dt)
    W = torch.tensor(W0, dtype=dt, requires_grad=True)
    s = torch.ones(width, dtype=dt, requires_grad=True)
    alpha = torch.tensor(a0, dtype=dt, requires_grad=True)
    ste = _ste_function(backward)
    method = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = method([W, s, alpha], lr=lr)
    schedule = None
    if warmup > 0 or decay != "none":
        schedule = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda k: ste_learning_rate(k, 1.0, steps, warmup, decay))
    rec_steps, rec_obj = [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # (n x d) @ (d x m) products gain nothing from threads
    try:
        _ste_loop(Xt, yt, W, s, alpha, ste, opt, beta, n, steps, record_every,
                  rec_steps, rec_obj, backward, lr, schedule)
    finally:
        torch.set_num_threads(threads)
    net = ThresholdNet(W.detach().numpy().copy(), s.detach().numpy().copy(),
                       alpha.detach().numpy().copy())
    return SteResult(net, backward, np.array(rec_steps), np.array(rec_obj))


def _ste_loop(Xt, yt, W, s, alpha, ste, opt, beta, n, steps, record_every, rec_steps,
              rec_obj, backward, lr, schedule=None):
    for k in range(steps + 1):
        opt.zero_grad()
        f = ste(Xt @ W) @ (s * alpha)
        loss = (0.5 * ((f - yt) ** 2).sum()
                + 0.5 * beta * ((s * s).sum() + (alpha * alpha).sum())) / n
        if k % record_every == 0 or k == steps:
            rec_steps.append(k)
            rec_obj.append(float(loss.detach()))
        if not math.isfinite(float(loss.detach())):
            raise FloatingPointError(f"the {backward} straight-through run diverged at "
                                     f"step {k}; lower lr (now {lr})")
        if k == steps:
            break
        loss.backward()
        opt.step()
        if schedule is not None:
            schedule.step()
