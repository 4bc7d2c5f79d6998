"""Shared fixtures: the project root, the shared datasets, small images."""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

import pytest

from lic_bench.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _kb_cache_in_tmp(tmp_path_factory):
    """The parsed-records cache (lic_bench.kb._cache) of every test and of the processes
    they start goes to a temporary folder, not the user's ~/.cache."""
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


# -- running in parallel (pytest-xdist, ``-n 2``) ---------------------------------------------
#: Session fixtures that take seconds to a minute to build, and the unit of work of the files
#: that use them: each unit runs on one worker, so each fixture is built once.
_SHARED = {"tiny_study": "study", "built_site": "site", "living_site": "site", "tiny_run": "tiny-run"}


@functools.cache
def _unit_of_file(path: str) -> str:
    """A test file's unit of work: the unit of a shared fixture it names, else itself (so
    its module fixtures are built once)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    return next((unit for name, unit in _SHARED.items() if re.search(rf"\b{name}\b", text)), path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``-n 2``: whole units of work to each worker, the largest first (pytest-xdist's
    ``loadgroup`` marks are not seen under pytest 9, so the units are given here)."""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit_of_file(nodeid.split("::", 1)[0])

    return UnitScheduling(config, log)


def pytest_runtest_setup(item):
    """A worker of ``-n 2`` on a 2-core machine computes with one torch thread, as the
    pipeline tests already do (tests that need more set it themselves)."""
    torch = sys.modules.get("torch")
    if os.environ.get("PYTEST_XDIST_WORKER") and torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)
