"""Helpers of the safety tests: hostile files and a real `lic-bench` process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")


def lic_bench(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("lic-bench")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


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
