"""Shared fixtures: the project root, the shared datasets, small images."""

from __future__ import annotations

from pathlib import Path

import pytest

from lic_bench.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _kb_cache_in_tmp(tmp_path_factory):
    """The parsed-records cache (lic_bench.kb._cache) of every test and of the processes
    they start goes to a temporary folder, not the user's ~/.cache."""
    import os

    os.environ["LIC_BENCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("lic-bench-cache"))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = data_dir()
    if not (path / "kodak").is_dir():
        pytest.skip(f"shared datasets not found at {path}")
    return path


@pytest.fixture(scope="session")
def kodak_dir(shared_data: Path) -> Path:
    return shared_data / "kodak"
