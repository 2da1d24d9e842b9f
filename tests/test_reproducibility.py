"""Stored chapter outputs do not depend on the number of BLAS / OpenMP / torch threads.

`make test` runs nbval with the machine's default thread count; this test re-runs every
chapter under nbval with one thread for every library and requires the same stored outputs.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(str(p) for p in (ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.skipif(not CHAPTERS, reason="no chapters")
def test_chapters_with_one_thread():
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = "1"
    env.pop("ACTGRAM_FULL", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "--nbval", *CHAPTERS,
           "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), "--nbval-current-env",
           "-p", "no:cacheprovider"]
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
