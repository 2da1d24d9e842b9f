"""Certified eigenvalue enclosures (actgram.certify): containment of independent references,
sensitivity to a wrong kernel entry, clear errors, and the optional dependency."""

from __future__ import annotations

import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest

import actgram as ag

flint = pytest.importorskip("flint")

from reference import half_circle_lambda_min  # noqa: E402

from actgram.certify import (  # noqa: E402
    MAX_N,
    CertifiedSpectrum,
    certified_spectrum,
    kernel_balls,
    supported_activations,
)
from actgram.certify._flint import float_down, float_up, working_precision  # noqa: E402
from actgram.certify._gershgorin import certify, eigenbasis  # noqa: E402
from actgram.certify._hermite import hermite_squares  # noqa: E402

KAPPA_MP = {  # closed forms, evaluated independently in mpmath
    "erf": lambda r: 4 / (mp.pi * mp.sqrt(9 - 4 * r * r)),
    "sin": lambda r: mp.cosh(r) / mp.e,
}


def ball(text: str):
    """An arb ball for a decimal string, parsed at 256 bits."""
    with working_precision(256):
        return flint.arb(text)


def mp_lambda_min(X: np.ndarray, name: str, dps: int = 60) -> str:
    """lambda_min of G^inf for the float64 rows X (normalised exactly), all in mpmath (50 digits)."""
    with mp.workdps(dps):
        P = [[mp.mpf(float(v)) for v in row] for row in X]
        nrm = [mp.sqrt(mp.fsum(v * v for v in p)) for p in P]
        n = len(P)
        A = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                r = mp.mpf(1) if i == j else mp.fsum(a * b for a, b in zip(P[i], P[j], strict=True)) / (nrm[i] * nrm[j])
                A[i, j] = r * KAPPA_MP[name](r)
        return mp.nstr(min(mp.eigsy(A, eigvals_only=True)), 50)


def contains(res: CertifiedSpectrum, value, i: int = 0) -> bool:
    v = ball(value)
    return bool(res.lower[i] <= v <= res.upper[i])  # arb comparisons: certainly true


@pytest.mark.parametrize("name", ["erf", "sin"])
@pytest.mark.parametrize("data", ["half circle", "sphere"])
def test_closed_forms_contain_mpmath_reference(name, data):
    X = ag.data.half_circle(20) if data == "half circle" else ag.data.sphere(20, 3, seed=1)
    res = certified_spectrum(X, name, 2)
    ref = mp_lambda_min(X, name)
    assert contains(res, ref), f"{name}, {data}: {ref} not in {res.describe()}"
    assert res.relative_width(0) <= 1e-2
    b = res.brackets()
    assert b.certified and b.method == "certified"
    assert b.lower[0] <= float(ref) <= b.upper[0]


def test_tanh_contains_30_digit_reference():
    """The 30-digit Gauss-Legendre tanh matrix of tests/reference.py (exact angles pi k / n).

    The certificate is for the float64 points; their rounding moves rho by a few eps, so the
    reference may differ by at most n * 1e-14 (a generous bound on ||dG||); the certified
    bracket itself is far narrower than that allowance is loose.
    """
    n = 8
    res = certified_spectrum(ag.data.half_circle(n), "tanh", 1, rel_width=1e-8)
    ref = half_circle_lambda_min("tanh", n)
    lo, hi = float_down(res.lower[0]), float_up(res.upper[0])
    assert lo - n * 1e-14 <= ref <= hi + n * 1e-14
    assert hi - lo <= 1e-8 * hi
    assert abs(ref - 0.5 * (lo + hi)) <= 1e-9 * ref  # agreement far tighter than the allowance


