r"""Activation functions: each one a small object that knows itself.

An :class:`Activation` carries the function :math:`\phi`, its derivative :math:`\phi'`
(vectorised numpy), the points where some derivative jumps (``kinks``), the order of the
first discontinuous derivative (``jump_order``: 0 if :math:`\phi` itself jumps, 1 for a
kink such as ReLU's, ``None`` for analytic activations) and, where they exist, closed
forms of its *dual kernels* as functions of the angle :math:`\theta = \arccos\rho`
between two unit inputs:

.. math::

   \kappa_{\phi}(\theta) = \mathbb{E}[\phi(u)\phi(v)], \qquad
   \kappa_{\phi'}(\theta) = \mathbb{E}[\phi'(u)\phi'(v)],

with :math:`(u, v)` standard bivariate normal of correlation :math:`\rho = \cos\theta`.
Activations without closed forms are integrated numerically by :mod:`actgram.kernels`.

Each built-in is one block (``_piecewise.py``: relu, leaky_relu, abs, step, relu_power,
elu, selu; ``_smooth.py``: gelu, softplus, sigmoid, tanh, swish, erf, sin;
``_polynomial.py``: polynomial, monomial) whose formulas are written once against an
array namespace (:mod:`actgram._xp`): numpy for ``act.fn`` / ``act.derivative`` /
``act.dual``, torch for :meth:`Activation.torch_forms` (training) and
:meth:`Activation.dual_form` (the torch kernels). To add an activation, write its block
(a :class:`Forms` and the ``builtin(...)`` call) and list it in that module's table.
User callables: ``_callables.py``.

Build one with :func:`activation`; ``activation("relu")``,
``activation("elu", alpha=0.5)``, ``activation(my_callable, kinks=(0.0,))``.
"""

from ._callables import (
    choose_derivative,
    detect_polynomial,
    estimate_jump_order,
    from_callable,
)
from ._core import Activation, Forms, arccos_J
from ._piecewise import SELU_ALPHA, SELU_SCALE
from ._registry import activation, builtin_names

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "Activation",
    "Forms",
    "activation",
    "arccos_J",
    "builtin_names",
    "choose_derivative",
    "detect_polynomial",
    "estimate_jump_order",
    "from_callable",
]
