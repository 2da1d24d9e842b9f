r"""An independent extended-precision reference for :math:`\lambda_{\min}(G^\infty)` (mpmath).

For ``n`` equally spaced points on the half circle (:func:`actgram.data.half_circle`, angles
:math:`\pi i/n`), :math:`G^\infty` is Toeplitz: :math:`G_{ij} = \cos\beta\,\kappa(\cos\beta)`
with :math:`\beta = \pi|i - j|/n` and :math:`\kappa(\rho) = \mathbb{E}[\phi'(u)\phi'(v)]`,
:math:`(u, v)` standard normal with correlation :math:`\rho`. Here :math:`\kappa` is computed in
Cartesian form,

.. math::

   \kappa(\rho) = \int\!\!\int \varphi(u)\varphi(z)\,\phi'(u)\,\phi'(\rho u + \sqrt{1-\rho^2}\,z)
   \,du\,dz ,

by a composite Gauss-Legendre rule on :math:`[-12, 12]^2` at the working precision of mpmath
(nodes by Newton's method at that precision), and the eigenvalues of the :math:`n\times n`
matrix by mpmath's symmetric eigensolver (``mp.eigsy``). This shares nothing with the package's
other routes (the polar rule, the Fourier factorisation, the ball-arithmetic certificate) except
the definition, which is what makes it a check.

Accuracy: for analytic :math:`\phi'` with poles at distance at least :math:`\pi/2` from the real
axis (tanh, swish) the kernel values are correct to about 1e-30 with the defaults (Gaussian tail
:math:`e^{-72}`, Legendre convergence on panels of width 3), so at ``dps = 30`` the eigenvalues
are correct to about :math:`n \cdot 10^{-30}` absolutely: far below the float64 floor
:math:`\varepsilon\|G\|_2 \approx 10^{-16}`. It is an *estimate*, not a proof (the quadrature
error is not bounded rigorously). Cost: about :math:`(n/2) \cdot 10^5` evaluations of
:math:`\phi'` in mpmath, some 20 s for ``n = 48`` on one core.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import positive_int

__all__ = ["half_circle_lambda_min", "kappa_gl"]


def _mp():
    try:
        import mpmath
    except ImportError as err:  # pragma: no cover - mpmath comes with torch (through sympy)
        raise ImportError("actgram.mpref needs mpmath: pip install mpmath") from err
    return mpmath


def _derivatives() -> dict[str, tuple[Callable, Callable]]:
    """phi' in mpmath and the map kappa(rho) -> kappa(-rho) for each supported activation."""
    mp = _mp()

    def sig(z):
        return 1 / (1 + mp.exp(-z))

    return {
        # tanh' is even, so kappa(-rho) = kappa(rho).
        "tanh": (lambda z: mp.sech(z) ** 2, lambda k: k),
        # swish' = 1/2 + (an odd function), so kappa(-rho) = 1/2 - kappa(rho).
        "swish": (lambda z: sig(z) + z * sig(z) * (1 - sig(z)), lambda k: mp.mpf(1) / 2 - k),
    }


def _gl_nodes(n: int) -> tuple[list, list]:
    """Gauss-Legendre nodes and weights on [-1, 1] at the current precision (Newton from float64)."""
    mp = _mp()
    x0, _ = np.polynomial.legendre.leggauss(n)
    xs, ws = [], []
    for x in x0:
        x = mp.mpf(float(x))
        for _ in range(6):
            p0, p1 = mp.mpf(1), x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            x -= p1 / dp
        xs.append(x)
        ws.append(2 / ((1 - x * x) * dp * dp))
    return xs, ws


def kappa_gl(fprime: Callable, rho, panels: int = 8, nodes: int = 40, half: int = 12):
    r""":math:`\mathbb{E}[f(u)f(v)]` at correlation ``rho`` by composite Gauss-Legendre in
    Cartesian :math:`(u, z)` on :math:`[-\mathrm{half}, \mathrm{half}]^2`, at the current mpmath
    precision (see the module docstring for its accuracy). Returns an mpmath number."""
    mp = _mp()
    xs, ws = _gl_nodes(nodes)
    h = mp.mpf(2 * half) / panels
    U, Wt = [], []
    for p in range(panels):
        a = -half + p * h
        for x, w in zip(xs, ws, strict=True):
            U.append(a + h * (x + 1) / 2)
            Wt.append(w * h / 2)
    pdf = [mp.npdf(u) * w for u, w in zip(U, Wt, strict=True)]
    rho = mp.mpf(rho)
    s = mp.sqrt(1 - rho * rho)
    total = mp.mpf(0)
    for u, pu in zip(U, pdf, strict=True):
        inner = mp.fsum(pz * fprime(rho * u + s * z) for z, pz in zip(U, pdf, strict=True))
        total += pu * fprime(u) * inner
    return total


def half_circle_lambda_min(name: str, n: int, dps: int = 30, nodes: int = 32) -> float:
    r""":math:`\lambda_{\min}(G^\infty)` for ``n`` equally spaced half-circle points, computed
    entirely in ``dps``-digit arithmetic (kernel values and eigenvalues), then rounded to float.

    ``name`` is ``"tanh"`` or ``"swish"``. Accurate to about :math:`n\cdot10^{-dps}` absolutely
    for ``dps <= 30`` (module docstring); an independent estimate, not a proof.
    """
    table = _derivatives()
    if name not in table:
        raise ValueError(f"the extended-precision reference supports {sorted(table)}; got {name!r}")
    n = positive_int(n, "n")
    mp = _mp()
    dphi, mirror = table[name]
    with mp.workdps(dps):
        kap = {k: kappa_gl(dphi, mp.cos(mp.pi * k / n), nodes=nodes) for k in range(n) if 2 * k <= n}
        for k in range(n):
            if k not in kap:
                kap[k] = mirror(kap[n - k])
        col = [mp.cos(mp.pi * k / n) * kap[k] for k in range(n)]
        A = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                A[i, j] = col[abs(i - j)]
        return float(min(mp.eigsy(A, eigvals_only=True)))
