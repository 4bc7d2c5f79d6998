"""Former ids (aliases) resolve everywhere an id is accepted; cross-record checks of the
living-KB fields (aliases, surveys, verified, defining_papers)."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
from typer.testing import CliRunner

from lic_bench.cli import app
from lic_bench.kb import build_graph, kb_bibtex, load_kb, papers_table, validate_kb


def _rename(root: Path, old: str, new: str, year: int | None = None) -> None:
    """Rename a record the way verification does: new id, old id kept as an alias."""
    path = root / "papers" / f"{old}.yaml"
    text = path.read_text().replace(f"id: {old}", f"id: {new}")
    if year is not None:
        text = text.replace("year: 2018", f"year: {year}")
    path.unlink()
    (root / "papers" / f"{new}.yaml").write_text(text + f"aliases: [{old}]\n")


def test_former_id_resolves_in_lookups_queries_graph_and_bibtex(pass_root: Path):
    _rename(pass_root, "adams2018-alpha", "adams2017-alpha", year=2017)
    # baker2020-beta still builds on the former id: reported, with the id to write
    assert [str(p) for p in validate_kb(pass_root)] == [
        "papers/baker2020-beta.yaml: builds_on: 'adams2018-alpha' is a former id of "
        "'adams2017-alpha': write 'adams2017-alpha'"
    ]
    # queries refuse a knowledge base with problems, so write what validate asks for
    beta = pass_root / "papers" / "baker2020-beta.yaml"
    beta.write_text(beta.read_text().replace("adams2018-alpha", "adams2017-alpha"))
    assert validate_kb(pass_root) == []
    kb = load_kb(pass_root, strict=False)
    assert kb.resolve("adams2018-alpha") == "adams2017-alpha"
    assert kb.paper("adams2018-alpha").id == "adams2017-alpha"
    assert [p.id for p in kb.built_upon_by("adams2018-alpha")] == ["baker2020-beta"]
    assert [p.id for p in kb.builds_on("baker2020-beta")] == ["adams2017-alpha"]
    assert build_graph(kb).has_edge("baker2020-beta", "adams2017-alpha")
    assert [r["id"] for r in papers_table(kb, search="adams2018-alpha")] == ["adams2017-alpha"]
    out = CliRunner().invoke(
        app, ["kb", "papers", "--search", "adams2018-alpha", "--format", "json", "--root", str(pass_root)]
    )
    assert [r["id"] for r in json.loads(out.stdout)] == ["adams2017-alpha"]
    # BibTeX: biblatex's ids field by default, copies under the old key on request
    lib = bibtexparser.parse_string(kb_bibtex(kb))
    entry = next(e for e in lib.entries if e.key == "adams2017-alpha")
    assert entry.fields_dict["ids"].value == "adams2018-alpha"
    assert "adams2018-alpha" not in [e.key for e in lib.entries]
    lib = bibtexparser.parse_string(kb_bibtex(kb, aliases="entries"))
    copy = next(e for e in lib.entries if e.key == "adams2018-alpha")
    assert copy.fields_dict["title"].value == entry.fields_dict["title"].value
    assert copy.fields_dict["note"].value == "Former key of adams2017-alpha"
    assert "ids" not in copy.fields_dict
    out = CliRunner().invoke(app, ["kb", "bibtex", "export", "--aliases", "entries", "--root", str(pass_root)])
    assert out.exit_code == 0 and "@inproceedings{adams2018-alpha," in out.stdout
    out = CliRunner().invoke(app, ["kb", "bibtex", "export", "--aliases", "nope", "--root", str(pass_root)])
    assert out.exit_code == 2


def test_builds_on_with_the_current_id_is_clean(pass_root: Path):
    _rename(pass_root, "adams2018-alpha", "adams2017-alpha")
    beta = pass_root / "papers" / "baker2020-beta.yaml"
    beta.write_text(beta.read_text().replace("[adams2018-alpha]", "[adams2017-alpha]"))
    assert validate_kb(pass_root) == []


def test_alias_problems(pass_root: Path):
    papers = pass_root / "papers"
    for name, extra in (
        ("adams2018-alpha", "aliases: [baker2020-beta]\n"),  # another record's id
        ("clark2021-gamma", "aliases: [clark2021-gamma, old2019-gamma]\n"),  # its own id
        ("davis2022-delta", "aliases: [old2019-gamma]\n"),  # taken by clark
    ):
        path = papers / f"{name}.yaml"
        path.write_text(path.read_text() + extra)
    assert [str(p) for p in validate_kb(pass_root)] == [
        "papers/adams2018-alpha.yaml: aliases: 'baker2020-beta' is the id of papers/baker2020-beta.yaml, "
        "not a former id",
        "papers/clark2021-gamma.yaml: aliases: 'clark2021-gamma' is this record's own id",
        "papers/davis2022-delta.yaml: aliases: 'old2019-gamma' is also a former id in papers/clark2021-gamma.yaml",
    ]


def test_survey_verified_and_taxonomy_problems(pass_root: Path):
    papers = pass_root / "papers"
    (papers / "adams2018-alpha.yaml").write_text(
        (papers / "adams2018-alpha.yaml").read_text()
        + "surveys:\n  evans2023-epsilonn: {}\n  adams2018-alpha: {}\n"
        "  clark2021-gamma: {year: 1850, components: [checkerbord]}\n"
        "verified:\n  date: 2026-01-02\n"
        "  fields: {title: https://arxiv.org/abs/1801.00001, authors: https://arxiv.org/abs/1801.00001,\n"
        "           year: https://arxiv.org/abs/1801.00001, venue: https://openreview.net/forum?id=x1,\n"
        "           arxiv: https://arxiv.org/abs/1801.00001}\n"
        "  unverified: {year: the proceedings page gives another year}\n"
    )
    _rename(pass_root, "davis2022-delta", "davis2021-delta")
    (papers / "evans2023-epsilon.yaml").write_text(
        (papers / "evans2023-epsilon.yaml").read_text() + "surveys: {davis2022-delta: {}}\n"
    )
    tax = pass_root / "taxonomy" / "context-models.yaml"
    tax.write_text(
        tax.read_text()
        + "  - id: generative-context\n    parent: context-models\n    name: Generative context\n"
        "    summary: A branch beyond the seed.\n    origin: beyond-seed\n"
        "  - id: other-context\n    parent: context-models\n    name: Other\n"
        "    summary: Named papers.\n    defining_papers: [davis2022-delta, nobody2020-x]\n"
    )
    lines = [str(p) for p in validate_kb(pass_root)]
    assert lines == [
        "papers/adams2018-alpha.yaml: surveys.adams2018-alpha: a record cannot be a survey of itself",
        "papers/adams2018-alpha.yaml: surveys.clark2021-gamma.components: unknown component 'checkerbord' "
        "(did you mean: checkerboard?)",
        f"papers/adams2018-alpha.yaml: surveys.clark2021-gamma.year: year 1850 is not between 1900 and "
        f"{lines[2].split(' and ')[1]}",
        "papers/adams2018-alpha.yaml: surveys.evans2023-epsilonn: unknown survey record 'evans2023-epsilonn' "
        "(did you mean: evans2023-epsilon?)",
        "papers/adams2018-alpha.yaml: verified: listed as both verified and unverified: year",
        "papers/evans2023-epsilon.yaml: builds_on: 'davis2022-delta' is a former id of "
        "'davis2021-delta': write 'davis2021-delta'",
        "papers/evans2023-epsilon.yaml: surveys.davis2022-delta: 'davis2022-delta' is a former id of "
        "'davis2021-delta': write 'davis2021-delta'",
        "taxonomy/context-models.yaml: generative-context.defining_papers: a beyond-seed node names the "
        "papers that define it",
        "taxonomy/context-models.yaml: other-context.defining_papers: 'davis2022-delta' is a former id of "
        "'davis2021-delta': write 'davis2021-delta'",
        "taxonomy/context-models.yaml: other-context.defining_papers: unknown paper 'nobody2020-x'",
    ]


def test_validate_reports_learned_curves_without_records(pass_root: Path):
    folder = pass_root / "results" / "reported"
    curves = {
        "c3/c3-baselines-kodak.json": [],  # learned: must name a record
        "jpeg2000/compressai-kodak.json": [],  # classical: needs none
        "beta/authors-kodak.json": ["baker2020-beta"],
        "gamma/authors-kodak.json": ["clark2021-gama"],  # misspelt
    }
    for rel, papers in curves.items():
        path = folder / rel
        path.parent.mkdir(parents=True)
        doc = {"name": path.parent.name, "results": {"bpp": [0.5], "psnr-rgb": [30.0]},
               "meta": {"kind": "reported", "provenance": "reported", "dataset": "kodak", "papers": papers}}
        path.write_text(json.dumps(doc))
    out = CliRunner().invoke(app, ["kb", "validate", "--root", str(pass_root)])
    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "results/reported/c3/c3-baselines-kodak.json: meta.papers: learned codec 'c3' names no paper record",
        "results/reported/gamma/authors-kodak.json: meta.papers: unknown paper 'clark2021-gama' "
        "(did you mean: clark2021-gamma?)",
    ]
