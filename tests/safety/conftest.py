"""Helpers of the safety tests: hostile files, `lic-bench` in this process (the console
entry point, :func:`tests.cli_runner.run_cli`) and in a real one, as a user runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import lic_bench_process, run_cli

pytest.importorskip("torch")

#: ``lic-bench ARGS`` in this process, for most tests; :func:`lic_bench_process` starts a
#: real one where the test is about the process a user runs.
lic_bench = run_cli
__all__ = ["lic_bench", "lic_bench_process", "assert_one_line_error", "evil_config"]


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0, proc.stdout
    err = proc.stderr.strip()
    assert "Traceback" not in err, err
    assert err.count("\n") == 0 and err.startswith("error:"), err
    for needle in needles:
        assert needle in err, err


def evil_config(marker: Path) -> dict:
    """A model config that would start a shell which creates ``marker``, if anything
    imported and called the class it names."""
    return {
        "name": "bmshj2018-factorized",
        "class_path": "subprocess.Popen",
        "init_args": {"args": ["/bin/sh", "-c", f"touch {marker}"]},
    }
