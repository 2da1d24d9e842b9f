r"""What the book's chapters share: the scale switch, one figure style, number formatting,
slope fits, HTML tables and the table of checked claims.

Every chapter starts with::

    from actgram import book
    FULL = book.setup()          # figure style, print widths; ACTGRAM_FULL=1 -> full mode

and ends its checks with a :class:`Checks` table and ``assert checks.show(), checks.failed()``:
the cell shows the table, then raises ``AssertionError`` naming any claim that does not hold.

Nothing here computes a result of the book; it only presents them. Helpers that one chapter
needs and that are more than a few lines live beside this file in ``actgram.book.chNN``
(``from actgram.book import ch04``); anything the science needs goes into the topical modules
(``actgram.kernels``, ``actgram.spectra``, ...). The helpers work outside
Jupyter too (plain Python, Colab): IPython and MyST-NB are used only when present.
"""

from __future__ import annotations

import contextlib
import html
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "COLUMN_WIDTH_IN",
    "DENSE_MARGIN",
    "Checks",
    "Table",
    "below",
    "bracket_text",
    "dense_text",
    "figure",
    "fmt",
    "full_mode",
    "glue",
    "legend_below",
    "loglog_slope",
    "pick",
    "setup",
]

#: Widest figure, in inches, that the book's column shows at 100 px per inch (the theme's
#: column is about 780 px wide at a 1400-px window).
COLUMN_WIDTH_IN = 7.4
#: A dense float64 eigenvalue is printed as a number only when it lies this many times above
#: its floor :math:`\varepsilon\|G\|_2` (closer to the floor not even its first digit is sure).
DENSE_MARGIN = 100.0
#: Printed output is kept within this many characters a line (the column's width in code font).
TEXT_WIDTH = 88

_STYLE = {
    "figure.figsize": (COLUMN_WIDTH_IN, 3.4),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "savefig.bbox": "standard",
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.framealpha": 0.85,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
}


def full_mode() -> bool:
    """True when the environment variable ``ACTGRAM_FULL`` is ``"1"`` (the book's full mode)."""
    return os.environ.get("ACTGRAM_FULL", "0") == "1"


def pick(small: Any, full: Any) -> Any:
    """``full`` in full mode, ``small`` otherwise: one switch for every size in a chapter."""
    return full if full_mode() else small


def setup(*, quiet: bool = False) -> bool:
    """Set the book's figure style and print widths; return whether full mode is on.

    Figures: at most :data:`COLUMN_WIDTH_IN` inches wide, drawn at 100 px per inch and stored
    as PNG at twice that (``retina``), so that the smallest text (9 pt) shows at 12.5 CSS px.
    Prints ``scale: small`` or ``scale: full`` unless ``quiet``.
    """
    import matplotlib as mpl

    try:
        import seaborn as sns

        sns.set_theme(style="whitegrid", context="notebook")
    except ImportError:  # seaborn is a dependency, but the style must not hinge on it
        pass
    mpl.rcParams.update(_STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    except ImportError:  # not in Jupyter
        pass
    np.set_printoptions(linewidth=TEXT_WIDTH)
    try:
        import pandas as pd

        pd.set_option("display.width", TEXT_WIDTH)
    except ImportError:
        pass
    full = full_mode()
    if not quiet:
        print("scale:", "full" if full else "small")
    return full


def figure(nrows: int = 1, ncols: int = 1, *, height: float | None = None, **kwargs: Any):
    """``plt.subplots`` at the column's width, at most two panels across.

    ``height`` is the figure's height in inches (default: 3.4 for one row, 2.9 a row for
    more). Returns ``(fig, axes)`` as ``plt.subplots`` does.
    """
    import matplotlib.pyplot as plt

    if ncols > 2:
        raise ValueError(
            f"ncols={ncols}: the book's column shows at most two panels across legibly; "
            "stack the panels in rows (nrows) instead"
        )
    if height is None:
        height = 3.4 if nrows == 1 else 2.9 * nrows
    kwargs.setdefault("figsize", (COLUMN_WIDTH_IN, height))
    return plt.subplots(nrows, ncols, **kwargs)


def legend_below(fig_or_ax: Any, *, ncol: int = 4, **kwargs: Any) -> Any:
    """One legend under the figure (or axes), so that it never shrinks the panels."""
    import matplotlib.pyplot as plt

    fig = fig_or_ax if isinstance(fig_or_ax, plt.Figure) else fig_or_ax.figure
    axes = fig.axes if fig_or_ax is fig else [fig_or_ax]
    handles, labels, seen = [], [], set()
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                handles.append(h)
                labels.append(lab)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    return fig.legend(handles, labels, loc="outside lower center", ncol=ncol, **kwargs)


def fmt(x: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (``"-"`` for None; strings unchanged)."""
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    return f"{x:.{digits}g}"


def below(x: float, bound: float) -> str:
    """``"< bound"`` when ``x < bound`` (round-off need not be printed), else ``x`` to 2 digits.

    For errors and residuals whose digits below ``bound`` change with the thread count.
    """
    mantissa, exponent = f"{bound:.0e}".split("e")
    return f"< {mantissa}e{int(exponent)}" if x < bound else f"{x:.1e}"


def dense_text(x: float, floor: float, *, digits: int = 3) -> str:
    """A dense solver's eigenvalue: a number only when above ``DENSE_MARGIN`` times its floor."""
    return fmt(x, digits) if x > DENSE_MARGIN * floor else "below the floor"


def bracket_text(result: Any = None, *, lower: float | None = None, upper: float | None = None,
                 value: float | None = None, resolved: bool | None = None,
                 digits: int = 4) -> str:
    """A bracketed eigenvalue: its value where resolved, else ``"in [lower, upper]"``.

    Pass a result of :func:`actgram.lambda_min` (anything with ``lower``, ``upper``, ``value``
    and ``resolved``) or the four fields as keywords.
    """
    if result is not None:
        lower, upper = result.lower, result.upper
        value, resolved = result.value, result.resolved
    if lower is None or upper is None:
        raise ValueError("bracket_text needs a result or both lower= and upper=")
    if resolved is None:
        resolved = lower > 0 and (upper - lower) <= 1e-2 * upper
    if resolved:
        return fmt(value if value is not None else 0.5 * (lower + upper), digits)
    return f"in [{lower:.1e}, {upper:.1e}]"


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    r"""Least-squares line through :math:`(\log x, \log y)`: returns ``(slope, intercept)``.

    Natural logarithms; every ``x`` and ``y`` must be positive.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2; got {x.shape}, {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("loglog_slope needs positive x and y (it fits log y against log x)")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


def glue(name: str, value: Any, *, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for the chapter's text (MyST-NB's ``{glue}`` roles).

    Works without MyST-NB installed (Colab): the stored output is the same. Returns ``value``.
    """
    try:
        from IPython import get_ipython
        from IPython.core.formatters import format_display_data
        from IPython.display import display as ipy_display
    except ImportError:
        return value
    if get_ipython() is None:
        return value
    bundle, metadata = format_display_data(value)
    prefix = "" if display else "application/papermill.record/"
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    return value


@dataclass
class Table:
    """A small table shown as HTML in the book and as aligned text elsewhere.

    ``rows`` are mappings from column name to value; values are formatted with :func:`fmt`
    (``digits`` significant digits) unless ``formats`` gives a format string or a function
    for a column.
    """

    rows: list[Mapping[str, Any]]
    columns: list[str] | None = None
    formats: Mapping[str, Any] = field(default_factory=dict)
    digits: int = 3
    caption: str | None = None

    def __post_init__(self) -> None:
        self.rows = [dict(r) for r in self.rows]
        if self.columns is None:
            cols: list[str] = []
            for r in self.rows:
                cols += [c for c in r if c not in cols]
            self.columns = cols

    def _cell(self, col: str, value: Any) -> str:
        f = self.formats.get(col)
        if f is None or value is None:
            return fmt(value, self.digits)
        if callable(f):
            return str(f(value))
        return format(value, f)

    def cells(self) -> list[list[str]]:
        """The formatted cells, row by row."""
        return [[self._cell(c, r.get(c)) for c in self.columns] for r in self.rows]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in self.cells()
        )
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="actgram-table">{cap}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        cells = self.cells()
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(self.columns, widths, strict=True))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        if self.caption:
            lines.insert(0, self.caption)
        return "\n".join(lines)


