r"""The eigenvalue certificate: Gershgorin disks of :math:`D V^{-1} G V D^{-1}` in ball arithmetic."""

from __future__ import annotations

import functools
import math

import numpy as np

from ._flint import require, working_precision


def eigenbasis(G, bits: int) -> tuple[list, object]:
    """Approximate eigenvalues (exact arb points, ascending) and a real approximate eigenbasis.

    The basis is an ``arb_mat`` of exact points (columns = unit vectors). Below 60 bits it is
    float64 ``eigh`` of the midpoint matrix; above, python-flint's ``acb_mat.eig`` with
    ``algorithm="approx"`` (QR iteration at ``bits``, no error bounds: none are needed,
    the certificate checks whatever basis it is given). That solver is complex and
    non-symmetric: for a group of close eigenvalues (relative gap below 1e-3, or both below
    the resolution of ``bits``) it may return complex mixtures of the real eigenvectors, so
    each group is replaced by an orthonormal basis of the real and imaginary parts of its
    vectors (Gram-Schmidt with pivoting at ``bits``).
    """
    flint = require()
    n = G.nrows()
    with working_precision(bits):
        M = G.mid()
        if bits <= 60:
            A = np.array([[float(M[i, j]) for j in range(n)] for i in range(n)])
            lam, Q = np.linalg.eigh(A)
            return [flint.arb(float(x)) for x in lam], flint.arb_mat(Q.tolist())
        E, R = flint.acb_mat(M).eig(right=True, algorithm="approx")
        lam = [e.real.mid() for e in E]
        order = sorted(range(n), key=functools.cmp_to_key(lambda a, b: _cmp(lam[a], lam[b])))
        top = max(abs(x) for x in lam)
        noise = top * flint.arb(2) ** (-(bits - math.log2(n) - 8))  # unresolved below this
        groups: list[list[int]] = []
        for j in order:
            prev = lam[groups[-1][-1]] if groups else None
            if prev is not None and (abs(lam[j] - prev) <= 1e-3 * abs(lam[j])
                                     or abs(lam[j]) + abs(prev) <= noise):
                groups[-1].append(j)
            else:
                groups.append([j])
        V = flint.arb_mat(n, n)
        c = 0
        for g in groups:
            cand = []
            for j in g:
                cand += [[R[i, j].real.mid() for i in range(n)], [R[i, j].imag.mid() for i in range(n)]]
            for vec in _orthonormal(cand, len(g)):
                for i in range(n):
                    V[i, c] = vec[i].mid()
                c += 1
        return [lam[j] for j in order], V


def _orthonormal(cand: list[list], m: int) -> list[list]:
    """``m`` orthonormal vectors from the span of ``cand`` (Gram-Schmidt, largest first)."""
    out: list[list] = []
    cand = [list(v) for v in cand]
    for _ in range(m):
        norms = [sum(x * x for x in v) for v in cand]
        k = max(range(len(cand)), key=lambda t: float(norms[t].mid()))
        v = cand.pop(k)
        scale = 1 / norms[k].sqrt()
        v = [x * scale for x in v]
        out.append(v)
        for t, w in enumerate(cand):
            dot = sum(a * b for a, b in zip(v, w, strict=True))
            cand[t] = [b - dot * a for a, b in zip(v, w, strict=True)]
    return out


def _cmp(a, b) -> int:
    """Order of two exact arb points."""
    return -1 if a < b else (1 if a > b else 0)


def _components(lo: list, hi: list) -> list[tuple[object, object, list[int]]]:
    """Connected components of the intervals [lo_i, hi_i] (exact arb endpoints), ascending."""
    order = sorted(range(len(lo)), key=functools.cmp_to_key(lambda a, b: _cmp(lo[a], lo[b])))
    comps: list[tuple[object, object, list[int]]] = []
    for i in order:
        if comps and not (lo[i] > comps[-1][1]):  # overlaps or touches the current component
            clo, chi, members = comps[-1]
            comps[-1] = (clo, chi if chi >= hi[i] else hi[i], members + [i])
        else:
            comps.append((lo[i], hi[i], [i]))
    return comps