@pytest.mark.slow
def test_tanh_at_the_float64_floor_agrees_with_reference():
    """n = 40: lambda_min = 5.2e-13, a few hundred floors (float64 keeps only 2-3 digits).

    The 30-digit reference uses the exact angles pi k / n, the certificate the float64
    points; the two differ by a few ulps of the points, which moved lambda_min by 4e-15
    relative when measured. Tolerance 1e-12 relative: far tighter than float64's answer,
    far looser than that measured difference.
    """
    n = 40
    res = certified_spectrum(ag.data.half_circle(n), "tanh", 1, rel_width=1e-12)
    ref = half_circle_lambda_min("tanh", n, dps=30, nodes=32)
    lo, hi = float_down(res.lower[0]), float_up(res.upper[0])
    assert lo * (1 - 1e-12) <= ref <= hi * (1 + 1e-12)
    assert hi - lo <= 1e-12 * hi


def test_certified_agrees_with_estimated_bracket_and_float64():
    X = ag.data.half_circle(24)
    cert = ag.lambda_min(X, "tanh", method="certified")
    est = ag.lambda_min(X, "tanh", method="fourier")
    assert cert.certified and not est.certified
    assert cert.lower <= est.upper and est.lower <= cert.upper  # the two brackets overlap
    for name in ("relu", "leaky_relu", "abs", "gelu", "softplus", "swish", "sigmoid"):
        Xs = ag.data.sphere(15, 3, seed=2)
        b = ag.smallest_eigenvalues(Xs, name, 3, method="certified")
        lam = np.linalg.eigvalsh(ag.gram_inf(Xs, name))[:3]
        assert b.certified and np.all(b.lower <= b.value) and np.all(b.value <= b.upper)
        assert np.all(np.abs(lam - b.value) <= 1e-12 * max(1.0, b.norm)), name


def test_polynomial_and_relu_power_closed_forms():
    X = ag.data.sphere(12, 3, seed=3)
    for act in (ag.activation("polynomial", coefficients=(0.3, 1.0, -0.5, 0.2)),
                ag.activation("relu_power", r=2), ag.activation("relu_power", r=3),
                ag.activation("monomial", p=3)):
        b = ag.smallest_eigenvalues(X, act, 2, method="certified")
        lam = np.linalg.eigvalsh(ag.gram_inf(X, act))[:2]
        assert np.all(b.lower - 1e-12 * b.norm <= lam) and np.all(lam <= b.upper + 1e-12 * b.norm)


def test_hermite_squares_match_float_coefficients_and_tail():
    for name in ("tanh", "sigmoid", "softplus", "swish", "gelu"):
        res = hermite_squares(name, 60)
        sq = np.array([float(s.mid()) for s in res["squares"][:30]])
        c = ag.hermite_coefficients(name, 29)
        assert np.max(np.abs(sq - c**2)) <= 1e-14, name
        assert res["tail"] < flint.arb(2) ** -60 and res["tail"] >= 0


# kappa(rho) = E[phi'(u) phi'(v)] from tests/reference.py's dual_reference(name, rho, "derivative", dps=20)
# (nested adaptive mpmath quadrature, about two minutes each; rounded to float64 here)
KAPPA_REF = {("swish", -0.9): 0.1346639234310622, ("gelu", -0.5): 0.1577327575405569,
             ("tanh", 0.95): 0.45057750351969544}


@pytest.mark.parametrize("name,rho", list(KAPPA_REF))
def test_series_entries_contain_reference(name, rho):
    """Hermite-series entries at 30 bits contain the 20-digit kappa: the tail bound must be
    two-sided (for rho < 0 the odd terms of swish' and GELU' make the tail negative)."""
    X = np.array([[1.0, 0.0], [rho, np.sqrt(1.0 - rho * rho)]])
    G = kernel_balls(X, ag.activation(name), 30)
    with working_precision(128):
        ref = ball(repr(rho * KAPPA_REF[name, rho]))
        slack = flint.arb(0, 1e-14)  # float64 rounding of the reference and of the points
        assert G[0, 1].overlaps(ref + slack), f"{name}: {G[0, 1]} misses {ref}"
        assert G[0, 1].rad() < 1e-8


def _mutation_setup():
    X = ag.data.half_circle(16)
    bits = 96
    G = kernel_balls(X, ag.activation("erf"), bits)
    lam, V = eigenbasis(G, bits)
    ref = mp_lambda_min(X, "erf")
    return X, G, lam, V, ref, bits


