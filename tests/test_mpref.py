"""actgram.mpref: the 30-digit half-circle reference that chapter 4 shows."""

import numpy as np
import pytest

import actgram as ag
from actgram import mpref


def test_small_n_matches_float64_where_float64_is_exact_enough():
    # n = 8: lambda_min is far above the float64 floor, so eigvalsh of gram_inf is accurate to
    # about 1e-14 relative; a wrong kernel, wrong angles or a wrong mirror rule would be off by
    # orders of magnitude more.
    ref = mpref.half_circle_lambda_min("tanh", 8, dps=20, nodes=24)
    dense = np.linalg.eigvalsh(ag.gram_inf(ag.data.half_circle(8), "tanh"))[0]
    assert abs(ref - dense) <= 1e-10 * dense


def test_swish_uses_its_own_mirror_rule():
    # swish' is not even: kappa(-rho) = 1/2 - kappa(rho). Using tanh's rule would be wrong by O(1).
    ref = mpref.half_circle_lambda_min("swish", 6, dps=20, nodes=24)
    dense = np.linalg.eigvalsh(ag.gram_inf(ag.data.half_circle(6), "swish"))[0]
    assert abs(ref - dense) <= 1e-9 * dense


def test_unsupported_activation_is_refused():
    with pytest.raises(ValueError, match="supports"):
        mpref.half_circle_lambda_min("relu", 4)
