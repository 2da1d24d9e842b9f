r"""The compiled passes of :mod:`actgram._fused` (numba kernels; private).

Scalar pieces (the stable angle, the Clenshaw recurrence of a theta table, clipping)
and the parallel passes over the upper triangle: :func:`_angles_pass` (correlations and
stable angles), :func:`_table_pass` (``rho * table_dd + table_ff`` with Clenshaw
recurrences run eight at a time), :func:`_rho_pass` (the same with tables in rho
where |rho| <= 0.9), :func:`_arccos_pass` (the arc-cosine closed forms) and
:func:`_table_eval`. Same operations in the same order as the numpy route, except in the
tables in rho; see :mod:`actgram._fused`.
"""

from __future__ import annotations

import math

import numpy as np

try:  # optional: the extra actgram[fast]
    import numba as _numba
    from numba import prange
except ImportError:  # pragma: no cover - the numpy-route tests use ACTGRAM_NUMBA=0
    _numba = None
    prange = range

_STABLE = 0.9  # |rho| above which the angle is recomputed from the rows
_INV_2PI = 1.0 / (2.0 * math.pi)


def _jit(fn):
    if _numba is None:
        return fn
    return _numba.njit(parallel=True, fastmath=False, cache=True)(fn)


def _jit_scalar(fn):
    if _numba is None:
        return fn
    return _numba.njit(fastmath=False, cache=True)(fn)


def _jit_inline(fn):
    """Inlined into its caller by numba (no call, hence no reference counting of the
    array arguments: a call per block of entries cost more than its arithmetic)."""
    if _numba is None:
        return fn
    return _numba.njit(fastmath=False, cache=True, inline="always")(fn)


# ------------------------------------------------------------------------------------
# scalar pieces (inlined into the parallel loops)
# ------------------------------------------------------------------------------------

@_jit_scalar
def _row_norms2(X, Y, i, j):
    """(|x_i - y_j|^2, |x_i + y_j|^2)."""
    s1 = 0.0
    s2 = 0.0
    for k in range(X.shape[1]):
        a = X[i, k]
        b = Y[j, k]
        s1 += (a - b) * (a - b)
        s2 += (a + b) * (a + b)
    return s1, s2


@_jit_scalar
def _angle(X, Y, i, j, rho):
    """The stable angle of rows i, j (rho already clipped to [-1, 1])."""
    if abs(rho) > _STABLE:
        s1, s2 = _row_norms2(X, Y, i, j)
        return 2.0 * math.atan2(math.sqrt(s1), math.sqrt(s2))
    return math.acos(rho)


@_jit_scalar
def _clenshaw(coef, theta):
    """ThetaTable evaluation at one angle (the numpy recurrence, op by op)."""
    P = coef.shape[0]
    D1 = coef.shape[1]
    x = theta * (P / math.pi)
    p = int(math.floor(x))
    if p < 0:
        p = 0
    elif p > P - 1:
        p = P - 1
    y = 2.0 * (x - p) - 1.0
    b1 = 0.0
    b2 = 0.0
    y2 = 2.0 * y
    for j in range(D1 - 1, 0, -1):
        t = coef[p, j] + y2 * b1 - b2
        b2 = b1
        b1 = t
    return coef[p, 0] + y * b1 - b2


@_jit_scalar
def _clip(r):
    if r > 1.0:
        return 1.0
    if r < -1.0:
        return -1.0
    return r


# ------------------------------------------------------------------------------------
# parallel passes
# ------------------------------------------------------------------------------------

@_jit
def _table_eval(coef, theta, out):
    for k in prange(theta.size):
        out[k] = _clenshaw(coef, theta[k])


@_jit
def _angles_pass(X, Y, R, theta, sym):
    """Clip R in place and fill theta; sym: upper triangle computed and mirrored,
    diagonal exact."""
    n1, n2 = R.shape
    half = (n1 + 1) // 2 if sym else n1
    for k in prange(half):
        for rep in range(2 if sym else 1):
            i = np.int64(k) if rep == 0 else np.int64(n1 - 1) - np.int64(k)
            if rep == 1 and i == np.int64(k):
                break
            j0 = i + 1 if sym else 0
            if sym:
                R[i, i] = 1.0
                theta[i, i] = 0.0
            for j in range(j0, n2):
                rho = _clip(R[i, j])
                th = _angle(X, Y, i, j, rho)
                R[i, j] = rho
                theta[i, j] = th
                if sym:
                    R[j, i] = rho
                    theta[j, i] = th


