"""Run the cells of a study that have no results file yet, locally or through submitit.

Launchers:

* ``local``: up to ``parallel`` worker processes at once (``python -m
  lic_bench.study.worker``), each with its own ``threads``; a cell's log is
  ``<runs>/<cell>.log``.
* ``slurm``: one submitit job per cell on a Slurm cluster (the study file's ``slurm:``
  section goes to ``update_parameters``); ``submitit-local`` is the same path through
  submitit's local executor, for a machine without Slurm and for the tests.

Stopping at any moment loses at most the running cells' progress since their last
checkpoint: the same command skips every cell whose results file exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_bench import safe_write
from lic_bench.errors import MissingDependencyError, UsageError
from lic_bench.study.grid import Cell, Study, cell_spec

LAUNCHERS = ("local", "slurm", "submitit-local")
_POLL_S = 0.5


@dataclass
class RunSummary:
    done_before: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # cell -> one-line reason

    def as_dict(self) -> dict[str, Any]:
        return {"skipped_existing": len(self.done_before), "ran": self.done, "failed": self.failed}


class Progress:
    """Cells done / running / left and an ETA from the mean wall time of finished cells."""

    def __init__(self, total: int, already: int, parallel: int, enabled: bool = True):
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=already, desc="study", unit="cell", dynamic_ncols=True,
                        disable=not enabled, bar_format="{desc}: {n}/{total} cells{postfix}")
        self.parallel, self.walls, self.running = max(parallel, 1), [], 0
        self.left = total - already
        self.update(0)

    def update(self, running: int, finished_wall: float | None = None) -> None:
        if finished_wall is not None:
            self.walls.append(finished_wall)
            self.left -= 1
            self.bar.update(1)
        self.running = running
        eta = "?"
        if self.walls:
            seconds = sum(self.walls) / len(self.walls) * self.left / min(self.parallel, max(self.left, 1))
            eta = time.strftime("%H:%M:%S", time.gmtime(seconds))
        self.bar.set_postfix_str(f"running {running}, left {self.left}, ETA {eta}")

    def close(self) -> None:
        self.bar.close()


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    errors = [ln for ln in lines if ln.startswith("error:")]
    return (errors or lines or ["no output"])[-1][:300]


def _die_with_parent() -> None:
    """In the worker, before exec: a killed ``study run`` takes its workers with it (Linux),
    so a rerun never finds an orphan still training the cell it starts again."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        # SIGKILL: Lightning handles SIGTERM itself and may carry on; results and
        # checkpoints of a killed cell are simply not there, so nothing is left half-made.
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_local(specs: list[dict], parallel: int, progress: Progress, summary: RunSummary) -> None:
    pending = list(specs)
    running: list[tuple[dict, subprocess.Popen, float, Path]] = []
    try:
        while pending or running:
            while pending and len(running) < parallel:
                spec = pending.pop(0)
                runs = Path(spec["runs"])
                runs.mkdir(parents=True, exist_ok=True)
                spec_path, log = runs / "cell.json", runs.with_suffix(".log")
                safe_write.write_text(spec_path, json.dumps(spec, indent=2), force=True)  # our own file
                env = dict(os.environ)
                if spec.get("threads"):  # the BLAS pools of a worker, not only torch's own
                    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(spec["threads"])
                with open(log, "ab") as fh:
                    proc = subprocess.Popen([sys.executable, "-m", "lic_bench.study.worker", str(spec_path)],
                                            stdout=fh, stderr=subprocess.STDOUT, env=env,
                                            preexec_fn=_die_with_parent)
                running.append((spec, proc, time.perf_counter(), log))
                progress.update(len(running))
            time.sleep(_POLL_S)
            for item in list(running):
                spec, proc, t0, log = item
                if proc.poll() is None:
                    continue
                running.remove(item)
                cid = spec["cell"]["id"]
                if proc.returncode == 0 and Path(spec["result"]).is_file():
                    summary.done.append(cid)
                    progress.update(len(running), time.perf_counter() - t0)
                else:
                    summary.failed[cid] = f"exit {proc.returncode}: {_last_line(log)} (log: {log})"
                    progress.update(len(running))
    finally:
        for _, proc, _, _ in running:  # interrupted: the workers stop with us
            proc.terminate()
        for _, proc, _, _ in running:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _run_submitit(specs: list[dict], cluster: str, folder: Path, params: dict[str, Any],
                  parallel: int, progress: Progress, summary: RunSummary) -> None:
    try:
        import submitit
    except ImportError as exc:
        raise MissingDependencyError("--launcher slurm needs submitit: pip install 'lic-bench[bench]'") from exc
    from lic_bench.study.worker import execute_cell

    if cluster == "slurm" and not _has_sbatch():
        raise UsageError("--launcher slurm: no sbatch on this machine (use --launcher local or submitit-local)")
    executor = submitit.AutoExecutor(folder=folder, cluster=cluster)
    try:
        executor.update_parameters(**{"timeout_min": 60, **params})
    except (TypeError, ValueError) as exc:
        raise UsageError(f"slurm parameters: {exc}") from None
    # Slurm queues every job itself; submitit's local executor would start them all at once.
    limit = parallel if cluster == "local" else len(specs)
    pending, waiting = list(specs), []
    while pending or waiting:
        while pending and len(waiting) < limit:
            spec = pending.pop(0)
            waiting.append((spec, executor.submit(execute_cell, spec), time.perf_counter()))
            progress.update(len(waiting))
        time.sleep(_POLL_S)
        for item in list(waiting):
            spec, job, t0 = item
            if not job.done():
                continue
            waiting.remove(item)
            cid = spec["cell"]["id"]
            try:
                job.result()
            except Exception as exc:  # noqa: BLE001 - a failed job is reported, the others go on
                text = str(exc).strip().splitlines()
                summary.failed[cid] = f"{(text or ['failed'])[-1][:300]} (logs: {folder})"
                progress.update(len(waiting))
                continue
            summary.done.append(cid)
            progress.update(len(waiting), time.perf_counter() - t0)


def _has_sbatch() -> bool:
    from shutil import which

    return which("sbatch") is not None


def pending_cells(cells: list[Cell], results_dir: Path) -> tuple[list[Cell], list[Cell]]:
    """(cells with a results file, cells without one)."""
    done = [c for c in cells if (results_dir / f"{c.id}.json").is_file()]
    return done, [c for c in cells if c not in done]


def run_study(study: Study, cells: list[Cell], *, results_dir: Path, runs_dir: Path, launcher: str = "local",
              parallel: int = 1, threads: int | None = None, progress: bool = True) -> RunSummary:
    """Run every cell that has no results file yet; return what happened."""
    if launcher not in LAUNCHERS:
        raise UsageError(f"unknown launcher {launcher!r}; use one of {', '.join(LAUNCHERS)}")
    if parallel < 1:
        raise UsageError("--parallel must be at least 1")
    done, todo = pending_cells(cells, results_dir)
    summary = RunSummary(done_before=[c.id for c in done])
    specs = [cell_spec(c, study, results_dir=results_dir, runs_dir=runs_dir, threads=threads) for c in todo]
    bar = Progress(len(done) + len(todo), len(done), parallel, enabled=progress)
    try:
        if launcher == "local":
            _run_local(specs, parallel, bar, summary)
        else:
            cluster = "slurm" if launcher == "slurm" else "local"
            _run_submitit(specs, cluster, runs_dir / "submitit", dict(study.slurm), parallel, bar, summary)
    finally:
        bar.close()
    return summary
