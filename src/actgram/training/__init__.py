r"""Training nets in torch: the DZXP two-layer net, deeper nets, several seeds at once.

The two-layer net is :math:`f(x) = m^{-1/2}\sum_k a_k\,\phi(w_k\cdot x)` with
:math:`a_k = \pm1` and :math:`W` trained by full-batch gradient descent on
:math:`L(W) = \tfrac12\sum_i (f(x_i) - y_i)^2`. The gradient is written out,

.. math::  \nabla_{w_k} L = m^{-1/2} a_k \sum_i (u_i - y_i)\,\phi'(w_k\cdot x_i)\,x_i,

so the same activation object (its torch forms, ``act.torch_forms()``) drives the
kernels and the training. Near initialisation the residual follows
:math:`r_{t+1} \approx (I - \eta G^0) r_t`, i.e. :math:`(1 - \eta\lambda_i)^t` along the
eigenvector :math:`v_i` of :math:`G^0`.

* :func:`train_two_layer`: the first layer, or both layers (``train_second=True``: the
  matrix that drives the residual is then :math:`H^0 = G^0 + K^0`).
* :func:`train_deep`: every hidden layer of a deeper net (``depth`` = number of hidden
  layers, as in :func:`actgram.deep_gram`; ``depth=1`` is the two-layer net); its
  infinite-width kernel is :func:`actgram.deep.ntk_inf_fixed_output`.
* :func:`train_seeds`: the two-layer net for several seeds at once, with activation
  flips, Gram drift and :math:`\lambda_{\min}(G(t))` recorded (:class:`SeedRuns`).

Layout: one loop (``_loop.run``: recording, snapshots, divergence check, progress bar,
CPU-thread guard; ``_loop.fit`` assembles the :class:`TrainResult`) drives one network
object per net (``_two_layer``, ``_deep``, ``_seeds``), each with its forward pass,
gradient step and snapshot. A new net is a class with ``forward``, ``loss``,
``observe``, ``snapshot``, ``step`` and ``weights``.

Accuracy: every step is computed in the requested torch dtype (float64 by default: the
gradients carry relative round-off of order :math:`10^{-15}`); the Gram matrices, their
eigenpairs and the predictions are computed in float64 numpy, so eigenvalues are
resolved only to about :math:`\varepsilon\|G\|_2` (use :func:`actgram.lambda_min` for
the small end).
"""

from ._deep import train_deep
from ._loop import TrainResult
from ._seeds import SeedRuns, train_seeds
from ._two_layer import train_two_layer

__all__ = [
    "SeedRuns",
    "TrainResult",
    "train_deep",
    "train_seeds",
    "train_two_layer",
]
