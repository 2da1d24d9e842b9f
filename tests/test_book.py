"""The chapters' presentation helpers (actgram.book): formatting, tables, the checks table."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actgram import book  # noqa: E402


def test_pick_and_full_mode(monkeypatch):
    monkeypatch.delenv("ACTGRAM_FULL", raising=False)
    assert book.pick(1, 2) == 1 and not book.full_mode()
    monkeypatch.setenv("ACTGRAM_FULL", "1")
    assert book.pick(1, 2) == 2 and book.full_mode()


def test_setup_sets_column_width_and_returns_mode(monkeypatch, capsys):
    monkeypatch.setenv("ACTGRAM_FULL", "0")
    assert book.setup() is False
    assert "scale: small" in capsys.readouterr().out
    assert matplotlib.rcParams["figure.figsize"][0] <= book.COLUMN_WIDTH_IN
    assert matplotlib.rcParams["legend.fontsize"] >= 9  # 9 pt at 100 px/in is 12.5 px


def test_figure_refuses_three_across():
    fig, axes = book.figure(1, 2)
    assert fig.get_size_inches()[0] <= book.COLUMN_WIDTH_IN
    with pytest.raises(ValueError, match="at most two panels across"):
        book.figure(1, 3)


def test_legend_below_collects_each_label_once():
    fig, axes = book.figure(1, 2)
    for ax in axes:
        ax.plot([0, 1], label="relu")
        ax.plot([1, 0], label="tanh")
        ax.legend()
    leg = book.legend_below(fig)
    assert [t.get_text() for t in leg.get_texts()] == ["relu", "tanh"]
    assert all(ax.get_legend() is None for ax in axes)


def test_fmt_and_dense_text():
    assert book.fmt(1.23456e-8) == "1.23e-08"
    assert book.fmt(None) == "-" and book.fmt(7) == "7" and book.fmt(True) == "yes"
    assert book.dense_text(1e-10, floor=1e-16) == "1e-10"
    # within 100x of the floor: not a number (would print round-off as a value)
    assert book.dense_text(5e-15, floor=1e-16) == "below the floor"


def test_bracket_text_resolved_and_not():
    class R:
        lower, upper, value, resolved = 1.0e-9, 1.001e-9, 1.0005e-9, True

    assert book.bracket_text(R()) == "1.001e-09"
    assert book.bracket_text(lower=0.0, upper=2e-13) == "in [0.0e+00, 2.0e-13]"
    with pytest.raises(ValueError, match="needs a result"):
        book.bracket_text(lower=1.0)


def test_loglog_slope_recovers_power_and_refuses_nonpositive():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    s, c = book.loglog_slope(x, 3.0 * x**-2.5)
    assert abs(s + 2.5) < 1e-12 and abs(c - np.log(3.0)) < 1e-12
    with pytest.raises(ValueError, match="positive"):
        book.loglog_slope(x, -x)


def test_table_html_and_text_agree():
    t = book.Table([{"n": 8, "lam": 1.5e-3}, {"n": 16, "lam": 2e-9}], formats={"lam": ".2e"})
    h = t._repr_html_()
    assert "<th>lam</th>" in h and "2.00e-09" in h and "1.50e-03" in h
    # a missing value shows as "-" even in a formatted column (no TypeError from format)
    assert "<td>-</td>" in book.Table([{"lam": None}], formats={"lam": ".2e"})._repr_html_()
    lines = repr(t).splitlines()
    assert lines[0].split() == ["n", "lam"] and lines[2].split() == ["16", "2.00e-09"]


def test_checks_show_reports_and_the_chapter_assert_names_the_failing_claim(capsys):
    c = book.Checks()
    assert c.add("small error", 1e-13, "< 1e-12", 1e-13 < 1e-12)
    assert c.show() is True  # all hold
    assert "small error" in capsys.readouterr().out  # the table was shown
    # a claim that does not hold (the wrong result a check must catch) stops the chapter
    assert not c.add("order", 2.0, "< 1", 2.0 < 1)
    assert c.show() is False and c.failed() == ["order"]
    with pytest.raises(AssertionError, match="order"):
        assert c.show(), c.failed()  # the line every chapter ends its checks with
    with pytest.raises(TypeError, match="boolean"):
        c.add("not a comparison", 1.0, "", 1.0)
    assert book.Checks().show() is False  # no claim checked is not a pass


def test_checks_claim_block_records_and_continues():
    c = book.Checks()
    with c.claim("a holds", "1", "< 2"):
        assert 1 < 2
    # a failing assert inside the block marks that claim only; later claims still run
    with c.claim("b fails"):
        assert 3 < 2, "3 is not below 2"
    with c.claim("c holds"):
        assert True
    assert [r["holds"] for r in c.rows] == ["yes", "no", "yes"]
    assert c.rows[1]["measured"].startswith("3 is not below 2")
    assert c.show() is False and c.failed() == ["b fails"]
