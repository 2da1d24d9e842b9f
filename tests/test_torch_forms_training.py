"""Training runs on the Activation's torch forms only: every built-in, every trainer.

The numpy maps ``act.fn`` / ``act.derivative`` may be called while a run is set up (the
Gram matrix at initialisation, the layer constant of a deep net), but never per step:
the number of numpy calls must not depend on the number of steps. A mutation (a trainer
that falls back to numpy through host round-trips) must make the check fail.
"""

import dataclasses

import numpy as np
import pytest

import actgram as ag
from actgram.activations import Activation
from actgram.training import train_deep, train_seeds, train_two_layer

BUILTINS = [
    ("relu", {}),
    ("leaky_relu", {}),
    ("abs", {}),
    ("elu", {}),
    ("selu", {}),
    ("gelu", {}),
    ("softplus", {}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("swish", {}),
    ("erf", {}),
    ("sin", {}),
    ("relu_power", {}),
    ("polynomial", {"coefficients": (0.1, 1.0, 0.5)}),
    ("monomial", {}),
]
X = ag.data.half_circle(5)
Y = np.array([0.3, -0.2, 0.1, 0.4, -0.5])


def _counting(act):
    """``act`` with its numpy maps counted (its torch forms are its own)."""
    calls = [0]

    def count(f):
        def g(z):
            calls[0] += 1
            return f(z)

        return g

    # a fresh cache: tables computed by an earlier run must not hide numpy calls
    counted = dataclasses.replace(
        act, fn=count(act.fn), derivative=count(act.derivative), cache={}
    )
    return counted, calls


def _numpy_calls(train, act, steps):
    counted, calls = _counting(act)
    train(counted, steps)
    return calls[0]


TRAINERS = {
    "two_layer": lambda a, s: train_two_layer(
        X, Y, a, 8, steps=s, eta=0.05, device="cpu"
    ),
    "both_layers": lambda a, s: train_two_layer(
        X, Y, a, 8, steps=s, eta=0.05, train_second=True, device="cpu"
    ),
    "deep": lambda a, s: train_deep(X, Y, a, 8, 2, steps=s, eta=0.01, device="cpu"),
    "seeds": lambda a, s: train_seeds(
        X, Y, a, 8, seeds=[0, 1], steps=s, eta=0.05, device="cpu"
    ),
}


def _assert_torch_only(act, trainer):
    _numpy_calls(TRAINERS[trainer], act, 0)  # warm the caches (deep: layer constant)
    n0 = _numpy_calls(TRAINERS[trainer], act, 0)
    n20 = _numpy_calls(TRAINERS[trainer], act, 20)
    assert n20 == n0, f"{act.name}, {trainer}: {n0} numpy calls at 0 steps, {n20} at 20"


@pytest.mark.parametrize("trainer", list(TRAINERS))
@pytest.mark.parametrize(("name", "params"), BUILTINS, ids=[b[0] for b in BUILTINS])
def test_training_runs_on_torch_forms_only(name, params, trainer):
    _assert_torch_only(ag.activation(name, **params), trainer)


def test_numpy_fallback_is_detected(monkeypatch):
    # mutation: forms that go through numpy at every step (the old fallback for ELU,
    # SELU, leaky ReLU, ...) must make the step-count check fail for every trainer
    import torch

    def numpy_forms(act):
        def wrap(g):
            def h(z, p=None):
                out = np.asarray(g(z.detach().cpu().numpy()), dtype=np.float64)
                return torch.as_tensor(out, dtype=z.dtype, device=z.device)

            return h

        return wrap(act.fn), wrap(act.derivative)

    monkeypatch.setattr(Activation, "torch_forms", numpy_forms)
    for trainer in TRAINERS:
        with pytest.raises(AssertionError, match="numpy calls"):
            _assert_torch_only(ag.activation("elu"), trainer)


def test_torch_forms_reach_the_trainer():
    # the trainer takes phi and phi' from the Activation, not from a table looked up by
    # name: a ReLU renamed "tanh" still trains as the ReLU, and differently from tanh
    relu = ag.activation("relu")
    disguised = dataclasses.replace(relu, name="tanh")
    ref = train_two_layer(X, Y, relu, 8, steps=3, eta=0.05, device="cpu")
    run = train_two_layer(X, Y, disguised, 8, steps=3, eta=0.05, device="cpu")
    tanh = train_two_layer(X, Y, "tanh", 8, steps=3, eta=0.05, device="cpu")
    assert np.array_equal(run.loss, ref.loss)
    assert not np.allclose(run.loss, tanh.loss)


def test_numpy_callable_is_refused_clearly():
    # a callable written with numpy has no torch form: training says what to do
    act = ag.activation(lambda z: np.tanh(2.0 * z), name="tanh2")
    with pytest.raises(ValueError, match="torch"):
        train_two_layer(X, Y, act, 8, steps=1, eta=0.05, device="cpu")


def test_torch_callable_trains_like_the_builtin():
    # a user torch function gets its own torch form (autograd phi'): it trains as the
    # built-in tanh does, to round-off
    import torch

    act = ag.activation(lambda z: torch.tanh(z), name="torch_tanh")
    ref = train_two_layer(X, Y, "tanh", 8, steps=5, eta=0.05, device="cpu")
    run = train_two_layer(X, Y, act, 8, steps=5, eta=0.05, device="cpu")
    np.testing.assert_allclose(run.loss, ref.loss, rtol=1e-12)
