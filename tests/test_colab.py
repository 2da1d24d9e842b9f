"""Colab: every chapter starts with the shared install cell and runs top to bottom on a fresh runtime.

We cannot run Google Colab here, so ``test_chapter_runs_in_colab_emulation`` emulates a fresh Colab
runtime as closely as this machine allows:

* a fresh virtual environment (outside the repository, under ``$XDG_CACHE_HOME`` or ``~/.cache``)
  that holds ONLY the package's declared dependencies (``[project] dependencies`` of pyproject.toml
  plus the ``data`` extra; not the pinned requirements.txt, so the newest releases pip finds are
  used, as Colab has its own recent numpy / torch), plus what Colab itself always has to run a
  notebook (ipykernel, nbclient). ``torch==2.13.0`` is installed first so that pip takes the CPU
  wheel from local disk instead of a multi-GB CUDA build;
* a kernel whose ``google.colab`` is a stub module on that kernel's path only, imported at kernel
  start-up (as Colab's runtime does), so the chapter's first cell really runs ``pip install``;
* ``ACTGRAM_INSTALL`` pointing at a wheel freshly built from this working tree (a non-editable
  install, as pip does from the git URL in Colab, but from disk: there is no network);
* each chapter copied alone to a temporary directory outside the repository (Colab has no
  ``data/`` folder next to the notebook) and executed there with nbclient at the small scale,
  one kernel per chapter; ``actgram`` is uninstalled before each chapter, so every chapter
  installs it itself as on a fresh runtime. A probe cell appended to the copy checks that
  ``actgram`` was imported from the emulation venv's site-packages, installed from the wheel.

Differences from Colab that remain: Colab runs Python 3.13, this machine has only Python 3.11; Colab
has many more packages preinstalled (the emulation is stricter there); no GPU here.

The venv is cached between runs, keyed on the dependency lists of pyproject.toml and the Python
version (a stamp file is written only after a complete install; ``ACTGRAM_COLAB_FRESH=1`` forces a
rebuild). That is safe because the only package a chapter installs, actgram, is removed before every
chapter. ``ACTGRAM_SKIP_COLAB=1`` skips the emulation (minutes) for quick local runs; CI does not set
it. Measured on the 2-core machine: about 2 minutes to create the venv, then each chapter's own run
time plus a few seconds for the install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
RUNNER = Path(__file__).resolve().parent / "colab" / "run_notebook.py"

# The first code cell of every chapter, exactly (cell 1, after the title cell): derived from the
# repository URL in _config.yml by tools/repo_url.py, the one place that URL is written.
_spec = importlib.util.spec_from_file_location("repo_url", ROOT / "tools" / "repo_url.py")
repo_url = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(repo_url)
INSTALL_CELL = repo_url.install_cell()

# The chapters that ask Colab for a GPU runtime (notebook metadata below). The one place to list them;
# docs/set_colab_gpu.py sets the metadata on these files.
GPU_CHAPTERS = ("ch09_speed", "ch10_digits", "appendix_full_scale")
GPU_METADATA = {"accelerator": "GPU", "colab": {"gpuType": "T4"}}

EXTRAS = ("data", "certify")  # the extras the install cell asks for (tools/repo_url.py)
TORCH_PIN = "torch==2.13.0"  # the CPU wheel on local disk (see the module docstring)
COLAB_ALWAYS = ("ipykernel", "nbclient")  # what Colab always has to run notebooks
KERNEL = "actgram-colab-emulation"
CHAPTER_TIMEOUT_S = 900  # per chapter; small mode is meant to take well under 2 minutes


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


# --------------------------------------------------------------------------- cheap checks


def test_install_cell_asks_for_the_emulated_extras() -> None:
    # The emulation installs what the cell asks for; a chapter needing an extra the cell does not
    # name (python-flint for chapter 4) would pass here and fail on Colab.
    assert f"actgram[{','.join(EXTRAS)}] @" in INSTALL_CELL


def test_chapters_found() -> None:
    assert len(CHAPTERS) >= 7, f"expected the book's chapters under chapters/, found {CHAPTERS}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_colab_install_cell(chapter: Path) -> None:
    cells = _load(chapter)["cells"]
    assert len(cells) >= 2 and cells[0]["cell_type"] == "markdown", f"{chapter.name}: cell 0 must be the title"
    cell = cells[1]
    assert cell["cell_type"] == "code", f"{chapter.name}: cell 1 must be the Colab install code cell"
    assert _source(cell).rstrip("\n") == INSTALL_CELL, (
        f"{chapter.name}: cell 1 differs from the shared Colab install cell (run python tools/repo_url.py)"
    )
    assert not cell.get("outputs"), f"{chapter.name}: the Colab install cell must have no stored output"


@pytest.mark.parametrize("name", GPU_CHAPTERS)
def test_gpu_chapters_ask_colab_for_a_gpu(name: str) -> None:
    path = ROOT / "chapters" / f"{name}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.name} is not in the repository yet")
    meta = _load(path)["metadata"]
    assert meta.get("accelerator") == "GPU", f"{path.name}: metadata 'accelerator' must be 'GPU'"
    assert meta.get("colab", {}).get("gpuType") == "T4", f"{path.name}: metadata colab.gpuType must be 'T4'"


def test_only_gpu_chapters_ask_for_a_gpu() -> None:
    extra = [p.name for p in CHAPTERS if p.stem not in GPU_CHAPTERS and "accelerator" in _load(p)["metadata"]]
    assert not extra, f"GPU metadata on chapters not listed in GPU_CHAPTERS: {extra}"


# --------------------------------------------------------------------------- the emulation


def _venv_key() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    spec = {
        "python": list(sys.version_info[:2]),
        "deps": project.get("dependencies", []),
        "extras": [project.get("optional-dependencies", {}).get(x, []) for x in EXTRAS],
        "always": [TORCH_PIN, *COLAB_ALWAYS],
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _declared_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return [*project.get("dependencies", []), *(req for x in EXTRAS for req in extras.get(x, []))]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def _colab_venv() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "actgram-colab"
    venv = cache / f"venv-{_venv_key()}"
    stamp = venv / ".complete"
    if stamp.exists() and os.environ.get("ACTGRAM_COLAB_FRESH") != "1":
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "venv", str(venv)])
    py = str(venv / "bin" / "python")
    _run([py, "-m", "pip", "install", "-q", TORCH_PIN], timeout=1800)
    _run([py, "-m", "pip", "install", "-q", *_declared_requirements(), *COLAB_ALWAYS], timeout=1800)
    stamp.write_text(json.dumps({"requirements": _declared_requirements(), "created": time.time()}))
    return venv


def _build_wheel(py: str, work: Path) -> Path:
    """A wheel of this working tree, built from a copy (so no build files land in the repository)."""
    src = work / "pkg"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    wheels = work / "wheels"
    _run([py, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)], timeout=600)
    (wheel,) = wheels.glob("actgram-*.whl")
    return wheel


@pytest.fixture(scope="module")
def colab(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if os.environ.get("ACTGRAM_SKIP_COLAB") == "1":
        pytest.skip("ACTGRAM_SKIP_COLAB=1")
    start = time.monotonic()
    venv = _colab_venv()
    py = str(venv / "bin" / "python")
    work = tmp_path_factory.mktemp("colab")
    wheel = _build_wheel(py, work)
    # google.colab exists in this kernel only: a stub package on the kernel's PYTHONPATH, imported at
    # start-up by an IPython startup file (Colab's runtime imports google.colab before any cell runs).
    stub = work / "stub"
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "colab" / "__init__.py").write_text('"""Stub of google.colab for the Colab emulation."""\n')
    ipython = work / "ipython"
    (ipython / "profile_default" / "startup").mkdir(parents=True)
    (ipython / "profile_default" / "startup" / "00-colab.py").write_text("import google.colab  # noqa: F401\n")
    jupyter = work / "jupyter"
    (jupyter / "kernels" / KERNEL).mkdir(parents=True)
    kernel = {
        "argv": [py, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab emulation",
        "language": "python",
        "env": {"PYTHONPATH": str(stub), "IPYTHONDIR": str(ipython)},
    }
    (jupyter / "kernels" / KERNEL / "kernel.json").write_text(json.dumps(kernel))
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(work)),
        "JUPYTER_PATH": str(jupyter),
        "JUPYTER_DATA_DIR": str(work / "jupyter-data"),
        "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
        "MPLCONFIGDIR": str(work / "mpl"),
        "ACTGRAM_INSTALL": f"actgram[{','.join(EXTRAS)}] @ {wheel.as_uri()}",
        "PYTHONHASHSEED": "0",
    }
    for var in ("LANG", "LC_ALL", "TMPDIR", "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT"):
        if var in os.environ:
            env[var] = os.environ[var]
    print(f"Colab emulation: venv {venv}, wheel {wheel.name}, set up in {time.monotonic() - start:.0f} s")
    return {"py": py, "venv": venv, "wheel": wheel, "env": env, "work": work}


@pytest.mark.heavy
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_colab_emulation(chapter: Path, colab: dict) -> None:
    py, env = colab["py"], colab["env"]
    # A fresh runtime: actgram is not installed until the chapter's first cell installs it.
    subprocess.run([py, "-m", "pip", "uninstall", "-q", "-y", "actgram"], capture_output=True, check=False)
    where = colab["work"] / chapter.stem
    where.mkdir()
    copy = where / chapter.name
    shutil.copy2(chapter, copy)  # the notebook alone, outside the repository
    start = time.monotonic()
    res = subprocess.run(
        [py, str(RUNNER), str(copy), KERNEL, str(CHAPTER_TIMEOUT_S)],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHAPTER_TIMEOUT_S + 300,
    )
    elapsed = time.monotonic() - start
    print(f"{chapter.name}: {elapsed:.0f} s in the Colab emulation")
    assert res.returncode == 0, f"{chapter.name} failed in the Colab emulation:\n{res.stderr[-6000:]}"
    probes = [line for line in res.stdout.splitlines() if line.startswith("COLAB-PROBE ")]
    assert probes, f"{chapter.name}: the probe cell printed nothing:\n{res.stdout[-2000:]}"
    probe = json.loads(probes[-1].removeprefix("COLAB-PROBE "))
    assert probe["colab_stub"], "google.colab was not imported in the kernel: the install cell did not run"
    assert Path(probe["prefix"]).resolve() == Path(colab["venv"]).resolve(), probe
    assert str(ROOT) not in probe["actgram_file"], f"actgram was imported from the repository: {probe}"
    assert "site-packages" in probe["actgram_file"], probe
    assert probe["direct_url"].get("url") == colab["wheel"].as_uri(), f"actgram not installed from the wheel: {probe}"
