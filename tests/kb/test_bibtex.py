"""BibTeX export and import: entry types, ids, duplicate refusal, a whole-KB round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from lic_bench.cli import app
from lic_bench.kb import import_bibtex, kb_bibtex, load_kb, make_paper_id, paper_bibtex
from lic_bench.kb.bibtex import entry_to_record, entry_type

NEW_ENTRIES = r"""
@inproceedings{whatever1,
  author = {Ball{\'e}, Johannes and Minnen, David},
  title = {{ELIC}-like Things: On the Coding of {Z}eta \& Eta},
  booktitle = {Proceedings of ICLR},
  year = {2021},
  doi = {https://doi.org/10.5555/zeta.2021},
}
@article{whatever2,
  author = {Ann Adams and Zoe Zed},
  title = {Alpha Quantization: the Sequel},
  journal = {Signal Processing: Image Communication},
  year = 2019,
  eprint = {1901.00003v2},
  archivePrefix = {arXiv},
}
"""


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_entry_types_follow_the_venue():
    assert entry_type("CVPR") == "inproceedings"
    assert entry_type("IEEE Transactions on Image Processing") == "article"
    assert entry_type("arXiv") == "misc"
    assert entry_type(None) == "misc"
    assert entry_type("TU Wien (Master's thesis)") == "mastersthesis"
    assert entry_type("ETH Zurich (PhD thesis)") == "phdthesis"
    # journals whose names hold no journal word (found in the KB: MCM in Pattern Recognition)
    for journal in ("Pattern Recognition", "Signal Processing", "Multimedia Systems", "Entropy"):
        assert entry_type(journal) == "article", journal
    assert entry_type("Signal Processing Workshop") == "inproceedings"


def test_paper_bibtex_entry(pass_root: Path):
    kb = load_kb(pass_root)
    text = paper_bibtex(kb.papers["baker2020-beta"])
    entry = bibtexparser.parse_string(text).entries[0]
    assert entry.key == "baker2020-beta" and entry.entry_type == "article"
    fields = entry.fields_dict
    assert fields["journal"].value == "IEEE Transactions on Image Processing"
    assert fields["doi"].value == "10.1109/TIP.2020.0000001"
    thesis = bibtexparser.parse_string(paper_bibtex(kb.papers["evans2023-epsilon"])).entries[0]
    assert thesis.entry_type == "mastersthesis"
    assert thesis.fields_dict["school"].value == "Example University"
    two = bibtexparser.parse_string(paper_bibtex(kb.papers["adams2018-alpha"])).entries[0]
    assert two.fields_dict["author"].value == "Ann Adams and Bob Brown"
    assert two.fields_dict["eprint"].value == "1801.00001"


def test_make_paper_id_rule():
    assert make_paper_id(["Johannes Ballé"], 2018, "Variational image compression with a scale hyperprior") == "balle2018-variational"
    assert make_paper_id(["Dailan He"], 2022, "ELIC: Efficient Learned Image Compression") == "he2022-elic"
    assert make_paper_id(["David Minnen"], 2020, "Channel-wise Autoregressive Entropy Models") == "minnen2020-channel-wise"
    assert make_paper_id(["Johannes Ballé"], 2016, "End-to-end optimization of ...") == "balle2016-end-to-end"
    assert make_paper_id(["Yichen Qian"], 2022, "On the Learning of X", {"qian2022-learning"}) == "qian2022-learning-x"
    assert make_paper_id(["Ali Sefkan Uludağ"], 2022, "Deep Image Compression") == "uludag2022-deep"
    assert make_paper_id(["Aäron van den Oord"], 2018, "Neural Discrete Representation Learning") == "vandenoord2018-neural"


def test_import_creates_stubs_that_validate(pass_root: Path):
    (pass_root / "papers" / "balle2021-elic-like.yaml").write_text("# someone else's draft\n")
    kb = load_kb(pass_root, strict=False)
    report = import_bibtex(NEW_ENTRIES, pass_root, kb)
    assert report.refused == []
    created = dict(report.created)
    # the first id is taken by an existing file, so the next significant word is added
    assert set(created) == {"balle2021-elic-like-things", "adams2019-alpha"}
    assert (pass_root / "papers" / "balle2021-elic-like.yaml").read_text() == "# someone else's draft\n"
    (pass_root / "papers" / "balle2021-elic-like.yaml").unlink()
    kb2 = load_kb(pass_root)  # strict: the stubs must validate
    stub = kb2.papers["balle2021-elic-like-things"]
    assert stub.authors == ["Johannes Ballé", "David Minnen"]
    assert stub.title == "ELIC-like Things: On the Coding of Zeta & Eta"
    assert stub.doi == "10.5555/zeta.2021" and stub.venue == "Proceedings of ICLR"
    sequel = kb2.papers["adams2019-alpha"]
    assert sequel.arxiv == "1901.00003v2" and sequel.year == 2019
    assert sequel.venue == "Signal Processing: Image Communication"


def test_import_refuses_duplicates_and_bad_entries(pass_root: Path):
    kb = load_kb(pass_root)
    text = r"""
@misc{a, author = {X Y}, title = {Beta context models, with ROUNDING!}, year = {2024}}
@misc{b, author = {X Y}, title = {Something New}, year = {2024}, eprint = {1801.00001v3}}
@misc{c, author = {X Y}, title = {Other}, year = {2024}, doi = {10.1109/tip.2020.0000001}}
@misc{d, author = {X Y}, title = {Fresh Idea}, year = {2024}}
@misc{e, author = {Z W}, title = {Fresh idea}, year = {2025}}
@misc{f, title = {No Authors}, year = {2024}}
@misc{g, author = {X Y}, title = {Too Old}, year = {1492}}
"""
    report = import_bibtex(text, pass_root, kb, dry_run=True)
    assert report.refused == [
        "a: refused: duplicate (same title as papers/baker2020-beta.yaml)",
        "b: refused: duplicate (same arXiv id as papers/adams2018-alpha.yaml)",
        "c: refused: duplicate (same DOI as papers/baker2020-beta.yaml)",
        "e: refused: duplicate (same title as d (this file))",
        "f: refused: missing author",
        f"g: refused: year '1492' is not between 1900 and {report_max_year()}",
    ]
    assert [pid for pid, _ in report.created] == ["y2024-fresh"]
    assert not (pass_root / "papers" / "y2024-fresh.yaml").exists()  # dry run


def report_max_year() -> int:
    from lic_bench.kb.schema import max_year

    return max_year()


def test_round_trip_of_the_whole_knowledge_base_changes_nothing(repo_copy: Path, tmp_path: Path):
    kb = load_kb(repo_copy, strict=False)
    assert kb.papers, "no paper records yet"
    text = kb_bibtex(kb)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    entries = {e.key: e for e in library.entries}
    assert list(entries) == list(kb.papers)
    for pid, paper in kb.papers.items():
        record = entry_to_record(entries[pid])
        got = {k: record[k] for k in ("title", "authors", "year", "doi", "arxiv")}
        want = {k: getattr(paper, k) for k in ("title", "authors", "year", "doi", "arxiv")}
        assert got == want, pid

    bib = tmp_path / "kb.bib"
    bib.write_text(text, encoding="utf-8")
    before = digest(repo_copy)
    result = CliRunner().invoke(app, ["kb", "bibtex", "import", str(bib), "--root", str(repo_copy)])
    assert result.exit_code == 0, result.output
    refused = [line for line in result.stderr.splitlines() if ": refused: duplicate (" in line]
    assert len(refused) == len(kb.papers)
    assert result.stderr.splitlines()[-1] == f"0 created, {len(kb.papers)} refused"
    assert digest(repo_copy) == before


def test_cli_export_and_import(pass_root: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "out.bib"
    result = runner.invoke(app, ["kb", "bibtex", "export", "-o", str(out), "--root", str(pass_root)])
    assert result.exit_code == 0
    assert len(bibtexparser.parse_string(out.read_text()).entries) == 5
    result = runner.invoke(app, ["kb", "bibtex", "export", "--root", str(pass_root)])
    assert result.stdout.count("@") == 5
    new = tmp_path / "new.bib"
    new.write_text(NEW_ENTRIES)
    result = runner.invoke(app, ["kb", "bibtex", "import", str(new), "--dry-run", "--root", str(pass_root)])
    assert result.exit_code == 0
    assert "would create" in result.stdout and not (pass_root / "papers" / "adams2019-alpha.yaml").exists()
    result = runner.invoke(app, ["kb", "bibtex", "import", str(tmp_path / "missing.bib"), "--root", str(pass_root)])
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


@pytest.mark.parametrize("name", ["Ballé, Johannes", "Johannes Ballé"])
def test_author_forms(name: str):
    entry = bibtexparser.parse_string(f"@misc{{k, author = {{{name}}}, title = {{T}}, year = {{2020}}}}").entries[0]
    assert entry_to_record(entry)["authors"] == ["Johannes Ballé"]
