r"""Data sets on the unit sphere.

Every function returns float64 arrays of shape ``(n, d)`` with unit-norm rows, the input
convention of the whole package.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_data, positive_int, real_scalar


def normalize_rows(X) -> np.ndarray:
    """Divide every row by its Euclidean norm (zero rows, NaN and inf are refused)."""
    return as_data(X, normalize=True)


def _embed(P: np.ndarray, d: int) -> np.ndarray:
    if d < P.shape[1]:
        raise ValueError(f"dimension d = {d} is smaller than the {P.shape[1]} coordinates the data need")
    out = np.zeros((P.shape[0], d))
    out[:, : P.shape[1]] = P
    return out


def half_circle(n: int, d: int = 2) -> np.ndarray:
    r"""``n`` equally spaced points on a half circle: angles :math:`\pi i/n`, ``i = 0..n-1``.

    The angles stop short of :math:`\pi`, so no two points are antipodal; the separation is
    :math:`2\sin(\pi/(2n))`. Embedded in the first two coordinates of :math:`\mathbb{R}^d`.
    """
    n = positive_int(n, "n")
    a = np.pi * np.arange(n) / n
    return _embed(np.stack([np.cos(a), np.sin(a)], 1), positive_int(d, "d", minimum=2))


def circle(n: int, d: int = 2) -> np.ndarray:
    r"""``n`` equally spaced points on the full circle: angles :math:`2\pi i/n`.

    For even ``n`` the points come in antipodal pairs, so the separation :math:`\delta`
    (:math:`|\rho_{ij}| \le 1-\delta^2/2`, as in :func:`actgram.bounds.separation_bound`)
    is 0 and :math:`G^\infty` is singular for activations with even :math:`\phi'`.
    """
    n = positive_int(n, "n")
    a = 2.0 * np.pi * np.arange(n) / n
    return _embed(np.stack([np.cos(a), np.sin(a)], 1), positive_int(d, "d", minimum=2))


def arc(n: int, step: float, d: int = 2) -> np.ndarray:
    r"""``n`` points on a circular arc, angles ``step * i`` for ``i = 0..n-1``.

    Consecutive points are :math:`2\sin(\mathrm{step}/2)` apart: the way to control the
    separation directly. ``step`` must lie in ``(0, pi / (n - 1))`` so that no two points are
    antipodal or equal.
    """
    n = positive_int(n, "n")
    step = real_scalar(step, "step")
    if not (step > 0.0 and (n == 1 or step * (n - 1) < np.pi)):
        raise ValueError(f"step must lie in (0, pi / (n - 1)) = (0, {np.pi / max(n - 1, 1):.3g}); got {step}")
    a = step * np.arange(n)
    return _embed(np.stack([np.cos(a), np.sin(a)], 1), positive_int(d, "d", minimum=2))


def sphere(n: int, d: int, seed: int | None = 0) -> np.ndarray:
    """``n`` points drawn uniformly from the unit sphere in :math:`\\mathbb{R}^d`."""
    n, d = positive_int(n, "n"), positive_int(d, "d")
    G = np.random.default_rng(seed).standard_normal((n, d))
    return G / np.linalg.norm(G, axis=1, keepdims=True)


def subspace(n: int, d: int, d_span: int, seed: int | None = 0) -> np.ndarray:
    """``n`` unit vectors uniform on the sphere of a random ``d_span``-dimensional subspace of R^d."""
    n, d, k = positive_int(n, "n"), positive_int(d, "d"), positive_int(d_span, "d_span")
    if k > d:
        raise ValueError(f"d_span = {k} cannot exceed the ambient dimension d = {d}")
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, k)))
    Z = rng.standard_normal((n, k))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    return normalize_rows(Z @ Q.T)


def separation(X, *, return_pair: bool = False, normalize: bool = False):
    r"""The separation :math:`\delta = \min_{i\ne j}\min(\|x_i - x_j\|, \|x_i + x_j\|)`.

    Both halves matter: :math:`x_j = -x_i` makes :math:`G^\infty` singular when :math:`\phi'` is
    even (tanh). With ``return_pair=True`` also returns ``(i, j, "duplicate"|"antipodal")``.
    Needs at least two points. ``normalize=True``: the separation of the normalised rows.
    """
    X = as_data(X, normalize=normalize)
    n = X.shape[0]
    if n < 2:
        raise ValueError("separation needs at least two points")
    R = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(R, 0.0)
    # ||x - y|| = 2 sin(theta/2), ||x + y|| = 2 cos(theta/2): the closest pair has largest |rho|
    i, j = np.unravel_index(np.argmax(np.abs(R)), R.shape)
    i, j = (int(i), int(j)) if i < j else (int(j), int(i))
    dm, dp = np.linalg.norm(X[i] - X[j]), np.linalg.norm(X[i] + X[j])
    delta = float(min(dm, dp))
    if return_pair:
        return delta, (i, j, "duplicate" if dm <= dp else "antipodal")
    return delta


def digits(dim: int | None = None, *, center: bool = True, n: int | None = None, seed: int = 0):
    """scikit-learn's handwritten digits (1797 images, 8x8), as unit rows, with labels.

    ``center`` subtracts the mean image first (raw pixels are non-negative, so every pair
    would have positive correlation); ``dim`` projects onto the top ``dim`` principal
    components before normalising; ``n`` keeps a random subset of ``n`` images (seeded).
    The data ship inside scikit-learn: no download. Returns ``(X, y)``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("actgram.data.digits needs scikit-learn: pip install scikit-learn") from exc
    ds = load_digits()
    X = ds.data.astype(np.float64)
    y = ds.target.astype(np.int64)
    if n is not None:
        n = positive_int(n, "n")
        if n > X.shape[0]:
            raise ValueError(f"n = {n} exceeds the {X.shape[0]} images of the data set")
        idx = np.sort(np.random.default_rng(seed).choice(X.shape[0], n, replace=False))
        X, y = X[idx], y[idx]
    if center:
        X = X - X.mean(axis=0)
    if dim is not None:
        dim = positive_int(dim, "dim")
        if dim > X.shape[1]:
            raise ValueError(f"dim = {dim} exceeds the 64 pixel dimensions")
        _, _, Vt = np.linalg.svd(X, full_matrices=False)
        X = X @ Vt[:dim].T
    return normalize_rows(X), y