_BLOCK = 8  # entries whose Clenshaw recurrences run interleaved (independent chains)


@_jit_inline
def _clenshaw_block(coef, t, m, lo, width, vals, pbuf, ybuf, b1, b2):
    """vals[:m] = the panel table on [lo, lo + width] at t[:m]: for a theta table
    (lo = 0, width = pi) the recurrence of :func:`_clenshaw` for m entries at once (same
    operations per entry; interleaving hides the chain's latency), for a rho table
    lo = -0.9, width = 1.8."""
    P = coef.shape[0]
    D1 = coef.shape[1]
    scale = P / width
    for k in range(m):
        x = (t[k] - lo) * scale
        p = int(math.floor(x))
        if p < 0:
            p = 0
        elif p > P - 1:
            p = P - 1
        pbuf[k] = p
        ybuf[k] = 2.0 * (x - p) - 1.0
        b1[k] = 0.0
        b2[k] = 0.0
    for j in range(D1 - 1, 0, -1):
        for k in range(m):
            t1 = coef[pbuf[k], j] + (2.0 * ybuf[k]) * b1[k] - b2[k]
            b2[k] = b1[k]
            b1[k] = t1
    for k in range(m):
        vals[k] = coef[pbuf[k], 0] + ybuf[k] * b1[k] - b2[k]


@_jit_inline
def _triangle(R, sym):
    """(rows, columns, rows handed out, per-row flags of non-finite entries) of a pass;
    sym: row k and row n - 1 - k go to the same thread (equal work per row pair)."""
    n1, n2 = R.shape
    return n1, n2, (n1 + 1) // 2 if sym else n1, np.zeros(n1, dtype=np.bool_)


@_jit_inline
def _block_scratch():
    """Per-thread work arrays of a block: the correlations, the values (phi', phi),
    panels, local coordinates and the two Clenshaw registers."""
    return (np.empty(_BLOCK), np.zeros(_BLOCK), np.zeros(_BLOCK),
            np.empty(_BLOCK, dtype=np.int64), np.empty(_BLOCK), np.empty(_BLOCK),
            np.empty(_BLOCK))


@_jit
def _table_pass(X, Y, R, cdd, cff, mode, sym, out):
    """out = rho * kappa_phi' (mode 1), kappa_phi (mode 2) or both summed (mode 3);
    False if any entry is not finite."""
    n1, n2, half, bad = _triangle(R, sym)
    for k in prange(half):
        rhos, vd, vf, pbuf, ybuf, b1, b2 = _block_scratch()
        th = np.empty(_BLOCK)
        for rep in range(2 if sym else 1):
            i = np.int64(k) if rep == 0 else np.int64(n1 - 1) - np.int64(k)
            if rep == 1 and i == np.int64(k):
                break
            j0 = i if sym else 0
            for jb in range(j0, n2, _BLOCK):
                m = min(_BLOCK, n2 - jb)
                for q in range(m):
                    j = jb + q
                    if sym and j == i:
                        rhos[q] = 1.0
                        th[q] = 0.0
                    else:
                        rho = _clip(R[i, j])
                        rhos[q] = rho
                        th[q] = _angle(X, Y, i, j, rho)
                if mode & 1:
                    _clenshaw_block(cdd, th, m, 0.0, math.pi, vd, pbuf, ybuf, b1, b2)
                if mode & 2:
                    _clenshaw_block(cff, th, m, 0.0, math.pi, vf, pbuf, ybuf, b1, b2)
                for q in range(m):
                    j = jb + q
                    v = 0.0
                    if mode & 1:
                        v = rhos[q] * vd[q]
                    if mode & 2:
                        v = v + vf[q]
                    out[i, j] = v
                    if sym:
                        out[j, i] = v
                    if not math.isfinite(v):
                        bad[i] = True
    return not bad.any()


