r"""A shortcut connection that avoids a spurious optimum (our reconstruction).

In the spirit of Liu, Chen, Zhou, Du, Zhou and Zhao (NeurIPS 2019), who build on the
plain model of Du, Lee, Tian, Poczos and Singh (ICML 2018). We could not read the exact
parameterisation of the 2019 paper; everything below is the book's reconstruction and
derivation.

**Model.** An input is :math:`k` non-overlapping patches :math:`Z_1, \dots, Z_k \in
\mathbb R^p`, i.i.d. :math:`N(0, I_p)`. A two-layer convolutional net with one shared
filter and weight normalisation is

.. math::  f(Z; u, a) = \sum_{j=1}^k a_j\,\mathrm{relu}(v\cdot Z_j),
   \qquad v = u / \|u\|,

and the labels come from a teacher of the same form, :math:`(v^*, a^*)` with
:math:`\|v^*\| = 1`. The *shortcut* (ResNet) variant uses the effective filter :math:`v
= (s + w)/\|s + w\|` with a fixed unit shortcut direction :math:`s` and trainable
:math:`w`, started at :math:`w = 0`. Since :math:`\partial/\partial w =
\partial/\partial u` at :math:`u = s + w`, the shortcut net trained from :math:`w = 0`
is the plain net trained from :math:`u = s`: in this reconstruction the shortcut acts
through the initialisation of the effective filter.

**Population loss (closed form, :func:`convnet_loss`).** With :math:`\theta = \angle(v,
v^*)` and the arc-cosine kernel :math:`\kappa(\theta) = \mathbb E[\mathrm{relu}(v\cdot
z)\,\mathrm{relu}(v^*\cdot z)] = (\sin\theta + (\pi - \theta)\cos\theta)/(2\pi)` for the
same patch, and :math:`\mathbb E[\mathrm{relu}(v\cdot z)]\,\mathbb
E[\mathrm{relu}(v^*\cdot z')] = 1/(2\pi)` for two independent patches,

.. math::  L(u, a) = \tfrac12\mathbb E\,(f - f^*)^2
   = \tfrac12 (a - a^*)^\top A\,(a - a^*) + \bigl(\tfrac12 -
   \kappa(\theta)\bigr)\,a\cdot a^*,

with :math:`A = \tfrac{\pi - 1}{2\pi} I + \tfrac1{2\pi}\mathbf 1\mathbf 1^\top` (the
same-filter moment matrix; :math:`B(\theta) = A - (\tfrac12 - \kappa(\theta)) I` is the
cross one). The form written is exact and has no cancellation near the global optimum
:math:`(v^*, a^*)`, where :math:`L = 0`.

**Gradient.** :math:`d\kappa/d\rho = (\pi - \theta)/(2\pi)` with :math:`\rho =
\cos\theta` (no singularity at :math:`\rho = \pm 1`), so

.. math::  \nabla_a L = A(a - a^*) + \bigl(\tfrac12 - \kappa(\theta)\bigr)a^*, \qquad
   \nabla_u L = -\,a\cdot a^*\,\frac{\pi - \theta}{2\pi}\,\frac{v^* - (v\cdot
   v^*)\,v}{\|u\|}.

**Spurious critical point (the book's derivation).** At :math:`v = -v^*` (:math:`\theta
= \pi`) the factor :math:`\pi - \theta` kills :math:`\nabla_u L` for every :math:`a`;
:math:`\nabla_a L = 0` then gives :math:`a = A^{-1}B(\pi)a^*`, i.e. with :math:`S =
\mathbf 1^\top a^*`

.. math::  a_{\mathrm{sp}} = \frac1{\pi - 1}\Bigl(-a^*
   + \frac{\pi S}{k + \pi - 1}\,\mathbf 1\Bigr).

Near it :math:`\kappa(\pi - \epsilon) = \epsilon^3/(6\pi) + O(\epsilon^5)`, and
minimising over :math:`a` at fixed :math:`\epsilon` changes the loss by
:math:`-\kappa\,a^*\cdot a_{\mathrm{sp}} + O(\kappa^2)`: the point is a (degenerate,
cubic) local minimum when :math:`a^*\cdot a_{\mathrm{sp}} < 0`, i.e. when :math:`(k +
\pi - 1)\|a^*\|^2 > \pi S^2`.

**Critical angles (heuristics of the book's).** With the filter frozen at angle
:math:`\varphi` the filter's next move is towards :math:`v^*` if :math:`a\cdot a^* > 0`
and away from it if :math:`a\cdot a^* < 0`. If the second layer has settled, :math:`a =
A^{-1}B(\varphi)a^*`; if it has just left :math:`a = 0`, :math:`a \propto
B(\varphi)a^*`. :func:`critical_angle` returns the angle where the sign of :math:`a\cdot
a^*` flips in either case (both are :math:`\pi/2` when :math:`S = 0`). They are
frozen-filter guesses, not theorems about the coupled dynamics;
:func:`zero_ball_threshold` measures the actual threshold of gradient descent from
:math:`a = 0`.

Accuracy: the closed forms are evaluated in float64 with the angle computed as
:math:`2\,\mathrm{atan2}(\|v - v^*\|, \|v + v^*\|)` (accurate near :math:`0` and
:math:`\pi`, unlike :math:`\arccos\rho`), so loss and gradient carry relative round-off
of order :math:`10^{-15}` times the size of their terms.

Layout: ``_closed_form`` (:func:`kappa`, :func:`convnet_loss`, :func:`loss_gradient`,
:func:`angle`, :func:`sample_loss`), ``_critical`` (the spurious point, the critical
angles), ``_training`` (initialisations, :func:`train`, :class:`ShortcutRun`),
``_outcomes`` (:func:`classify`, :func:`success_interval`, :func:`zero_ball_threshold`).
"""

from ._closed_form import (
    angle,
    convnet_loss,
    kappa,
    loss_gradient,
    moment_matrix,
    sample_loss,
)
from ._critical import critical_angle, spurious_margin, spurious_point
from ._outcomes import classify, success_interval, zero_ball_threshold
from ._training import (
    ShortcutRun,
    direction_at_angle,
    plain_init,
    shortcut_init,
    train,
)

__all__ = [
    "kappa",
    "moment_matrix",
    "angle",
    "convnet_loss",
    "loss_gradient",
    "sample_loss",
    "spurious_point",
    "spurious_margin",
    "critical_angle",
    "zero_ball_threshold",
    "plain_init",
    "shortcut_init",
    "direction_at_angle",
    "ShortcutRun",
    "train",
    "classify",
    "success_interval",
]
