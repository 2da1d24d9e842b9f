"""The repository URL lives in one place, ``repository: url`` of ``_config.yml``.

Everything else that names the repository is derived from it here:

* the Colab install cell (cell 1) of every chapter: ``pip install "actgram[data,certify] @ git+<url>"``
  (the extras a chapter needs: scikit-learn's data, python-flint for chapter 4's certificates);
* ``[project.urls]`` of ``pyproject.toml`` (the package metadata): Homepage (the published book),
  Source (the repository);
* the CI badge and the published-site link in the README's first screen;
* the Colab launch buttons (Jupyter Book builds them from ``_config.yml`` itself) and what the
  browser check expects of them (``tools/site_check.py`` reads ``_config.yml`` through
  :func:`repository_from_config`).

Usage::

    python tools/repo_url.py           # rewrite every derived place from _config.yml
    python tools/repo_url.py --check   # exit 1, listing the places that disagree (a unit test runs this)

To publish under a real URL: change the ``url:`` line of ``_config.yml``, run
``python tools/repo_url.py`` and commit.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"

CI_WORKFLOW = "ci.yml"  # .github/workflows/ci.yml: the badge shows its status on main


def repository_from_config(config: Path = CONFIG) -> tuple[str, str, str]:
    """(org, repo, branch) from ``repository: url/branch`` of _config.yml (a two-level YAML read by hand)."""
    text = config.read_text(encoding="utf-8")
    block = re.search(r"^repository:\s*\n((?:[ \t]+.*\n?)+)", text, flags=re.MULTILINE)
    if not block:
        raise SystemExit(f"{config}: no 'repository:' section")
    fields = dict(re.findall(r"^\s+(\w+):\s*\"?([^\"\n#]*?)\"?\s*(?:#.*)?$", block.group(1), flags=re.MULTILINE))
    url, branch = fields.get("url", ""), fields.get("branch", "main") or "main"
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", url)
    if not m:
        raise SystemExit(f"{config}: repository url {url!r} is not https://github.com/<org>/<repo>")
    return m.group(1), m.group(2), branch


def urls(config: Path = CONFIG) -> dict[str, str]:
    """Every URL derived from the repository: repo, site (GitHub Pages), badge and workflow page."""
    org, repo, branch = repository_from_config(config)
    base = f"https://github.com/{org}/{repo}"
    return {
        "repo": base,
        "branch": branch,
        "site": f"https://{org.lower()}.github.io/{repo}/",
        "badge": f"{base}/actions/workflows/{CI_WORKFLOW}/badge.svg?branch={branch}",
        "workflow": f"{base}/actions/workflows/{CI_WORKFLOW}",
    }


def install_cell(config: Path = CONFIG) -> str:
    """The first code cell of every chapter, exactly (``ACTGRAM_INSTALL`` lets a test or a
    scheduled run install another copy of the package the same way)."""
    u = urls(config)
    return (
        "# In Google Colab, install the book's package first; elsewhere this cell does nothing.\n"
        "import os\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f'    repo = "git+{u["repo"]}"\n'
        '    spec = os.environ.get("ACTGRAM_INSTALL", f"actgram[data,certify] @ {repo}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", spec], check=True)'
    )


def readme_header(config: Path = CONFIG) -> str:
    """The badge line and the site line of the README's first screen."""
    u = urls(config)
    return (
        f"[![CI]({u['badge']})]({u['workflow']}) "
        f"Read the book online: **<{u['site']}>** (built and published from `{u['branch']}` by "
        "`.github/workflows/deploy.yml`)."
    )


HEADER_RE = re.compile(r"^\[!\[CI\]\(.*\n", flags=re.MULTILINE)
URLS_RE = re.compile(r"^\[project\.urls\]\n(?:[^\[\n].*\n)*", flags=re.MULTILINE)


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def sync(root: Path = ROOT, write: bool = True) -> list[str]:
    """Bring every derived place under ``root`` in line with its _config.yml; return the places
    that differed (relative paths)."""
    config = root / "_config.yml"
    u = urls(config)
    stale: list[str] = []
    cell = install_cell(config)
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        if len(cells) < 2 or cells[1]["cell_type"] != "code":
            raise SystemExit(f"{path}: cell 1 must be the Colab install code cell")
        if _cell_source(cells[1]).rstrip("\n") != cell:
            stale.append(str(path.relative_to(root)))
            if write:
                cells[1]["source"] = _lines(cell)
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    block = f'[project.urls]\nHomepage = "{u["site"]}"\nSource = "{u["repo"]}"\n'
    pyproject, readme = root / "pyproject.toml", root / "README.md"
    text = pyproject.read_text(encoding="utf-8")
    m = URLS_RE.search(text)
    if m is None:
        raise SystemExit(f"{pyproject}: no [project.urls] table")
    if m.group(0) != block:
        stale.append("pyproject.toml")
        if write:
            pyproject.write_text(text[: m.start()] + block + text[m.end():], encoding="utf-8")
    text = readme.read_text(encoding="utf-8")
    header = readme_header(config) + "\n"
    m = HEADER_RE.search(text)
    if m is None:
        raise SystemExit(f"{readme}: no CI badge line ('[![CI](...') to keep in step")
    if m.group(0) != header:
        stale.append("README.md")
        if write:
            readme.write_text(text[: m.start()] + header + text[m.end():], encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report disagreements, change nothing")
    args = ap.parse_args(argv)
    stale = sync(write=not args.check)
    if args.check and stale:
        print("not derived from _config.yml's repository url (run python tools/repo_url.py):")
        print("\n".join(f"  {s}" for s in stale))
        return 1
    if stale:
        print("updated: " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