def gershgorin(B, scale: list | None = None) -> list[tuple[object, object, int]]:
    r"""Enclosures of the eigenvalues of every real matrix similar to those in the ball matrix ``B``.

    ``B`` encloses :math:`V^{-1}GV`; with ``scale`` :math:`= (d_i)` the disks are those of
    :math:`DBD^{-1}`: centre :math:`B_{ii}`, radius :math:`\mathrm{rad}(B_{ii}) +
    \sum_{j\ne i}|B_{ij}|\,d_i/d_j`. Returns, for the eigenvalues in ascending order, the
    component ``(lo, hi, size)`` that contains each (exact arb endpoints).
    """
    flint = require()
    arb = flint.arb
    n = B.nrows()
    d = [arb(1)] * n if scale is None else scale
    lo, hi = [], []
    for i in range(n):
        r = arb(0)
        for j in range(n):
            if j != i:
                r += B[i, j].abs_upper() * d[i] / d[j]
        r = r.upper() + B[i, i].rad()
        lo.append((B[i, i].mid() - r).lower())
        hi.append((B[i, i].mid() + r).upper())
    out = []
    for clo, chi, members in _components(lo, hi):
        out += [(clo, chi, len(members))] * len(members)
    return out


def certify(G, V, lam: list, bits: int) -> list[tuple[object, object, int]]:
    r"""Enclosures of all eigenvalues of every symmetric matrix in the ball matrix ``G``.

    Computes :math:`B \ni V^{-1}(GV)` with ``arb_mat.solve`` (which proves :math:`V`
    invertible or raises), applies Gershgorin with no scaling and with
    :math:`d_i = |\tilde\lambda_i|^{1/2}` and :math:`|\tilde\lambda_i|^{-1/2}`, and intersects the
    enclosures of each eigenvalue (ascending). Raises ``ZeroDivisionError`` when the solve
    cannot prove :math:`V` invertible at this precision.
    """
    with working_precision(bits):
        B = V.solve(G * V)
        arb = require().arb
        floor = max(abs(x) for x in lam) * arb(2) ** (-bits)
        root = [(abs(x) if abs(x) > floor else floor).sqrt() for x in lam]
        best = None
        for scale in (None, root, [1 / x for x in root]):
            enc = gershgorin(B, scale)
            if best is None:
                best = enc
                continue
            best = [
                (a if a >= c else c, b if b <= e else e, min(s, t))
                for (a, b, s), (c, e, t) in zip(best, enc, strict=True)
            ]
    if any(not (lo <= hi) for lo, hi, _ in best):  # pragma: no cover - would be a bug
        raise RuntimeError("empty intersection of valid enclosures")
    return best


def log2_ratio(lam: list) -> float:
    """log2(max |lambda| / min |lambda|) for exact arb points (inf if some is 0)."""
    arb = require().arb
    top, low = max(abs(x) for x in lam), min(abs(x) for x in lam)
    if low == 0:
        return math.inf
    return float((top / low).log() / arb(2).log())


def extrapolated_bits(lam: list, bits: int, n: int, rel_width: float) -> int:
    """A precision guess when the smallest eigenvalues are round-off at ``bits``.

    Extrapolates log|lambda| linearly from the ten smallest resolved eigenvalues down to the
    unresolved ones, with a 25% margin (only a guess: the certificate checks the result).
    """
    arb = require().arb
    top = max(abs(x) for x in lam)
    thresh = top * arb(2) ** (-(bits - math.log2(n) - 8))
    u = next((i for i, x in enumerate(lam) if abs(x) > thresh), len(lam))
    logs = [float((abs(x) / top).log() / arb(2).log()) for x in lam[u:u + 10]]
    if u == 0 or len(logs) < 2:
        return 2 * bits
    slope = max((logs[-1] - logs[0]) / (len(logs) - 1), 1.0)
    low = logs[0] - 1.25 * slope * u
    return int(math.ceil(-low + 0.5 * math.log2(n) + math.log2(1.0 / rel_width) + 12))


def needed_bits(lam: list, n: int, rel_width: float) -> int:
    """Working precision for a certificate of relative width ``rel_width`` on min |lambda|."""
    return int(math.ceil(log2_ratio(lam) + 0.5 * math.log2(n) + math.log2(1.0 / rel_width) + 12))
