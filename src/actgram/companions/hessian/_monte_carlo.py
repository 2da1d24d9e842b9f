r"""Monte Carlo estimates of the loss and its gradient: an independent check of the
closed forms of :mod:`._closed_form`, with standard errors."""

from __future__ import annotations

import math

import numpy as np

from ..._validate import positive_int
from ._closed_form import _pair


def _mc_samples(W, V, n, seed):
    W, V = _pair(W, V)
    n = positive_int(n, "n", minimum=2)
    seed = positive_int(seed, "seed", minimum=0)
    return W, V, n, np.random.default_rng(seed)


def monte_carlo_loss(W, V=None, *, n: int = 200_000, seed: int = 0,
                     batch: int = 50_000) -> tuple[float, float]:
    r"""Monte Carlo estimate of :math:`L(W)` with ``n`` Gaussian inputs: ``(mean,
    s.e.)``.

    The estimate of :math:`\tfrac12\mathbb{E}[r(x)^2]`, :math:`r =
    1^\top\mathrm{relu}(Wx) - 1^\top\mathrm{relu}(Vx)`, and its standard error
    :math:`\mathrm{sd}/\sqrt{n}`.
    """
    W, V, n, rng = _mc_samples(W, V, n, seed)
    vals = []
    for start in range(0, n, batch):
        x = rng.standard_normal((min(batch, n - start), W.shape[1]))
        r = np.maximum(x @ W.T, 0).sum(1) - np.maximum(x @ V.T, 0).sum(1)
        vals.append(0.5 * r**2)
    v = np.concatenate(vals)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(n))


def monte_carlo_gradient(W, V=None, *, n: int = 200_000, seed: int = 0,
                         batch: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    r"""Monte Carlo estimate of :math:`\nabla_{w_i} L = \mathbb{E}[r(x)\,1\{w_i\cdot x >
    0\}\,x]`.

    Returns ``(mean, standard error)``, each of shape (k, d).
    """
    W, V, n, rng = _mc_samples(W, V, n, seed)
    s1 = np.zeros(W.shape)
    s2 = np.zeros(W.shape)
    for start in range(0, n, batch):
        x = rng.standard_normal((min(batch, n - start), W.shape[1]))
        z = x @ W.T
        r = np.maximum(z, 0).sum(1) - np.maximum(x @ V.T, 0).sum(1)
        g = (r[:, None] * (z > 0))[:, :, None] * x[:, None, :]
        s1 += g.sum(0)
        s2 += (g**2).sum(0)
    mean = s1 / n
    var = (s2 - n * mean**2) / (n - 1)
    return mean, np.sqrt(np.maximum(var, 0.0) / n)
