"""Stored chapter outputs do not depend on the number of BLAS / OpenMP / torch threads.

`make test` runs nbval with one thread per library (two chapters at a time, one per core); this
test, part of `make test-heavy`, re-runs every chapter under nbval with the machine's default
thread counts and requires the same stored outputs. Together they check both settings.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(str(p) for p in (ROOT / "chapters").glob("*.ipynb"))
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@pytest.mark.heavy
@pytest.mark.skipif(not CHAPTERS, reason="no chapters")
def test_chapters_with_default_threads():
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS and k != "ACTGRAM_FULL"}
    cmd = [sys.executable, "-m", "pytest", "-q", "--nbval", *CHAPTERS,
           "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), "--nbval-current-env",
           "-p", "no:cacheprovider"]
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
