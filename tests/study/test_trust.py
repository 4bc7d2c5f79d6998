"""Issue 23: a shared study file is a file from elsewhere (checked unless --trust)."""

from __future__ import annotations

import time

from tests.cli_runner import run_cli as _run

EVIL_SWAP = {"model.class_path": "subprocess.Popen",
             "model.init_args": {"args": ["/bin/sh", "-c", "touch MARKER"]}}


def test_a_study_naming_code_is_refused_and_dry_run_says_so(tmp_path, study_writer):
    marker = tmp_path / "pwned"
    swap = {**EVIL_SWAP, "model.init_args": {"args": ["/bin/sh", "-c", f"touch {marker}"]}}
    study = study_writer(tmp_path, name="evil", models=["bmshj2018-factorized"], swaps=[{}, swap],
                         rates={"quality": [1]}, seeds=[1])
    results, runs = tmp_path / "results", tmp_path / "runs"
    dry = _run("study", "run", study, "--dry-run", "--results-dir", results)
    assert dry.returncode == 0, dry.stderr
    refused = [line for line in dry.stdout.splitlines() if line.startswith("REFUSED")]
    assert len(refused) == 1 and "model.class_path=" in refused[0], dry.stdout  # what the cell sets
    assert "outside lic-bench's registries" in dry.stdout and "1 refused without --trust" in dry.stderr
    proc = _run("study", "run", study, "--results-dir", results, "--runs-dir", runs)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "--trust" in err, err
    time.sleep(0.3)
    assert not marker.exists() and not runs.exists() and not results.exists()


def test_trust_restores_the_freedom_with_a_warning(tmp_path, study_writer):
    study = study_writer(tmp_path, name="trusted", models=["bmshj2018-factorized"],
                         swaps=[{"model.class_path": "collections.OrderedDict"}], settings={"trainer": {"max_steps": 1}},
                         rates={"quality": [1]}, seeds=[1])
    proc = _run("study", "run", study, "--dry-run", "--trust", "--results-dir", tmp_path / "r")
    assert proc.returncode == 0, proc.stderr
    assert "warning: --trust" in proc.stderr and "REFUSED" not in proc.stdout
    plain = _run("study", "run", study, "--dry-run", "--results-dir", tmp_path / "r")
    assert "REFUSED" in plain.stdout  # a class outside the registries, unless trusted


def test_registered_swaps_need_no_trust(tmp_path, study_writer):
    study = study_writer(tmp_path, name="fine", models=["bmshj2018-factorized"],
                         swaps=[{}, {"model.nonlinearity": "relu"}], rates={"quality": [1]}, seeds=[1])
    proc = _run("study", "run", study, "--dry-run", "--results-dir", tmp_path / "r")
    assert proc.returncode == 0, proc.stderr
    assert "REFUSED" not in proc.stdout and "refused" not in proc.stderr
