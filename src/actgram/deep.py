r"""Deep infinite-width kernels through the dual activation.

Net (``depth`` = number of hidden layers, ``depth = 1`` is the two-layer net of
:func:`actgram.gram_inf`): :math:`h^{(0)} = x`,
:math:`h^{(l)} = \sqrt{c/m}\,\phi(W^{(l)}h^{(l-1)})` for :math:`l = 1..L-1` with
:math:`c = 1/\mathbb{E}[\phi(g)^2]` (so every hidden representation keeps unit norm in the
wide limit), and output :math:`f = m^{-1/2}\,a\cdot\phi(W^{(L)}h^{(L-1)})`.

Correlations propagate by the normalised dual activation
:math:`\hat\phi(\rho) = \kappa_\phi(\rho)/\kappa_\phi(1)`:
:math:`\Sigma^{(l)} = \hat\phi(\Sigma^{(l-1)})`, :math:`\Sigma^{(0)} = XX^\top`.

* ``kind="trained"``: the Gram matrix of the last hidden layer's weights when they alone are
  trained, :math:`G = \Sigma^{(L-1)}\circ\kappa_{\phi'}(\Sigma^{(L-1)})` (the DZXP matrix of the
  random features :math:`h^{(L-1)}`).
* ``kind="ntk"``: the neural tangent kernel with all layers trained:
  :math:`\Theta^{(0)} = \Sigma^{(0)}`,
  :math:`\Theta^{(l)} = c\,\kappa_{\phi'}(\Sigma^{(l-1)})\circ\Theta^{(l-1)} + \Sigma^{(l)}`, and
  :math:`\Theta = \kappa_{\phi'}(\Sigma^{(L-1)})\circ\Theta^{(L-1)} + \kappa_\phi(\Sigma^{(L-1)})`
  (equal to ``kernel_inf(X, act, "ntk")`` at depth 1).

Accuracy: entries within 1e-13 absolute except for pairs whose correlation after the first
layer exceeds :math:`1 - 10^{-10}`, where :math:`\arccos` of a rounded correlation limits the
angle to about :math:`10^{-16}/\sin\theta`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_data, check_matrix_size, positive_int
from .activations import Activation, activation
from .kernels import check_finite_kernel, dual_kernel, pair_angles


def dual_activation(act, rho) -> np.ndarray:
    r"""The normalised dual activation :math:`\hat\phi(\rho) = \mathbb{E}[\phi(u)\phi(v)]/\mathbb{E}[\phi(u)^2]`."""
    act = act if isinstance(act, Activation) else activation(act)
    r = np.asarray(rho, dtype=np.float64)
    if np.any(np.abs(r) > 1.0 + 1e-12) or not np.all(np.isfinite(r)):
        raise ValueError("rho must lie in [-1, 1]")
    theta = np.arccos(np.clip(r, -1.0, 1.0))
    return dual_kernel(act, theta, "ff") / float(dual_kernel(act, np.zeros(1), "ff")[0])


def deep_gram(X, act, depth: int, kind: str = "trained", *, normalize: bool = False) -> np.ndarray:
    r"""Infinite-width Gram matrix or NTK of a depth-``depth`` fully connected net, shape (n, n).

    See the module docstring for the network and normalisation. ``depth = 1`` gives
    :func:`actgram.gram_inf` (``kind="trained"``) or ``kernel_inf(X, act, "ntk")``.
    """
    act = act if isinstance(act, Activation) else activation(act)
    depth = positive_int(depth, "depth")
    if kind not in ("trained", "ntk"):
        raise ValueError(f"kind must be 'trained' or 'ntk'; got {kind!r}")
    if not act.derivative_defined:
        raise ValueError(f"{act.name} has derivative zero almost everywhere; its deep Gram matrix "
                         "is not defined")
    X = as_data(X, normalize=normalize)
    check_matrix_size(X.shape[0], copies=6, what="deep kernel")
    sigma, theta = pair_angles(X)
    k0 = float(dual_kernel(act, np.zeros(1), "ff")[0])
    if not k0 > 0:
        raise ValueError(f"{act.name}: E[phi(g)^2] = 0, the layers cannot be normalised")
    c = 1.0 / k0
    ntk = sigma.copy()
    for _ in range(depth - 1):
        if kind == "ntk":
            ntk = c * dual_kernel(act, theta, "dd") * ntk
        sigma = np.clip(c * dual_kernel(act, theta, "ff"), -1.0, 1.0)
        np.fill_diagonal(sigma, 1.0)
        if kind == "ntk":
            ntk = ntk + sigma
        theta = np.arccos(sigma)
    kd = dual_kernel(act, theta, "dd")
    out = sigma * kd if kind == "trained" else kd * ntk + dual_kernel(act, theta, "ff")
    check_finite_kernel(out, act)
    return 0.5 * (out + out.T)
