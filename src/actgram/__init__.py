"""actgram: Gram matrices, Hermite coefficients and spectra of activation functions.

The computing half of the executable edition of Panigrahi, Shetty and Goyal, "Effect of
Activation Functions on the Training of Overparametrized Neural Nets" (ICLR 2020).
"""

from . import bounds, certify, data
from .activations import Activation, activation, builtin_names, estimate_jump_order
from .deep import deep_gram, dual_activation, ntk_inf_fixed_output
from .finite import features, gram_init, sample_weights
from .hermite import hermite_coefficients
from .kernels import dual_kernel, gram_inf, kernel_inf, pair_angles
from .spectra import EigenBrackets, lambda_min, smallest_eigenvalues
from .training import TrainResult, train_deep, train_two_layer

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "EigenBrackets",
    "activation",
    "bounds",
    "builtin_names",
    "certify",
    "data",
    "deep_gram",
    "dual_activation",
    "dual_kernel",
    "estimate_jump_order",
    "features",
    "gram_inf",
    "gram_init",
    "hermite_coefficients",
    "kernel_inf",
    "lambda_min",
    "pair_angles",
    "sample_weights",
    "smallest_eigenvalues",
    "TrainResult",
    "train_deep",
    "train_two_layer",
    "ntk_inf_fixed_output",
]
