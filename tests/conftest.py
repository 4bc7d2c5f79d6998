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


# -- running in parallel (pytest-xdist, ``-n 2``) ---------------------------------------------
#: Session fixtures that take seconds to minutes; every file using one runs on one worker,
#: so each is built once (tiny study, built sites, the tiny training run).
_SHARED = {"tiny_study": "study", "built_site": "site", "living_site": "site", "tiny_run": "tiny-run"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """On an xdist worker (``-n 2 --dist loadgroup``), each test file is one unit of work
    (its module fixtures are built once), and files that share an expensive session
    fixture are one unit together."""
    if not hasattr(config, "workerinput"):
        return
    groups: dict[str, str] = {}
    for item in items:
        path = str(item.path.relative_to(ROOT))
        shared = next((_SHARED[f] for f in item.fixturenames if f in _SHARED), None)
        if shared or path not in groups:
            groups[path] = shared or groups.get(path) or path
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[str(item.path.relative_to(ROOT))]))


def pytest_runtest_setup(item):
    """A worker of ``-n 2`` on a 2-core machine computes with one torch thread, as the
    pipeline tests already do (tests that need more set it themselves)."""
    import os
    import sys

    torch = sys.modules.get("torch")
    if os.environ.get("PYTEST_XDIST_WORKER") and torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)
