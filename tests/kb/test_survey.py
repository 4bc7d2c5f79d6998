"""Survey views: `--survey ferrari2025-registry` gives the thesis's selection and years.

The thesis (seed 000, §8.1 RQ3) counts, for 2016–2018: seven publications on
quantization, three on architectural archetypes, five on hierarchical priors, one on
context models and one on variable rate.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lic_bench.cli import app
from lic_bench.errors import UsageError
from lic_bench.kb import load_kb, papers_table, trends

SURVEY = "ferrari2025-registry"
THESIS_2016_2018 = {
    "quantization": 7,
    "architectural-archetypes": 3,
    "hierarchical-priors": 5,
    "context-models": 1,
    "variable-rate": 1,
}


def _per_area(kb, since=2016, until=2018) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in trends(kb, by="area", since=since, until=until):
        counts[row["group"]] += row["count"]
    return dict(counts)


@pytest.fixture(scope="module")
def survey_root(kb_fixtures: Path) -> Path:
    return kb_fixtures / "survey"


def test_survey_fixture_reproduces_the_thesis_counts(survey_root: Path):
    kb = load_kb(survey_root)
    assert _per_area(kb.survey_view(SURVEY)) == THESIS_2016_2018
    # the default view uses the corrected year: mentzer2018-conditional (CVPR 2018)
    # joins hierarchical priors, so the counts differ from the thesis's
    assert _per_area(kb)["hierarchical-priors"] == 6


def test_survey_view_takes_the_survey_years_and_selection(survey_root: Path):
    kb = load_kb(survey_root)
    view = kb.survey_view(SURVEY)
    assert SURVEY in kb.papers and SURVEY not in view.papers  # no entry for itself
    assert view.papers["mentzer2018-conditional"].year == 2019
    assert kb.papers["mentzer2018-conditional"].year == 2018
    assert view.papers["vandenoord2017-neural"].year == 2018
    # a former id names the survey as well as its current id does
    assert kb.survey_view(SURVEY).papers.keys() == view.papers.keys()
    rows = papers_table(view, since=2019, until=2019)
    assert "mentzer2018-conditional" in [r["id"] for r in rows]


def test_survey_view_components_override(pass_root: Path):
    alpha = pass_root / "papers" / "adams2018-alpha.yaml"
    alpha.write_text(
        alpha.read_text()
        + "surveys:\n  evans2023-epsilon:\n    year: 2019\n    components: [checkerboard]\n"
    )
    beta = pass_root / "papers" / "baker2020-beta.yaml"
    beta.write_text(beta.read_text() + "surveys: {evans2023-epsilon: {tables: ['2']}}\n")
    kb = load_kb(pass_root)
    view = kb.survey_view("evans2023-epsilon")
    assert list(view.papers) == ["adams2018-alpha", "baker2020-beta"]
    assert view.papers["adams2018-alpha"].components == ["checkerboard"]
    assert view.papers["baker2020-beta"].components == kb.papers["baker2020-beta"].components
    assert kb.surveys() == {"evans2023-epsilon": 2}
    runner = CliRunner()
    out = runner.invoke(
        app, ["kb", "trends", "--survey", "evans2023-epsilon", "--format", "json", "--root", str(pass_root)]
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {"group": "context-models", "year": 2019, "count": 1} in rows
    out = runner.invoke(
        app, ["kb", "papers", "--survey", "evans2023-epsilon", "--format", "json", "--root", str(pass_root)]
    )
    assert [(r["id"], r["year"]) for r in json.loads(out.stdout)] == [
        ("adams2018-alpha", 2019), ("baker2020-beta", 2020)
    ]
    for survey, message in (("evans2023-epsilonn", "unknown survey record"), ("clark2021-gamma", "no paper carries")):
        out = runner.invoke(app, ["kb", "trends", "--survey", survey, "--root", str(pass_root)])
        assert out.exit_code == 2 and message in out.output


def test_committed_kb_survey_reproduces_the_thesis_counts(project_root: Path):
    """Runs once the records carry `surveys.ferrari2025-registry` entries (the records branch)."""
    kb = load_kb(project_root)
    if not kb.surveys().get(SURVEY):
        pytest.skip(f"no record carries a surveys.{SURVEY} entry yet")
    assert _per_area(kb.survey_view(SURVEY)) == THESIS_2016_2018


def test_unknown_survey_raises_usage_error(survey_root: Path):
    with pytest.raises(UsageError):
        load_kb(survey_root).survey_view("nobody2020-survey")
