"""The repository URL is written once (_config.yml); tools/repo_url.py derives every other place."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("repo_url", ROOT / "tools" / "repo_url.py")
repo_url = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(repo_url)


def test_every_place_follows_config() -> None:
    # Catches a chapter, pyproject.toml or the README naming another repository than _config.yml.
    assert repo_url.sync(ROOT, write=False) == []


def _copy(tmp_path: Path) -> Path:
    for name in ("_config.yml", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "ch01_model.ipynb", tmp_path / "chapters")
    return tmp_path


def test_one_line_change_moves_everything(tmp_path: Path) -> None:
    # Publishing elsewhere = editing the url line; the sync then rewrites every derived place, and
    # a check before the sync reports each of them (a check that always passed would not).
    root = _copy(tmp_path)
    cfg = root / "_config.yml"
    cfg.write_text(cfg.read_text().replace("github.com/actgram/actgram-book", "github.com/Someone/gram-book"))
    assert sorted(repo_url.sync(root, write=False)) == ["README.md", "chapters/ch01_model.ipynb", "pyproject.toml"]
    repo_url.sync(root)
    assert repo_url.sync(root, write=False) == []
    readme = (root / "README.md").read_text()
    assert "https://someone.github.io/gram-book/" in readme
    assert "https://github.com/Someone/gram-book/actions/workflows/ci.yml/badge.svg" in readme
    assert 'Homepage = "https://someone.github.io/gram-book/"' in (root / "pyproject.toml").read_text()
    assert "git+https://github.com/Someone/gram-book" in (root / "chapters" / "ch01_model.ipynb").read_text()
    assert "actgram/actgram-book" not in (root / "chapters" / "ch01_model.ipynb").read_text()


def test_install_cell_is_valid_python_within_88_columns() -> None:
    cell = repo_url.install_cell()
    compile(cell, "<install cell>", "exec")
    assert max(len(line) for line in cell.splitlines()) <= 88


def test_bad_url_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "_config.yml").write_text("repository:\n  url: https://example.org/x\n")
    with pytest.raises(SystemExit, match="not https://github.com"):
        repo_url.sync(root, write=False)