def test_wrong_entry_makes_certificate_fail():
    """One symmetric pair of entries moved far beyond its radius, in the direction that lowers
    lambda_min by the Rayleigh quotient: with v the eigenvector of lambda_min,
    lambda_min(G') <= v^T G' v = lambda_min + 2 delta v_i v_j = -19 lambda_min < 0. A certificate
    for the wrong matrix must therefore exclude the true lambda_min, and one built with the
    original basis must not pass either (exclude it or be unresolved). Widening a ball
    (a weaker but true statement) must keep the true value inside."""
    X, G, lam, V, ref, bits = _mutation_setup()
    truth = ball(ref)
    enc = certify(G, V, lam, bits)
    assert enc[0][0] <= truth <= enc[0][1]
    with working_precision(bits):
        v = [float(V[i, 0].mid()) for i in range(G.nrows())]
        i, j = 0, 1 + int(np.argmax([abs(v[0] * v[t]) for t in range(1, len(v))]))
        delta = -10.0 * float(truth) / (v[i] * v[j])
        wrong = flint.arb_mat(G)
        wrong[i, j] = wrong[j, i] = G[i, j] + delta
        assert abs(delta) > 1e20 * float(G[i, j].rad())  # far beyond the entry's radius
        widened = flint.arb_mat(G)
        widened[i, j] = widened[j, i] = G[i, j] + flint.arb(0, float(G[i, j].rad()) * 4)
    lam2, V2 = eigenbasis(wrong, bits)
    bad = certify(wrong, V2, lam2, bits)
    assert bad[0][1] < truth, "a wrong entry still certified the true lambda_min"
    old = certify(wrong, V, lam, bits)
    with working_precision(bits):
        excluded = truth < old[0][0] or old[0][1] < truth
        wide = not (old[0][1] - old[0][0] <= 1e-2 * abs(truth))
    assert excluded or wide, "the original basis certified lambda_min of a wrong matrix"
    ok = certify(widened, V, lam, bits)
    assert ok[0][0] <= truth <= ok[0][1]


def test_unsupported_activation_and_large_n_raise():
    X = ag.data.half_circle(8)
    for act in ("elu", "selu", ag.activation("relu_power", r=4),
                ag.activation(lambda z: np.tanh(z) ** 3, name="cube_tanh")):
        with pytest.raises(ValueError, match="supports the built-ins"):
            ag.lambda_min(X, act, method="certified")
    with pytest.raises(ValueError, match=f"n <= {MAX_N}"):
        ag.lambda_min(ag.data.half_circle(MAX_N + 1), "erf", method="certified")
    with pytest.raises(ValueError, match="derivative zero"):
        ag.lambda_min(X, "step", method="certified")
    assert "tanh" in supported_activations() and "elu" not in supported_activations()


def test_default_methods_are_not_certified():
    X = ag.data.half_circle(10)
    assert not ag.lambda_min(X, "tanh").certified
    assert not ag.smallest_eigenvalues(X, "relu", 2).certified


def test_directed_rounding():
    with working_precision(200):
        x = flint.arb(1) / 3
        lo, hi = x.lower(), x.upper()
    assert flint.arb(float_down(lo)) <= lo and flint.arb(float_up(hi)) >= hi
    assert float_down(flint.arb("1e-400")) == 0.0 and float_up(flint.arb("1e-400")) > 0.0


def test_import_does_not_need_flint():
    code = (
        "import sys; sys.modules['flint'] = None\n"
        "import actgram as ag\n"
        "assert ag.lambda_min(ag.data.half_circle(8), 'relu').lower > 0\n"
        "try:\n"
        "    ag.lambda_min(ag.data.half_circle(8), 'relu', method='certified')\n"
        "except ImportError as e:\n"
        "    assert 'actgram[certify]' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    out = subprocess.run([sys.executable, "-c", "import actgram, sys; print('flint' in sys.modules)"],
                         check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
