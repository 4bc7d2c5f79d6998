"""The `verified:` rules of issue #25: primary sources per field, coverage, preprints."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
import yaml

from lic_bench.kb import Paper, validate_kb
from lic_bench.kb._verified import verified_problems
from lic_bench.kb.sources import is_search_url, primary_problem, source_kind

ABS = "https://arxiv.org/abs/2301.00001"
CVF = "https://openaccess.thecvf.com/content/CVPR2023/html/Adams_Alpha_CVPR_2023_paper.html"
TODAY = _dt.date(2026, 12, 6)


def _paper(**changes) -> Paper:
    record = {
        "id": "adams2023-alpha",
        "title": "Alpha",
        "authors": ["Ann Adams"],
        "year": 2023,
        "venue": "CVPR",
        "arxiv": "2301.00001",
        "verified": {
            "date": _dt.date(2026, 12, 1),
            "fields": {"title": ABS, "authors": ABS, "year": CVF, "venue": CVF, "arxiv": ABS},
        },
    }
    verified = changes.pop("verified", {})
    record.update(changes)
    record["verified"] = {**record["verified"], **verified}
    return Paper.model_validate(record)


def _lines(paper: Paper) -> list[str]:
    return [f"{p.field}: {p.message}" for p in verified_problems(paper, "p.yaml", TODAY)]


def test_a_complete_block_passes():
    assert _lines(_paper()) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://ar5iv.labs.arxiv.org/html/2301.00001",
        "https://www.sciencestack.ai/paper/2301.00001",
        "https://paperswithcode.com/paper/alpha",
        "https://www.semanticscholar.org/paper/abc",
        "https://arxiv.org/list/eess.IV/recent",
        "https://openreview.net/search?term=alpha",
        "https://repositum.tuwien.at/simple-search?query=Alpha",
    ],
)
def test_a_non_primary_source_is_rejected(url: str):
    lines = _lines(_paper(verified={"fields": {"title": url, "authors": ABS, "year": CVF,
                                               "venue": CVF, "arxiv": ABS}}))
    assert len(lines) == 1 and lines[0].startswith("verified.fields.title: ") and "cannot vouch" in lines[0]


def test_github_vouches_for_other_fields_only_as_the_records_own_repository():
    repo = "https://github.com/adams/alpha"
    ok = _paper(code=[repo], verified={"fields": {"title": ABS, "authors": ABS, "year": CVF, "venue": CVF,
                                                  "arxiv": ABS, "code": repo}})
    assert _lines(ok) == []
    readme = repo + "/blob/main/README.md"
    own = _paper(code=[repo], verified={"fields": {"title": ABS, "authors": readme, "year": CVF,
                                                   "venue": readme, "arxiv": ABS}})
    assert _lines(own) == []
    other = "https://github.com/someone/awesome-compression"
    bad = _paper(code=[repo], verified={"fields": {"title": other, "authors": ABS, "year": CVF,
                                                   "venue": CVF, "arxiv": ABS}})
    assert _lines(bad) == [f"verified.fields.title: {other} cannot vouch for title: a code repository is "
                           "a primary source for other fields only when it is the record's own "
                           "(listed in its code)"]
    handle = "https://repositum.tuwien.at/handle/20.500.12708/1"
    assert primary_problem("title", handle, thesis=True) is None
    assert "theses only" in primary_problem("title", handle, thesis=False)
    assert source_kind("https://github.com/adams") is None  # a user page, not a repository


def test_every_required_field_is_covered():
    lines = _lines(_paper(doi="10.1109/CVPR.2023.1", verified={"fields": {"title": ABS, "year": CVF,
                                                                         "arxiv": ABS}}))
    assert lines == ["verified: no primary source and no reason given for authors, venue, doi "
                     "(add each to fields with its source or to unverified with why)"]
    covered = _paper(doi="10.1109/CVPR.2023.1", verified={"unverified": {"doi": "not reachable here"}})
    assert _lines(covered) == []


def test_a_verified_field_must_be_set_and_not_also_unverified():
    lines = _lines(_paper(verified={"fields": {"title": ABS, "authors": ABS, "year": CVF, "venue": CVF,
                                               "arxiv": ABS, "code": "https://github.com/a/b"},
                                    "unverified": {"title": "the title differs on CVF"}}))
    assert lines == ["verified: listed as both verified and unverified: title",
                     "verified.fields.code: the record has no code to verify"]


def test_a_preprint_from_2023_on_needs_no_published_version():
    preprint = {"venue": "arXiv", "verified": {"fields": {"title": ABS, "authors": ABS, "year": ABS,
                                                          "venue": ABS, "arxiv": ABS}}}
    lines = _lines(_paper(**preprint))
    assert len(lines) == 1 and lines[0].startswith("verified.no_published_version: venue arXiv from 2023 on")
    checked = dict(preprint, verified={**preprint["verified"], "no_published_version": _dt.date(2026, 12, 5)})
    assert _lines(_paper(**checked)) == []
    assert _lines(_paper(**dict(checked, year=2022))) == [
        "verified.no_published_version: only for records with venue arXiv from 2023 on"]
    future = dict(preprint, verified={**preprint["verified"], "no_published_version": _dt.date(2027, 1, 1)})
    assert _lines(_paper(**future)) == ["verified.no_published_version: 2027-01-01 is in the future"]


def test_schema_refuses_unknown_keys_bad_urls_and_empty_reasons():
    for bad in ({"fields": {"titel": ABS}}, {"fields": {"title": "arxiv.org/abs/1"}},
                {"unverified": {"doi": "  "}}, {"sources": [ABS]}):
        with pytest.raises(ValueError):
            _paper(verified=bad)


def test_search_urls():
    assert is_search_url("https://dblp.org/search?q=alpha")
    assert not is_search_url("https://dblp.org/rec/conf/cvpr/Adams23.html")


def test_validate_reports_the_rules_with_file_and_field(pass_root: Path):
    path = pass_root / "papers" / "adams2018-alpha.yaml"
    path.write_text(path.read_text() + "verified:\n  date: 2026-01-02\n"
                    "  fields: {title: https://ar5iv.labs.arxiv.org/html/1801.00001}\n")
    assert [str(p) for p in validate_kb(pass_root)] == [
        "papers/adams2018-alpha.yaml: verified: no primary source and no reason given for authors, year, "
        "venue, arxiv (add each to fields with its source or to unverified with why)",
        "papers/adams2018-alpha.yaml: verified.fields.title: https://ar5iv.labs.arxiv.org/html/1801.00001 "
        "cannot vouch for title: ar5iv.labs.arxiv.org is not a primary source (see lic_bench/kb/sources.py)",
    ]


def test_every_real_record_says_where_its_facts_come_from(project_root: Path):
    missing = [p.name for p in sorted((project_root / "papers").glob("[!_]*.yaml"))
               if (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("verified") is None]
    assert not missing, f"records without a verified: block: {missing}"
