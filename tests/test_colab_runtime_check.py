"""tools/colab_runtime_check.py (the weekly run in Colab's runtime image) reports what fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "colab_runtime_check.py"


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def test_reports_each_chapter_and_fails_when_one_fails(tmp_path: Path) -> None:
    # The kernel sees google.colab (so a chapter's install cell takes its Colab branch); a chapter
    # that raises makes the run fail and is named in the summary (a run that always passed would
    # hide a chapter broken on Colab).
    good = _notebook(tmp_path / "good.ipynb", "import sys\nassert 'google.colab' in sys.modules")
    bad = _notebook(tmp_path / "bad.ipynb", "raise RuntimeError('broken on Colab')")
    summary = tmp_path / "summary.md"
    res = subprocess.run([sys.executable, str(TOOL), "--no-uninstall", "--timeout", "120",
                          "--summary", str(summary), str(good), str(bad)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    text = summary.read_text()
    assert "| good | ok |" in text and "| bad | failed |" in text, text
    assert "broken on Colab" in res.stderr
