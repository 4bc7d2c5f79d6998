"""Fixtures for the knowledge-base tests: the fixture folders and copies of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kb"


@pytest.fixture(scope="session")
def kb_fixtures() -> Path:
    return FIXTURES


@pytest.fixture()
def pass_root(tmp_path: Path) -> Path:
    """A writable copy of the passing fixture knowledge base."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURES / "pass", root)
    return root


@pytest.fixture()
def repo_copy(tmp_path: Path, project_root: Path) -> Path:
    """A writable copy of the real taxonomy/ and papers/."""
    root = tmp_path / "repo"
    for sub in ("taxonomy", "papers"):
        shutil.copytree(project_root / sub, root / sub)
    return root
