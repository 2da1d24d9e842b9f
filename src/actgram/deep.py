r"""Deep infinite-width kernels through the dual activation.

Net (``depth`` = number of hidden layers, ``depth = 1`` is the two-layer net of
:func:`actgram.gram_inf`): :math:`h^{(0)} = x`,
:math:`h^{(l)} = \sqrt{c/m}\,\phi(W^{(l)}h^{(l-1)})` for :math:`l = 1..L-1` with
:math:`c = 1/\mathbb{E}[\phi(g)^2]` (so every hidden representation keeps unit norm in the
wide limit), and output :math:`f = m^{-1/2}\,a\cdot\phi(W^{(L)}h^{(L-1)})`.

Correlations propagate by the normalised dual activation
:math:`\hat\phi(\rho) = \kappa_\phi(\rho)/\kappa_\phi(1)`:
:math:`\Sigma^{(l)} = \hat\phi(\Sigma^{(l-1)})`, :math:`\Sigma^{(0)} = XX^\top`.

* ``kind="G"``: the Gram matrix of the last hidden layer's weights when they alone are
  trained, :math:`G = \Sigma^{(L-1)}\circ\kappa_{\phi'}(\Sigma^{(L-1)})` (the DZXP matrix
  of the random features :math:`h^{(L-1)}`).
* ``kind="ntk"``: the neural tangent kernel with all layers trained:
  :math:`\Theta^{(0)} = \Sigma^{(0)}`,
  :math:`\Theta^{(l)} = c\,\kappa_{\phi'}(\Sigma^{(l-1)})\circ\Theta^{(l-1)} + \Sigma^{(l)}`,
  and :math:`\Theta = \kappa_{\phi'}(\Sigma^{(L-1)})\circ\Theta^{(L-1)}
  + \kappa_\phi(\Sigma^{(L-1)})` (equal to ``kernel_inf(X, act, "ntk")`` at depth 1).
* ``kind="ntk", output_trained=False`` (also :func:`ntk_inf_fixed_output`): every hidden
  layer trained, the output weights :math:`a` fixed (the net of
  :func:`actgram.training.train_deep`): :math:`\Theta` without its output-layer term
  :math:`\kappa_\phi(\Sigma^{(L-1)})`; at depth 1 it is :math:`G^\infty`.

One recursion serves the three. The first layer's angles come from
:func:`actgram._guards.pair_angles` (stable for near-duplicate and near-antipodal rows);
deeper layers take :math:`\arccos` of the propagated correlation.

Accuracy: entries within 1e-13 absolute except for pairs whose correlation after the first
layer exceeds :math:`1 - 10^{-10}`, where :math:`\arccos` of a rounded correlation limits the
angle to about :math:`10^{-16}/\sin\theta`.
"""

from __future__ import annotations

import numpy as np

from ._guards import pair_angles
from ._validate import (
    as_activation,
    as_data,
    check_kind,
    check_matrix_size,
    positive_int,
    require_derivative,
)
from .activations import Activation
from .kernels import check_finite_kernel, dual_kernel

__all__ = ["deep_gram", "dual_activation", "layer_norm_constant", "ntk_inf_fixed_output"]


def dual_activation(act, rho) -> np.ndarray:
    r"""The normalised dual activation.

    :math:`\hat\phi(\rho) = \mathbb{E}[\phi(u)\phi(v)]/\mathbb{E}[\phi(u)^2]`, :math:`(u, v)`
    standard normal with correlation :math:`\rho`. Accuracy: that of
    :func:`actgram.dual_kernel` (1e-14 relative for the built-ins).
    """
    act = as_activation(act)
    r = np.asarray(rho, dtype=np.float64)
    if np.any(np.abs(r) > 1.0 + 1e-12) or not np.all(np.isfinite(r)):
        raise ValueError("rho must lie in [-1, 1]")
    theta = np.arccos(np.clip(r, -1.0, 1.0))
    return (dual_kernel(act, theta, "function")
            / float(dual_kernel(act, np.zeros(1), "function")[0]))


def layer_norm_constant(act) -> float:
    r""":math:`c = 1/\mathbb{E}[\phi(g)^2]`, :math:`g \sim N(0, 1)`: the hidden layers' scale.

    Exact up to the dual kernel's accuracy (1e-14 relative for the built-ins); refuses an
    activation with :math:`\mathbb{E}[\phi(g)^2] = 0`.
    """
    act = as_activation(act)
    k0 = float(dual_kernel(act, np.zeros(1), "function")[0])
    if not k0 > 0:
        raise ValueError(f"{act.name}: E[phi(g)^2] = 0, the layers cannot be normalised")
    return 1.0 / k0


def _recursion(X: np.ndarray, act: Activation, depth: int, kind: str,
               output_trained: bool) -> np.ndarray:
    """The layer recursion of the module docstring (unit rows of ``X``), unsymmetrised."""
    sigma, theta = pair_angles(X)
    c = layer_norm_constant(act)
    ntk = sigma.copy()
    for _ in range(depth - 1):
        if kind == "ntk":
            ntk = c * dual_kernel(act, theta, "derivative") * ntk
        sigma = np.clip(c * dual_kernel(act, theta, "function"), -1.0, 1.0)
        np.fill_diagonal(sigma, 1.0)
        if kind == "ntk":
            ntk = ntk + sigma
        theta = np.arccos(sigma)
    kd = dual_kernel(act, theta, "derivative")
    if kind == "G":
        return sigma * kd
    if not output_trained:
        return kd * ntk
    return kd * ntk + dual_kernel(act, theta, "function")


def deep_gram(X, act, depth: int, kind: str = "G", *, normalize: bool = False,
              output_trained: bool = True) -> np.ndarray:
    r"""Infinite-width Gram matrix or NTK of a net with ``depth`` hidden layers, (n, n).

    ``kind="G"``: the last hidden layer's Gram matrix (``depth = 1``:
    :func:`actgram.gram_inf`); ``kind="ntk"``: the NTK with every layer trained
    (``depth = 1``: ``kernel_inf(X, act, "ntk")``), without the output layer's term when
    ``output_trained=False`` (the net of :func:`actgram.training.train_deep`). ``normalize``:
    the kernel of the normalised rows. Formulas and accuracy (1e-13 absolute per entry): see
    the module docstring.
    """
    act = as_activation(act)
    depth = positive_int(depth, "depth")
    kind = check_kind(kind, ("G", "ntk"))
    require_derivative(act, "the deep Gram matrix")
    X = as_data(X, normalize=normalize)
    check_matrix_size(X.shape[0], copies=6, what="deep kernel")
    out = _recursion(X, act, depth, kind, bool(output_trained))
    check_finite_kernel(out, act)
    return 0.5 * (out + out.T)


def ntk_inf_fixed_output(X, act, depth: int, *, normalize: bool = False) -> np.ndarray:
    r"""Infinite-width NTK of the net of :func:`actgram.training.train_deep`.

    Every hidden layer trained, the output weights fixed; ``depth`` hidden layers
    (``depth = 1``: :func:`actgram.gram_inf`). It is
    ``deep_gram(X, act, depth, "ntk", output_trained=False)``: :math:`\Theta` of the module
    docstring without :math:`\kappa_\phi(\Sigma^{(L-1)})`. Accuracy: that of
    :func:`deep_gram` (1e-13 absolute per entry).
    """
    return deep_gram(X, act, depth, "ntk", normalize=normalize, output_trained=False)
