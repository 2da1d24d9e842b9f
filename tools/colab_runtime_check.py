"""Run every chapter the way a Colab user does, inside Colab's own runtime image.

Used by ``.github/workflows/colab.yml``, which starts this script in the container image
``us-docker.pkg.dev/colab-images/public/runtime`` (Colab's Python, numpy, torch, ...). For each
chapter: ``actgram`` is uninstalled, the chapter is copied alone into an empty folder (a Colab user
has no ``data/`` folder beside the notebook), and it is executed top to bottom in a kernel in which
``google.colab`` is imported at start-up, as on Colab, so that the chapter's own first cell runs its
``pip install`` (of ``ACTGRAM_INSTALL`` when that is set, for example the git URL pinned at the
commit under test; else of the repository URL written in the cell). A probe cell appended to the
copy reports where ``actgram`` was imported from.

Writes a Markdown table (chapter | result | seconds | where actgram came from) to ``--summary``
(``$GITHUB_STEP_SUMMARY`` in the workflow) and exits 1 when any chapter fails.

    python tools/colab_runtime_check.py [--timeout 1800] [--summary FILE] chapters/*.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "colab" / "run_notebook.py"

# Imported by every kernel at start-up. On Colab's image google.colab is the real package; where it
# is missing (a local dry run) a stub stands in, so the install cell still takes its Colab branch.
STARTUP = """\
import sys, types
try:
    import google.colab  # noqa: F401
except Exception:
    sys.modules.setdefault("google.colab", types.ModuleType("google.colab"))
"""


def _install_startup(ipython_dir: Path) -> None:
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-colab.py").write_text(STARTUP, encoding="utf-8")


def run_chapter(chapter: Path, kernel: str, timeout: int, env: dict[str, str], uninstall: bool = True) -> dict:
    """Execute one chapter alone in a fresh folder; return its result row."""
    if uninstall:  # a fresh runtime: the chapter's first cell installs actgram itself
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", "actgram"],
                       env=env, capture_output=True, check=False)
    with tempfile.TemporaryDirectory(prefix="colab-") as tmp:
        copy = Path(tmp) / chapter.name
        shutil.copy(chapter, copy)
        start = time.perf_counter()
        res = subprocess.run([sys.executable, str(RUNNER), str(copy), kernel, str(timeout)],
                             env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    probe = next((json.loads(line[len("COLAB-PROBE "):]) for line in res.stdout.splitlines()
                  if line.startswith("COLAB-PROBE ")), {})
    return {
        "chapter": chapter.stem,
        "ok": res.returncode == 0,
        "seconds": round(seconds, 1),
        "actgram": probe.get("direct_url", {}).get("url", probe.get("actgram_file", "?")),
        "error": "" if res.returncode == 0 else (res.stderr or res.stdout)[-3000:],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run chapters as on Colab's runtime.")
    ap.add_argument("chapters", nargs="+", type=Path)
    ap.add_argument("--kernel", default="python3")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    ap.add_argument("--summary", type=Path, default=None)
    ap.add_argument("--no-uninstall", action="store_true",
                    help="keep an installed actgram (the tool's own test; not for the Colab run)")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    env.pop("ACTGRAM_FULL", None)  # the small scale, as the stored outputs
    ipython_dir = Path(tempfile.mkdtemp(prefix="colab-ipython-"))
    _install_startup(ipython_dir)
    env["IPYTHONDIR"] = str(ipython_dir)
    rows = []
    for chapter in args.chapters:
        row = run_chapter(chapter, args.kernel, args.timeout, env, uninstall=not args.no_uninstall)
        print(f"{row['chapter']}: {'ok' if row['ok'] else 'FAILED'} in {row['seconds']} s", flush=True)
        if not row["ok"]:
            print(row["error"], file=sys.stderr)
        rows.append(row)
    failed = [r["chapter"] for r in rows if not r["ok"]]
    lines = [f"Python {sys.version.split()[0]}; {len(rows) - len(failed)} of {len(rows)} chapters ran.",
             "", "| chapter | result | seconds | actgram from |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['chapter']} | {'ok' if r['ok'] else 'failed'} | {r['seconds']} | {r['actgram']} |"
              for r in rows]
    text = "\n".join(lines) + "\n"
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as fh:
            fh.write(text)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
