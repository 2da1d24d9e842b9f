"""Run inside benchmarks/.nt-venv (neural-tangents 0.6.5, jax 0.4.26, numpy < 2): time nt kernels, write JSON.

    .nt-venv/bin/python nt_worker.py IN.npz OUT.json     # IN holds X (n, d) unit rows
    .nt-venv/bin/python nt_worker.py --check
    .nt-venv/bin/python nt_worker.py --peer IN.npz CASES.json OUT.npz   # peer_nt.py's families

Convention: nt's Dense layer gives pre-activations of covariance sigma_w^2 x.y / d; with
W_std = sqrt(d) and unit rows this is rho = x.y, the convention of actgram. Then
  * generic:  nngp of [Dense(W_std=sqrt(d)), ElementwiseNumerical(tanh', deg)] = E[tanh'(u) tanh'(v)],
    times rho entrywise = actgram.gram_inf(X, "tanh");
  * closed-form ReLU: ntk of [Dense(W_std=sqrt(d)), Relu(), Dense(1)] = rho E[step step] + E[relu relu]
    = actgram.kernel_inf(X, "relu", "ntk") (G + K).
Each kernel is called six times (the first includes jit compilation; run.py takes the fastest of the
other five); float64 (jax_enable_x64).
"""

import json
import sys
import time
import types

# neural_tangents/__init__ imports its TensorFlow bridge (experimental), which needs TensorFlow;
# the stax kernels used here do not, so the bridge is replaced by an empty module.
sys.modules["neural_tangents.experimental"] = types.ModuleType("neural_tangents.experimental")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import neural_tangents as nt  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402


def _timed(fn, x, calls=6):
    """(kernel, [seconds per call]): the first call compiles, the rest are warm."""
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        k = np.asarray(fn(x))
        out.append(time.perf_counter() - t0)
    return k, out


def peer(x_path: str, cases_path: str, out_path: str) -> None:
    """For each case {"id", "layer", "kwargs"}: nt's nngp (= E[phi(u) phi(v)], actgram's K) and
    ntk (= rho E[phi'(u) phi'(v)], actgram's G) of [Dense(W_std=sqrt(d)), layer(**kwargs)],
    float64, not jit-compiled; failures are recorded as text."""
    X = np.load(x_path)["X"]
    d = X.shape[1]
    with open(cases_path) as fh:
        cases = json.load(fh)
    out, errors = {}, {}
    for case in cases:
        try:
            layer = getattr(stax, case["layer"])(**case["kwargs"])
            _, _, kf = stax.serial(stax.Dense(1, W_std=float(np.sqrt(d))), layer)
            t0 = time.perf_counter()
            k = kf(X, None, ("nngp", "ntk"))
            K, G = np.asarray(k.nngp), np.asarray(k.ntk)
            out[case["id"] + ".K"] = K
            out[case["id"] + ".G"] = G
            out[case["id"] + ".seconds"] = np.array(time.perf_counter() - t0)
        except Exception as exc:  # record and go on: the table says what nt could not do
            errors[case["id"]] = f"{type(exc).__name__}: {exc}"[:300]
    out["errors"] = np.array(json.dumps(errors))
    out["versions"] = np.array(json.dumps({"neural_tangents": nt.__version__,
                                           "jax": jax.__version__, "numpy": np.__version__}))
    np.savez(out_path, **out)


def main() -> None:
    if sys.argv[1] == "--check":
        print(f"neural-tangents {nt.__version__}, jax {jax.__version__}, numpy {np.__version__}")
        return
    if sys.argv[1] == "--peer":
        peer(*sys.argv[2:5])
        return
    X = np.load(sys.argv[1])["X"]
    deg = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    n, d = X.shape
    res = {"nt_version": nt.__version__, "jax_version": jax.__version__, "numpy_version": np.__version__,
           "n": n, "d": d, "deg": deg}
    _, _, kf = stax.serial(stax.Dense(1, W_std=float(np.sqrt(d))),
                           stax.ElementwiseNumerical(fn=lambda z: 1.0 - jnp.tanh(z) ** 2, deg=deg))
    fn = jax.jit(lambda x: kf(x, None, "nngp"))
    K, t = _timed(fn, X)
    res["tanh_generic_s"] = t
    np.save(sys.argv[2] + ".tanh.npy", (X @ X.T) * K)
    _, _, kr = stax.serial(stax.Dense(1, W_std=float(np.sqrt(d))), stax.Relu(), stax.Dense(1))
    fr = jax.jit(lambda x: kr(x, None, "ntk"))
    K, t = _timed(fr, X)
    res["relu_closed_s"] = t
    np.save(sys.argv[2] + ".relu.npy", K)
    with open(sys.argv[2], "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
