"""TEMPORARY home of the fixed-output NTK until it lands in actgram.deep."""

from __future__ import annotations

import numpy as np

from .._validate import as_activation, as_data, positive_int
from ..deep import dual_activation
from ..kernels import dual_kernel, gram_inf
from ._deep import layer_norm_constant


def ntk_inf_fixed_output(X, act, depth: int) -> np.ndarray:
    r"""Infinite-width NTK of the net of :func:`train_deep` (output fixed).

    With :math:`\Sigma^{(0)} = XX^\top`, :math:`\Sigma^{(l)} = \hat\phi(\Sigma^{(l-1)})`
    and :math:`\Theta^{(1)} = \Sigma^{(0)}`, :math:`\Theta^{(l+1)} =
    c\,\kappa_{\phi'}(\Sigma^{(l-1)})\circ\Theta^{(l)} + \Sigma^{(l)}`, the kernel is
    :math:`\kappa_{\phi'}(\Sigma^{(L-1)})\circ\Theta^{(L)}` for ``depth`` = L hidden
    layers: ``deep_gram(X, act, depth, kind="ntk")`` without its output-layer term
    :math:`\kappa_\phi(\Sigma^{(L-1)})`. At ``depth = 1`` it is :math:`G^\infty`
    (``gram_inf``). Accuracy: that of :func:`actgram.dual_kernel` (about 1e-13 absolute
    per entry).
    """
    act = as_activation(act)
    depth = positive_int(depth, "depth (number of hidden layers)")
    X = as_data(X)
    if depth == 1:
        return gram_inf(X, act)
    c = layer_norm_constant(act)
    sigma = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(sigma, 1.0)
    ntk = sigma.copy()
    for _ in range(depth - 1):
        kd = dual_kernel(act, np.arccos(sigma), "dd")
        sigma = np.clip(dual_activation(act, sigma), -1.0, 1.0)
        np.fill_diagonal(sigma, 1.0)
        ntk = c * kd * ntk + sigma
    out = dual_kernel(act, np.arccos(sigma), "dd") * ntk
    return 0.5 * (out + out.T)