class Checks:
    """The table of a chapter's checked claims: claim | measured | bound | holds.

    Each :meth:`add` records one claim with what was measured, the bound it is held to and
    whether it holds (a boolean the caller computes, e.g. ``err < 1e-12``). :meth:`show`
    displays the table and returns whether every claim holds; the chapter asserts it
    (``assert checks.show(), checks.failed()``), so a chapter whose claims fail stops there
    and nbval reports it.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, claim: str, measured: Any, bound: Any, holds: Any) -> bool:
        """Record a claim; returns whether it holds."""
        ok = bool(holds)
        if not isinstance(holds, (bool, np.bool_)):
            raise TypeError(
                f"holds must be a boolean (the comparison itself), got {type(holds).__name__} "
                f"for the claim {claim!r}"
            )
        self.rows.append({"claim": claim, "measured": measured, "bound": bound,
                          "holds": "yes" if ok else "no"})
        return ok

    @contextlib.contextmanager
    def claim(self, claim: str, measured: Any = "", bound: Any = "") -> Iterator[None]:
        """Check a claim made of several ``assert`` statements, written inside ``with``.

        The block's asserts run as usual; an ``AssertionError`` inside it marks the claim as
        not holding (the row says so, with the assert's message as ``measured`` when none is
        given) and the remaining claims are still checked; :meth:`show` then returns False.
        """
        try:
            yield
        except AssertionError as exc:
            self.rows.append({"claim": claim, "measured": measured or str(exc) or "-",
                              "bound": bound, "holds": "no"})
        else:
            self.rows.append({"claim": claim, "measured": measured, "bound": bound,
                              "holds": "yes"})

    def failed(self) -> list[str]:
        """The claims that do not hold."""
        return [r["claim"] for r in self.rows if r["holds"] != "yes"]

    def table(self) -> Table:
        return Table(self.rows, ["claim", "measured", "bound", "holds"])

    def show(self) -> bool:
        """Display the table; return whether every claim holds (False when none was added).

        A chapter ends its checks with ``assert checks.show(), checks.failed()``: the assert
        stops the chapter (and nbval reports it) naming every claim that does not hold.
        """
        try:
            from IPython.display import display

            display(self.table())
        except ImportError:
            print(repr(self.table()))
        return bool(self.rows) and not self.failed()


def display_table(rows: Iterable[Mapping[str, Any]], **kwargs: Any) -> Table:
    """Shorthand: ``Table(list(rows), **kwargs)`` (a notebook cell ending in it shows it)."""
    return Table(list(rows), **kwargs)
