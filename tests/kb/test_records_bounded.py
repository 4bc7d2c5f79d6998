"""Issue 23: one bad record (a 5,000-digit year, a symlink out of the repository) is
reported and skipped; the rest of the knowledge base loads; `kb validate` fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lic_bench.kb._load import read_kb
from tests.cli_runner import run_cli


def _kb(tmp_path: Path, kb_fixtures: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(kb_fixtures / "pass", root)
    return root


def _validate(root: Path) -> subprocess.CompletedProcess:
    return run_cli("kb", "validate", "--root", root)


def test_a_huge_integer_is_one_problem_not_a_crash(tmp_path, kb_fixtures):
    root = _kb(tmp_path, kb_fixtures)
    before = read_kb(root)
    victim = sorted((root / "papers").glob("*.yaml"))[0]
    text = victim.read_text()
    year = next(line for line in text.splitlines() if line.startswith("year:"))
    victim.write_text(text.replace(year, "year: " + "9" * 5000))
    after = read_kb(root)
    assert [p for p in after.problems if p.file.endswith(victim.name)], after.problems
    assert {p.id for p in after.papers} == {p.id for p in before.papers} - {victim.stem}
    proc = _validate(root)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr + proc.stdout
    assert "5000 digits" in proc.stdout + proc.stderr


def test_a_record_symlinked_out_of_the_repository_is_refused(tmp_path, kb_fixtures):
    root = _kb(tmp_path, kb_fixtures)
    victim = sorted((root / "papers").glob("*.yaml"))[0]
    outside = tmp_path / "outside.yaml"
    shutil.move(victim, outside)
    victim.symlink_to(outside)
    result = read_kb(root)
    assert victim.stem not in {p.id for p in result.papers}
    assert any("symbolic link" in p.message for p in result.problems), result.problems
    assert _validate(root).returncode != 0
