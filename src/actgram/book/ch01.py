r"""Helpers of chapter 1 (the model and its Gram matrix): finite-width errors of :math:`G^0`.

``from actgram.book import ch01``. Each function does one measurement of the chapter with the
package's own routines (:func:`actgram.sample_weights`, :func:`actgram.gram_init`) and numpy's
dense eigensolver; nothing here is new science, only the loops the chapter would otherwise show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import actgram

__all__ = ["WidthErrors", "bootstrap_slope_sd", "weyl_widths", "width_errors"]


@dataclass
class WidthErrors:
    r"""Errors of :math:`G^0` against :math:`G^\infty` over widths (rows) and seeds (columns).

    ``fro``: :math:`\|G^0 - G^\infty\|_F`; ``spec``: :math:`\|G^0 - G^\infty\|_2`;
    ``lam``: :math:`|\lambda_{\min}(G^0) - \lambda_{\min}(G^\infty)|`; ``worst_psd``: the
    smallest :math:`\lambda_{\min}(G^0)/\|G^0\|_2` over all draws (negative only by round-off).
    """

    fro: np.ndarray
    spec: np.ndarray
    lam: np.ndarray
    worst_psd: float


def width_errors(X: np.ndarray, G_inf: np.ndarray, act: str, widths: Sequence[int],
                 n_seeds: int) -> WidthErrors:
    r"""Draw :math:`G^0` at every width ``n_seeds`` times and measure its error against ``G_inf``.

    ``X: (n, d)``, unit rows; ``G_inf: (n, n)`` from :func:`actgram.gram_inf`. The draw of
    width index ``k`` and repeat ``s`` uses ``seed = n_seeds * k + s`` (every draw its own
    seed). Norms and eigenvalues by numpy in float64 (eigenvalues accurate to about
    :math:`\varepsilon\|G\|_2`).
    """
    widths = [int(m) for m in widths]
    shape = (len(widths), n_seeds)
    fro, spec, lam = np.empty(shape), np.empty(shape), np.empty(shape)
    lam_inf = np.linalg.eigvalsh(G_inf)[0]
    worst = np.inf
    for k, m in enumerate(widths):
        for s in range(n_seeds):
            W = actgram.sample_weights(m, X.shape[1], seed=n_seeds * k + s)
            G0 = actgram.gram_init(X, W, act)
            fro[k, s] = np.linalg.norm(G0 - G_inf, "fro")
            spec[k, s] = np.linalg.norm(G0 - G_inf, 2)
            ev0 = np.linalg.eigvalsh(G0)
            lam[k, s] = abs(ev0[0] - lam_inf)
            worst = min(worst, ev0[0] / ev0[-1])
    return WidthErrors(fro, spec, lam, float(worst))


def weyl_widths(widths: Sequence[int], err: WidthErrors, lam_inf: float) -> tuple[float, int]:
    r"""Widths at which :math:`G^0` resolves :math:`\lambda_{\min}(G^\infty)` to half its size.

    Returns ``(m_weyl, m_meas)``. ``m_weyl``: the width at which Weyl's bound
    :math:`|\lambda_{\min}(G^0) - \lambda_{\min}(G^\infty)| \le \|G^0 - G^\infty\|_2` guarantees
    an error below :math:`\lambda_{\min}/2`, extrapolating the mean spectral-norm error at the
    largest width by the Monte Carlo law :math:`m^{-1/2}`. ``m_meas``: the narrowest sampled
    width from which the *measured* mean error of :math:`\lambda_{\min}(G^0)` stays below
    :math:`\lambda_{\min}/2` at every larger sampled width.
    """
    widths = np.asarray(widths)
    err_max = err.spec[-1].mean()
    m_weyl = float(widths[-1] * (err_max / (lam_inf / 2)) ** 2)
    below = err.lam.mean(1) < lam_inf / 2
    stays = np.nonzero(~below)[0]  # widths where it is not; the answer follows the last
    m_meas = int(widths[stays[-1] + 1] if stays.size else widths[0])
    return m_weyl, m_meas


def bootstrap_slope_sd(widths: Sequence[int], errors: np.ndarray, rng: np.random.Generator,
                       n_boot: int = 200) -> float:
    r"""Standard deviation of the fitted log-log slope of the mean error, by a bootstrap.

    ``errors: (len(widths), n_seeds)``. Each resample draws the seeds with replacement at
    every width independently (from ``rng``, advanced in place), averages and refits
    :math:`\log \bar e` against :math:`\log m` by least squares.
    """
    logm = np.log(np.asarray(widths, dtype=float))
    n_seeds = errors.shape[1]
    boot = []
    for _ in range(n_boot):
        pick = rng.integers(0, n_seeds, size=errors.shape)
        resampled = np.take_along_axis(errors, pick, axis=1).mean(axis=1)
        boot.append(np.polyfit(logm, np.log(resampled), 1)[0])
    return float(np.std(boot))
