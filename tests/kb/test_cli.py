"""`lic-bench kb ...` through typer's CliRunner: output formats and error exits."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lic_bench.cli import app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run(runner, *args):
    return runner.invoke(app, ["kb", *[str(a) for a in args]])


def test_validate_ok(runner, kb_fixtures: Path):
    result = run(runner, "validate", "--root", kb_fixtures / "pass")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 9 components in 2 areas, 5 papers, 4 builds_on links"


def test_validate_failure_lists_problem_lines(runner, kb_fixtures: Path):
    result = run(runner, "validate", "--root", kb_fixtures / "fail-cycle")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == (kb_fixtures / "fail-cycle" / "expected.txt").read_text().splitlines()
    assert "Traceback" not in result.output
    assert result.stderr.strip() == "2 problem(s) found"


def test_papers_json_and_csv(runner, kb_fixtures: Path):
    root = kb_fixtures / "pass"
    result = run(runner, "papers", "--component", "quantization", "--since", "2019", "-f", "json", "--root", root)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == ["baker2020-beta", "davis2022-delta"]
    result = run(runner, "papers", "--search", "beta", "--format", "csv", "--root", root)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["baker2020-beta"]
    assert rows[0]["components"] == "autoregressive-context; uniform-quantization"


def test_papers_table(runner, kb_fixtures: Path):
    result = run(runner, "papers", "--until", "2018", "--root", kb_fixtures / "pass")
    assert result.exit_code == 0
    assert "adams2018-alpha" in result.stdout and "baker2020" not in result.stdout


def test_unknown_component_is_one_line_error(runner, kb_fixtures: Path):
    result = run(runner, "papers", "--component", "checkerbord", "--root", kb_fixtures / "pass")
    assert result.exit_code == 2
    assert result.stderr == "error: unknown component 'checkerbord' (did you mean: checkerboard?)\n"
    assert result.stdout == ""


def test_bad_year_range_and_bad_grouping(runner, kb_fixtures: Path):
    root = kb_fixtures / "pass"
    result = run(runner, "papers", "--since", "2022", "--until", "2020", "--root", root)
    assert result.exit_code == 2 and result.stderr.startswith("error: --since 2022 is after")
    result = run(runner, "trends", "--by", "venue", "--root", root)
    assert result.exit_code == 2 and result.stderr.startswith("error: trends can group by")


def test_components_and_trends(runner, kb_fixtures: Path):
    root = kb_fixtures / "pass"
    comps = json.loads(run(runner, "components", "-f", "json", "--root", root).stdout)
    assert [c["id"] for c in comps][:2] == ["quantization", "scalar-quantization"]
    rows = json.loads(run(runner, "trends", "-f", "json", "--root", root).stdout)
    assert {"group": "context-models", "year": 2020, "count": 1} in rows


def test_graph_command(runner, kb_fixtures: Path, tmp_path: Path):
    out = tmp_path / "g.gexf"
    result = run(runner, "graph", "-o", out, "--root", kb_fixtures / "pass")
    assert result.exit_code == 0 and out.is_file()
    result = run(runner, "graph", "-o", tmp_path / "g.png", "--root", kb_fixtures / "pass")
    assert result.exit_code == 2
    assert "cannot tell the graph format from 'g.png'" in result.stderr
    assert not (tmp_path / "g.png").exists()


def test_missing_root_is_an_error(runner, tmp_path: Path):
    result = run(runner, "papers", "--root", tmp_path / "nowhere")
    assert result.exit_code == 2 and "is not a folder" in result.stderr


@pytest.mark.parametrize("command", [["papers"], ["components"], ["trends"], ["bibtex", "export"]])
def test_queries_refuse_a_knowledge_base_with_problems(runner, kb_fixtures: Path, command):
    """Dropping the bad records and answering anyway would hide papers: exit 1 instead."""
    root = kb_fixtures / "fail-references"
    expected = (root / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run(runner, *command, "--root", root)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected  # one line per problem, as `kb validate` prints them
    assert lines[-1].startswith(f"error: the knowledge base has {len(expected)} problem(s)")
    assert "Traceback" not in result.output
