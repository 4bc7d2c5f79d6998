"""Fixtures of the study tests: a study file writer and one tiny real study, run once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

#: seconds-long cells: an 8-channel model, 4 steps on 64x64 crops, tested on 2 Kodak images
TINY_SETTINGS = {
    "model": {"N": 8, "M": 8},
    "data": {"batch_size": 2, "val_batch_size": 2, "num_workers": 0,
             "train": {"dataset": "bsds500", "split": "train", "transform": "random-crop", "patch_size": 64},
             "val": {"dataset": "bsds500", "split": "val", "transform": "center-crop", "patch_size": 64}},
    "trainer": {"max_steps": 4, "val_every_n_steps": 2, "limit_val_batches": 1, "enable_progress_bar": False},
    "checkpoint": {"every_n_steps": 2},
}


def write_study(folder: Path, **fields) -> Path:
    """A study file in ``folder`` over the cpu-mini protocol; ``fields`` replace the defaults."""
    doc = {"name": "tiny", "protocol": str(ROOT / "configs" / "protocols" / "cpu-mini.yaml"),
           "settings": TINY_SETTINGS, "anchor": "x265-bpg444", "dataset": "kodak", "test_limit": 2,
           "models": ["bmshj2018-factorized", "bmshj2018-hyperprior"],
           "rates": {"gain-units": [0.0018, 0.1]}, "seeds": [1, 2]}
    doc.update(fields)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc['name']}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def study_writer():
    return write_study


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory, shared_data):
    """2 models x 2 seeds (one gain-unit cell each), run for real in two goes.

    First ``lic-bench study run`` (local launcher) is killed (SIGKILL, the parent only:
    its workers must stop with it) as soon as its first cell has a result; then the same study is run again
    through submitit's local executor. Returns the paths and what the second run did.
    """
    pytest.importorskip("torch")
    pytest.importorskip("submitit")
    from lic_bench.study.grid import expand, load_study
    from lic_bench.study.runner import run_study

    tmp = tmp_path_factory.mktemp("study")
    path = write_study(tmp)
    results, runs = tmp / "results", tmp / "runs"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "lic_bench", "study", "run", str(path), "--results-dir", str(results),
           "--runs-dir", str(runs), "--threads", "1", "--no-progress"]
    first = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not list(results.glob("*.json")) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    while not _children(first.pid) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)  # kill while the next cell's worker is running
    workers = _children(first.pid)
    os.kill(first.pid, signal.SIGKILL)  # the parent only: its workers must follow it
    first.wait()
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = [w for w in workers if _alive(w)]
    if orphans:
        os.killpg(first.pid, signal.SIGKILL)
    killed_after = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    study = load_study(path)
    cells = expand(study)
    summary = run_study(study, cells, results_dir=results, runs_dir=runs, launcher="submitit-local",
                        parallel=2, threads=1, progress=False)
    return {"path": path, "results": results, "runs": runs, "cells": cells, "killed_after": killed_after,
            "summary": summary, "workers": workers, "orphans": orphans}


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status
