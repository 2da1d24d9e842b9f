"""Independent high-precision references (mpmath), used only by the tests.

The dual kernel E[f(u) f(v)] is computed here in Cartesian form,
    kappa(rho) = int phi(u) f(u) [ int phi(z) f(rho u + s z) dz ] du,   s = sqrt(1 - rho^2),
with mpmath's adaptive tanh-sinh quadrature, the outer integral split at the kink u = 0.
For the piecewise ELU/SELU the inner expectation has a closed form in normal CDFs (a nested
adaptive quadrature is unreliable there: the outer integrand has a layer of width s at u = 0);
for the smooth activations the inner integral is done by quadrature too. This shares nothing
with the package's polar rule except the definition.
"""

from __future__ import annotations

import mpmath as mp

SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")


def _sig(z):
    return 1 / (1 + mp.exp(-z))


FUNCS = {
    # name: (phi, phi'), kink at 0 or None
    "tanh": (mp.tanh, lambda z: mp.sech(z) ** 2, False),
    "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z)), False),
    "softplus": (lambda z: mp.log1p(mp.exp(z)), _sig, False),
    "swish": (lambda z: z * _sig(z), lambda z: _sig(z) + z * _sig(z) * (1 - _sig(z)), False),
    "gelu": (lambda z: z * mp.ncdf(z), lambda z: mp.ncdf(z) + z * mp.npdf(z), False),
    "elu": (lambda z: z if z > 0 else mp.expm1(z), lambda z: mp.mpf(1) if z > 0 else mp.exp(z), True),
    "selu": (
        lambda z: SELU_SCALE * (z if z > 0 else SELU_ALPHA * mp.expm1(z)),
        lambda z: SELU_SCALE * (mp.mpf(1) if z > 0 else SELU_ALPHA * mp.exp(z)),
        True,
    ),
}


def _elu_inner(a, s, alpha, which):
    """E_z[f(a + s z)] for ELU(alpha) in closed form (z ~ N(0, 1), s > 0)."""
    if which == "dd":  # P(a + s z > 0) + alpha E[e^{a + s z}; a + s z < 0]
        return mp.ncdf(a / s) + alpha * mp.exp(a + s * s / 2) * mp.ncdf(-a / s - s)
    return (a * mp.ncdf(a / s) + s * mp.npdf(a / s)
            + alpha * (mp.exp(a + s * s / 2) * mp.ncdf(-a / s - s) - mp.ncdf(-a / s)))


ELU_ALPHA = {"elu": (mp.mpf(1), mp.mpf(1)), "selu": (SELU_ALPHA, SELU_SCALE),
             "elu_half": (mp.mpf("0.5"), mp.mpf(1))}
FUNCS["elu_half"] = (lambda z: z if z > 0 else mp.expm1(z) / 2,
                     lambda z: mp.mpf(1) if z > 0 else mp.exp(z) / 2, True)


def dual_reference(name: str, rho, which: str = "dd", dps: int = 30) -> float:
    """E[f(u) f(v)] for correlation rho (f = phi' for "dd", phi for "ff"), to ~dps digits."""
    phi, dphi, kinked = FUNCS[name]
    f = dphi if which == "dd" else phi
    with mp.workdps(dps):
        rho = mp.mpf(rho)
        s = mp.sqrt(1 - rho * rho)

        def inner(u):
            a = rho * u
            if name in ELU_ALPHA:
                alpha, lam = ELU_ALPHA[name]
                return lam * _elu_inner(a, s, alpha, which)
            return mp.quad(lambda z: mp.npdf(z) * f(a + s * z), [-mp.inf, 0, mp.inf])

        pts = [-mp.inf, 0, mp.inf]
        return float(mp.quad(lambda u: mp.npdf(u) * f(u) * inner(u), pts))


# --------------------------------------------------------------------------------------------
# Gram matrices in extended precision for points on a half circle
# --------------------------------------------------------------------------------------------

def _gl_nodes(n: int):
    """Gauss-Legendre nodes/weights on [-1, 1] at the current precision (Newton from float64)."""
    import numpy as np

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


def kappa_gl(fprime, rho, panels: int = 8, nodes: int = 40, half: int = 12):
    """E[f(u) f(v)] by composite Gauss-Legendre in Cartesian (u, z) on [-half, half]^2.

    For analytic f (tanh', swish') with poles at distance >= pi/2 from the real axis the
    error is below 1e-30 with the defaults (Gaussian tail exp(-72), Legendre convergence on
    panels of width 3). Uses the current mpmath precision.
    """
    xs, ws = _gl_nodes(nodes)
    h = mp.mpf(2 * half) / panels
    U, Wt = [], []
    for p in range(panels):
        a = -half + p * h
        for x, w in zip(xs, ws, strict=True):
            U.append(a + h * (x + 1) / 2)
            Wt.append(w * h / 2)
    pdf = [mp.npdf(u) * w for u, w in zip(U, Wt, strict=True)]
    fu = [fprime(u) for u in U]
    rho = mp.mpf(rho)
    s = mp.sqrt(1 - rho * rho)
    total = mp.mpf(0)
    for u, pu, f1 in zip(U, pdf, fu, strict=True):
        if pu == 0:
            continue
        inner = mp.fsum(pz * fprime(rho * u + s * z) for z, pz in zip(U, pdf, strict=True))
        total += pu * f1 * inner
    return total


def half_circle_lambda_min(name: str, n: int, dps: int = 30, nodes: int = 32) -> float:
    """lambda_min of Ginf for n equally spaced half-circle points, all in extended precision.

    G is Toeplitz (G_ij depends on |i - j| only), so only n kernel values are needed; the
    eigenvalues come from mpmath's symmetric eigensolver at ``dps`` digits.
    """
    _, dphi, _ = FUNCS[name]
    # kappa(-rho) from kappa(rho): tanh' is even; swish' = 1/2 + odd gives kappa(-rho) = 1/2 - kappa(rho)
    mirror = {"tanh": lambda k: k, "swish": lambda k: mp.mpf(1) / 2 - k}[name]
    with mp.workdps(dps):
        kap = {}
        for k in range(n):
            if 2 * k <= n:
                kap[k] = kappa_gl(dphi, mp.cos(mp.pi * k / n), nodes=nodes)
        for k in range(n):
            if k not in kap:
                kap[k] = mirror(kap[n - k])
        col = [mp.cos(mp.pi * k / n) * kap[k] for k in range(n)]
        A = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                A[i, j] = col[abs(i - j)]
        ev = mp.eigsy(A, eigvals_only=True)
        return float(min(ev))