@_jit
def _arccos_pass(X, Y, R, a, relu, mode, sym, out):
    """Arc-cosine family: slope a on the negative side (relu: a = 0, abs: a = -1);
    mode 1: G, 2: K, 3: G + K, 4: the step's K; relu selects the ReLU form of K,
    J_1 / (2 pi), exactly."""
    n1, n2 = R.shape
    half = (n1 + 1) // 2 if sym else n1
    pp = 0.5 * (1.0 + a)
    qq = 0.5 * (1.0 - a)
    p2 = pp * pp
    q2 = qq * qq
    w = (1.0 - a) * (1.0 - a)
    for k in prange(half):
        for rep in range(2 if sym else 1):
            i = np.int64(k) if rep == 0 else np.int64(n1 - 1) - np.int64(k)
            if rep == 1 and i == np.int64(k):
                break
            j0 = i if sym else 0
            for j in range(j0, n2):
                if sym and j == i:
                    rho = 1.0
                    th = 0.0
                    c = 1.0
                    s = 0.0
                else:
                    rho = _clip(R[i, j])
                    if abs(rho) > _STABLE:
                        s1, s2 = _row_norms2(X, Y, i, j)
                        u = math.sqrt(s1)
                        v = math.sqrt(s2)
                        th = 2.0 * math.atan2(u, v)
                        den = s1 + s2
                        c = (s2 - s1) / den
                        s = 2.0 * u * v / den
                    else:
                        th = math.acos(rho)
                        c = rho
                        s = math.sqrt((1.0 - rho) * (1.0 + rho))
                val = 0.0
                if mode & 4:  # step: K = (pi - theta) / (2 pi)
                    val = (math.pi - th) * _INV_2PI
                if mode & 1:
                    val = rho * (a + w * ((math.pi - th) * _INV_2PI))
                if mode & 2:
                    j1 = s + (math.pi - th) * c
                    if relu:
                        val = val + j1 * _INV_2PI
                    else:
                        val = val + (p2 * c + q2 * (4.0 * j1 * _INV_2PI - c))
                out[i, j] = val
                if sym:
                    out[j, i] = val


# ------------------------------------------------------------------------------------
# tables in rho for |rho| <= 0.9 (no arccos there; see actgram._fused.rho_table)
# ------------------------------------------------------------------------------------

@_jit_inline
def _rho_flush(i, js, rr, m, rdd, rff, mode, sym, out, vd, vf, pbuf, ybuf, b1, b2):
    """Evaluate and write the m buffered entries (columns js) of row i; False if one of
    them is not finite. (One call site in the pass: each inlined copy adds to numba's
    compile time.)"""
    if mode & 1:
        _clenshaw_block(rdd, rr, m, -_STABLE, 2.0 * _STABLE, vd, pbuf, ybuf, b1, b2)
    if mode & 2:
        _clenshaw_block(rff, rr, m, -_STABLE, 2.0 * _STABLE, vf, pbuf, ybuf, b1, b2)
    ok = True
    for q in range(m):
        v = 0.0
        if mode & 1:
            v = rr[q] * vd[q]
        if mode & 2:
            v = v + vf[q]
        out[i, js[q]] = v
        if sym:
            out[js[q], i] = v
        ok = ok and math.isfinite(v)
    return ok


@_jit
def _rho_pass(X, Y, R, cdd, cff, rdd, rff, mode, sym, out):
    """As :func:`_table_pass`, with the rho tables ``rdd``, ``rff`` where |rho| <= 0.9
    (entries buffered eight at a time) and the theta tables ``cdd``, ``cff`` at the
    stable angle elsewhere and on the diagonal."""
    n1, n2, half, bad = _triangle(R, sym)
    for k in prange(half):
        rr, vd, vf, pbuf, ybuf, b1, b2 = _block_scratch()
        js = np.empty(_BLOCK, dtype=np.int64)
        for rep in range(2 if sym else 1):
            i = np.int64(k) if rep == 0 else np.int64(n1 - 1) - np.int64(k)
            if rep == 1 and i == np.int64(k):
                break
            m = 0
            for j in range(i if sym else 0, n2):
                rho = 1.0 if sym and j == i else _clip(R[i, j])
                if abs(rho) <= _STABLE:
                    rr[m] = rho
                    js[m] = j
                    m += 1
                else:
                    th = 0.0 if sym and j == i else _angle(X, Y, i, j, rho)
                    v = 0.0
                    if mode & 1:
                        v = rho * _clenshaw(cdd, th)
                    if mode & 2:
                        v = v + _clenshaw(cff, th)
                    out[i, j] = v
                    if sym:
                        out[j, i] = v
                    if not math.isfinite(v):
                        bad[i] = True
                if m == _BLOCK or (m > 0 and j == n2 - 1):
                    if not _rho_flush(i, js, rr, m, rdd, rff, mode, sym, out,
                                      vd, vf, pbuf, ybuf, b1, b2):
                        bad[i] = True
                    m = 0
    return not bad.any()
