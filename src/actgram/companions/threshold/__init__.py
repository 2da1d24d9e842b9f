r"""Threshold-activation nets trained globally by a convex program.

A companion to the book, after Ergen, Gulluk, Lacotte and Pilanci, "Globally optimal
training of neural networks with threshold activation functions" (ICLR 2023).

**The net.** The threshold activation with amplitude :math:`s` is :math:`\sigma_s(z) =
s\,\mathbf 1\{z \ge 0\}`. A two-layer net on inputs with a bias column, :math:`\tilde x
= (x, 1) \in \mathbb R^{d+1}`, is :math:`f(x) = \sum_{j=1}^m \alpha_j\, s_j\, \mathbf
1\{\tilde x\cdot w_j \ge 0\}`.

**The weight-decay objective used throughout** (the book's statement, written out so
that the straight-through runs below are comparable):

.. math::  J(W, s, \alpha) = \tfrac12 \|f(X) - y\|_2^2
           + \tfrac{\beta}{2}\sum_j (s_j^2 + \alpha_j^2).

The first-layer weights are not penalised: :math:`\mathbf 1\{\tilde X w \ge 0\}` does
not change under :math:`w \to c\,w`, :math:`c > 0`, so a penalty on :math:`w` could be
driven to zero without changing the net (its infimum is the same objective).

**The convex program.** By :math:`s^2 + \alpha^2 \ge 2|s\alpha|` (equality at :math:`|s|
= |\alpha|`) and because the first layer acts on the data only through the 0/1
*arrangement pattern* :math:`h = \mathbf 1\{\tilde X w \ge 0\} \in \{0,1\}^n`,

.. math::  \min_{W, s, \alpha} J = \min_u\ \tfrac12\|H u - y\|_2^2 + \beta \|u\|_1
           \qquad (u_j = s_j \alpha_j),

where the columns of :math:`H` run over all arrangement patterns and the width :math:`m`
is at least the number of non-zeros of a Lasso solution (at most :math:`n + 1` suffice).
Ergen et al. prove this equivalence; here :math:`H` is built from sampled directions
(:func:`arrangement_patterns`), or exhaustively for inputs in the plane
(:func:`exhaustive_patterns_2d`), and the Lasso is solved with open methods:
:func:`solve_lasso_fista` (FISTA with adaptive restart, stopped by a certified duality
gap) and :func:`solve_lasso_lbfgsb` (scipy's L-BFGS-B on the split :math:`u = u^+ -
u^-`), both reporting the same certificate (:func:`lasso_dual_bound`).

**The shattering formulation.** If a hidden layer can realise every pattern in
:math:`\{0,1\}^n`, the Lasso runs over all of them and (the book's derivation: the
:math:`\ell_1` gauge of the 0/1 cube's columns is a layer-cake sum) becomes

.. math::  \min_\delta\ \tfrac12\|\delta - y\|_2^2
           + \beta\,(\|\delta_+\|_\infty + \|\delta_-\|_\infty),

which :func:`shattering_closed_form` solves exactly (a water-filling in one variable per
sign) and :func:`shattering_generic` with scipy's SLSQP as an independent check.

**Baselines.** :func:`train_ste` trains the same net by full-batch SGD (or Adam,
optionally with linear warm-up and cosine decay of the learning rate) with
straight-through estimators (forward :math:`\mathbf 1\{z > 0\}`; backward identity, ReLU
mask, leaky mask or clipped mask) on :math:`J / n`, and
:meth:`ThresholdNet.convex_objective` reports any net in the Lasso form (amplitudes
balanced, equal patterns merged), which is :math:`\le J` and directly comparable to the
Lasso optimum.

Accuracy: everything is float64. The Lasso solvers return a primal point and a
dual-feasible point; the optimum of the Lasso over the given patterns lies in
``[dual_objective, objective]`` (the certified gap), up to rounding of order
:math:`10^{-15}\,\|y\|^2`. The shattering closed form is exact up to rounding.

Layout: ``_patterns`` (the activation, :func:`add_bias`, arrangement patterns, the
synthetic data), ``_lasso`` (objective, certificate, FISTA and L-BFGS-B), ``_nets``
(:class:`ThresholdNet` and the nets of a Lasso point), ``_shattering`` (the shattering
formulation), ``_ste`` (straight-through training).
"""

from ._lasso import (
    LassoResult,
    lasso_dual_bound,
    lasso_objective,
    solve_lasso_fista,
    solve_lasso_lbfgsb,
)
from ._nets import ThresholdNet, network_from_lasso, patterns_with_nets
from ._patterns import (
    Patterns,
    add_bias,
    arrangement_patterns,
    exhaustive_patterns_2d,
    tanh_teacher_data,
    threshold,
)
from ._shattering import (
    shattering_closed_form,
    shattering_generic,
    shattering_objective,
)
from ._ste import (
    STE_BACKWARDS,
    STE_DECAYS,
    STE_OPTIMIZERS,
    SteResult,
    ste_learning_rate,
    train_ste,
)

__all__ = [
    "LassoResult",
    "Patterns",
    "SteResult",
    "ThresholdNet",
    "STE_BACKWARDS",
    "add_bias",
    "arrangement_patterns",
    "exhaustive_patterns_2d",
    "lasso_dual_bound",
    "lasso_objective",
    "network_from_lasso",
    "patterns_with_nets",
    "shattering_closed_form",
    "shattering_generic",
    "shattering_objective",
    "solve_lasso_fista",
    "solve_lasso_lbfgsb",
    "tanh_teacher_data",
    "threshold",
    "train_ste",
    "ste_learning_rate",
    "STE_OPTIMIZERS",
    "STE_DECAYS",
]
