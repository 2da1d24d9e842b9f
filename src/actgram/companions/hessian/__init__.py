r"""The Hessian at spurious minima of student-teacher ReLU nets (after Arjevani and
Field, 2020).

The model: a two-layer ReLU student with ``k`` hidden neurons, second layer fixed to
ones, learns a teacher of the same form from Gaussian inputs :math:`x \sim N(0, I_d)`:

.. math::

    L(W) = \tfrac12\,\mathbb{E}_x\Big[\big(\textstyle\sum_i \mathrm{relu}(w_i\cdot x)
           - \sum_j \mathrm{relu}(v_j\cdot x)\big)^2\Big],
    \qquad W \in \mathbb{R}^{k\times d},

with target :math:`V = I_k` (``k = d``) or :math:`V = [I_k \mid 0]` (``d > k``), see
:func:`teacher`. Everything is in closed form through the arc-cosine kernel of degree 1
(Cho and Saul 2009; :func:`actgram.activations.arccos_J`),

.. math::

    f(w, u) = \mathbb{E}[\mathrm{relu}(w\cdot x)\,\mathrm{relu}(u\cdot x)]
            = \frac{|w|\,|u|}{2\pi}\big(\sin\theta + (\pi - \theta)\cos\theta\big),

:math:`\theta` the angle between :math:`w` and :math:`u`, so that
:math:`L(W) = \tfrac12\big(\sum_{ij} f(w_i, w_j) - 2\sum_{ij} f(w_i, v_j)
+ \sum_{ij} f(v_i, v_j)\big)`.

Numerical guards: the angle is :math:`\theta = 2\,\mathrm{atan2}(|\bar w - \bar u|,
|\bar w + \bar u|)` (:func:`actgram._guards.direction_angles`: full relative accuracy
also for nearly parallel or antiparallel directions, where ``arccos`` of a rounded
cosine loses half the digits), and the terms of the Hessian that are :math:`0/0` at
coinciding directions are replaced by their limit 0. Automatic differentiation through
``arccos`` gives NaN there; we never differentiate numerically except in the tests.

Vectors ``W`` are flattened row-major: coordinate ``(i, a)`` of ``W`` is entry
``i * d + a`` of the gradient and row/column ``i * d + a`` of the Hessian.

Layout: ``_closed_form`` (teacher, kernel, loss, gradient, Hessian, finite differences),
``_monte_carlo`` (sampled checks), ``_minima`` (:func:`find_minimum`,
:func:`random_starts`, :class:`MinimumResult`), ``_symmetry`` (canonical forms, the
:math:`\Delta S_{k-1}` family), ``_spectra`` (eigenvalue clusters and multiplicities).
"""

from ._closed_form import (
    arccos_kernel,
    finite_difference_hessian,
    population_gradient,
    population_hessian,
    population_loss,
    teacher,
)
from ._minima import MinimumResult, find_minimum, random_starts
from ._monte_carlo import monte_carlo_gradient, monte_carlo_loss
from ._spectra import cluster_eigenvalues, global_minimum_multiplicities
from ._symmetry import (
    Canonical,
    FamilyPoint,
    canonical_form,
    symmetric_basis,
    symmetric_critical_point,
    symmetric_family,
)

__all__ = [
    "teacher",
    "arccos_kernel",
    "population_loss",
    "population_gradient",
    "population_hessian",
    "finite_difference_hessian",
    "monte_carlo_loss",
    "monte_carlo_gradient",
    "MinimumResult",
    "find_minimum",
    "random_starts",
    "Canonical",
    "canonical_form",
    "symmetric_basis",
    "symmetric_critical_point",
    "FamilyPoint",
    "symmetric_family",
    "global_minimum_multiplicities",
    "cluster_eigenvalues",
]
