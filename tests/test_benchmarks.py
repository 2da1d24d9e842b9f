"""The benchmark scripts run end to end (their --quick modes) and write what the appendix reads.

`benchmarks/gpu_run.py` cannot be measured here (no GPU); its `--quick --allow-cpu` mode exercises the
same code path on the CPU, and the appendix's own GPU cell is executed on its output, so a GPU file
written by the real run will be read by the book without a change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

pytestmark = pytest.mark.heavy  # the scripts' quick modes: about 40 s, run by make test-heavy

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def _run(args, tmp_path):
    proc = subprocess.run([sys.executable, *args, "--out", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc.stdout


def test_cpu_table_quick(tmp_path):
    out = _run([str(BENCH / "run.py"), "--quick", "--no-nt"], tmp_path)
    assert "total" in out
    (path,) = tmp_path.glob("cpu_quick_*.json")
    res = json.loads(path.read_text())
    S = res["sections"]
    assert set(S) == {"A_kernels_vs_nt", "B_monte_carlo", "C_lambda_min_vs_eigvalsh", "D_trainer", "E_matrix_free",
                      "F_speed_targets"}
    # without neural-tangents no ratio against it is invented
    assert all("speedup_tanh" not in row for row in S["A_kernels_vs_nt"])
    # actgram's entries meet the stated 1e-14 against the mpmath references
    assert all(row["actgram_tanh_err"] <= 1e-14 and row["actgram_relu_err"] <= 1e-14 for row in S["A_kernels_vs_nt"])
    # the trainer section's columns are there (at the quick sizes, two steps of a tiny net, the
    # times are noise: the fraction is asserted on the real run, in the appendix)
    assert all({"steps_per_second", "bare_matmul_gflops", "fraction_of_bare_matmul"} <= set(row)
               for row in S["D_trainer"])
    e = S["E_matrix_free"]
    assert e["abs_difference"] <= e["residual"] + e["floor"]
    assert (tmp_path / path.name.replace(".json", ".csv")).exists()
    # the speed section: ns per entry of the fused route, the numpy route and the bare product,
    # and the accuracy target (the nt ratios need nt, absent here: not invented)
    f = S["F_speed_targets"]
    assert all(r["tanh_ns_per_entry"] > 0 and r["numpy_route_tanh_ns_per_entry"] > 0 and r["matmul_ns_per_entry"] > 0
               for r in f["rows"])
    assert f["targets"]["accuracy"]["met"]
    assert "speedup_tanh_vs_nt_n400" not in f["targets"]


def test_cpu_table_partial_run_takes_other_sections_over(tmp_path):
    """--sections F re-measures one section and names the file the others come from."""
    _run([str(BENCH / "run.py"), "--quick", "--no-nt", "--sections", "A"], tmp_path)
    (first,) = tmp_path.glob("cpu_quick_*.json")
    first.rename(tmp_path / "cpu_quick_2000-01-01.json")
    _run([str(BENCH / "run.py"), "--quick", "--no-nt", "--sections", "F"], tmp_path)
    res = json.loads(sorted(tmp_path.glob("cpu_quick_*.json"))[-1].read_text())
    assert set(res["sections"]) >= {"A_kernels_vs_nt", "F_speed_targets"}
    assert res["sections_from"]["A_kernels_vs_nt"].startswith("cpu_quick_2000-01-01.json")
    assert "F_speed_targets" not in res["sections_from"]


def test_peer_suite_quick(tmp_path):
    """The peer suite's quick mode (five cases, without nt): every built-in case within 1e-12 of
    its mpmath reference, and the fields the appendix reads are there."""
    _run([str(BENCH / "peer_nt.py"), "--quick", "--no-nt"], tmp_path)
    res = json.loads((tmp_path / "peer_nt_quick.json").read_text())
    assert res["n_points"] == 67 and len(res["cases"]) == 5
    for c in res["cases"]:
        assert {"family", "label", "actgram_path", "actgram_first_call_s", "K", "G"} <= set(c)
        if c["actgram_path"].startswith("name"):
            assert c["K"]["actgram_err"] <= 1e-12 and c["G"]["actgram_err"] <= 1e-12, c


def test_gpu_script_on_cpu_and_the_appendix_reads_it(tmp_path):
    _run([str(BENCH / "gpu_run.py"), "--quick", "--allow-cpu"], tmp_path)
    (path,) = tmp_path.glob("gpu_*_quick.json")
    g = json.loads(path.read_text())
    for act in ("relu", "tanh"):
        assert g["dense"][act]["ratio_to_bare_eigvalsh"] > 0
    assert len(g["trainer"]) == 2 and g["matrix_free"]["reported"][0]
    # execute the appendix's GPU cell on this file (the cell that prints GPU results)
    nb = nbformat.read(ROOT / "chapters" / "appendix_full_scale.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "for name in gpu_names" in c.source]
    printed = []
    env = {"json": json, "pd": pd, "RESULTS": tmp_path, "gpu_names": [path.name],
           "print": lambda *a, **k: printed.append(" ".join(map(str, a)))}
    exec(compile(cell.source, "appendix-gpu-cell", "exec"), env)  # noqa: S102 (our own notebook)
    text = "\n".join(printed)
    assert "gram_inf + lambda_min" in text and "matrix-free n = 1200" in text


def test_gpu_script_refuses_without_cuda(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    proc = subprocess.run([sys.executable, str(BENCH / "gpu_run.py"), "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "no CUDA device" in proc.stderr


def test_gpu_script_sections_merge_into_one_file(tmp_path):
    """Sections run by separate calls (to fit a per-command time limit) end up in one day's file."""
    _run([str(BENCH / "gpu_run.py"), "--quick", "--allow-cpu", "--sections", "dense"], tmp_path)
    (path,) = tmp_path.glob("gpu_*_quick.json")
    assert set(json.loads(path.read_text())) >= {"dense"} and "trainer" not in json.loads(path.read_text())
    _run([str(BENCH / "gpu_run.py"), "--quick", "--allow-cpu", "--sections", "train,large"], tmp_path)
    g = json.loads(path.read_text())
    assert {"dense", "trainer", "matrix_free"} <= set(g)
    proc = subprocess.run([sys.executable, str(BENCH / "gpu_run.py"), "--quick", "--allow-cpu", "--sections", "gpu"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "--sections takes" in proc.stderr
