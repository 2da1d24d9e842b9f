"""Draw the thesis figure (preface, README): lambda_min(Ginf) against n for kinked and smooth
activations.

Run from the repository root (or anywhere) with ``python docs/make_thesis_figure.py``; it writes
``docs/thesis.png`` next to this script (7.4 x 4.4 in, the book's column width, at 200 dpi, in the
book's figure style). Data: ``actgram.data.half_circle(n)``, n equally spaced points on a half
circle (a 2-dimensional span). The numbers come from ``actgram.book.conclusion.thesis_data``,
which calls ``actgram.lambda_min`` (a bracket ``lower <= lambda_min <= upper``: for the smooth
activations, tanh and swish, a Fourier factorisation of ``Ginf`` that resolves ``lambda_min`` far
below the float64 floor ``eps * ||G||_2`` of a dense ``numpy.linalg.eigvalsh``; for the kinked
ones, ReLU and ELU, a dense float64 solve). A value is drawn only where its bracket is resolved
(relative width at most 1e-2), elsewhere only the bracket's upper end (an open triangle); the
float64 floor is drawn for reference. The concluding chapter recomputes and shows the same
figure.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from actgram import book
from actgram.book import conclusion

OUT = Path(__file__).resolve().parent / "thesis.png"
WIDTH_IN, HEIGHT_IN, DPI = book.COLUMN_WIDTH_IN, 4.4, 200


def main() -> None:
    data = conclusion.thesis_data()
    book.setup(quiet=True)  # the book's figure style: fonts >= 9 pt at the column width
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    ax = fig.add_subplot()
    conclusion.draw_thesis(ax, data)
    book.legend_below(fig, ncol=3)
    fig.savefig(OUT, dpi=DPI)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
