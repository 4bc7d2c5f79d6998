"""`validate_kb` on the pass/fail fixture folders, the real knowledge base and the template."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lic_bench.kb import KnowledgeBaseError, Paper, Problem, load_kb, validate_kb

FAIL_CASES = ["fail-cycle", "fail-references", "fail-schema", "fail-taxonomy", "fail-yaml"]


def test_pass_fixture_has_no_problems(kb_fixtures: Path):
    assert validate_kb(kb_fixtures / "pass") == []


@pytest.mark.parametrize("case", FAIL_CASES)
def test_fail_fixture_reports_exact_lines(kb_fixtures: Path, case: str):
    expected = (kb_fixtures / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, "golden file must not be empty"
    assert [str(p) for p in validate_kb(kb_fixtures / case)] == expected


def test_problem_line_format():
    assert str(Problem("papers/x.yaml", "year", "bad")) == "papers/x.yaml: year: bad"


def test_strict_load_raises_and_lenient_load_keeps_sound_records(kb_fixtures: Path):
    with pytest.raises(KnowledgeBaseError, match="kb validate"):
        load_kb(kb_fixtures / "fail-cycle")
    kb = load_kb(kb_fixtures / "fail-schema", strict=False)
    assert set(kb.papers) == set()  # every paper there has a schema defect
    assert len(kb.problems) == 6
    kb = load_kb(kb_fixtures / "fail-references", strict=False)
    assert "baker2020-beta" in kb.papers and len(kb.components) == 9


def test_single_defects_in_a_copy(pass_root: Path):
    paper = pass_root / "papers" / "adams2018-alpha.yaml"
    paper.write_text(paper.read_text().replace("year: 2018", "year: 2999"))
    (pass_root / "papers" / "notes.txt").write_text("ignored: not a record")
    (pass_root / "papers" / "_draft.yaml").write_text("not: [valid")  # underscore files are skipped
    (pass_root / "papers" / "empty.yaml").write_text("")
    lines = [str(p) for p in validate_kb(pass_root)]
    assert lines[0].startswith("papers/adams2018-alpha.yaml: year: year 2999 is after ")
    assert "papers/empty.yaml: -: empty file" in lines
    # the other records still load, and the lost paper shows up as an unknown reference
    assert "papers/baker2020-beta.yaml: builds_on: unknown paper 'adams2018-alpha'" in lines
    assert len(lines) == 3


def test_duplicate_doi_is_reported(pass_root: Path):
    gamma = pass_root / "papers" / "clark2021-gamma.yaml"
    gamma.write_text(gamma.read_text() + "doi: 10.1109/tip.2020.0000001\n")
    assert [str(p) for p in validate_kb(pass_root)] == [
        "papers/clark2021-gamma.yaml: doi: same doi as papers/baker2020-beta.yaml"
    ]


def test_template_is_a_valid_record(project_root: Path):
    data = yaml.safe_load((project_root / "papers" / "_template.yaml").read_text(encoding="utf-8"))
    paper = Paper.model_validate(data)
    assert set(data) == set(Paper.model_fields), "the template must show every field"
    assert paper.arxiv == "1802.01436"


def test_real_knowledge_base_validates_clean(project_root: Path):
    problems = validate_kb(project_root)
    assert not problems, "\n".join(str(p) for p in problems)
