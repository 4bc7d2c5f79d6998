"""The page renderers: every node and paper gets a page, links resolve, results attach by id."""

from __future__ import annotations

import posixpath
import re

import pytest

from lic_bench.kb import load_kb
from lic_bench.site import _md, build, pages
from lic_bench.site._results import ResultSet, for_component, for_paper, results_section

HAND_WRITTEN = {"index.md", "guides/add-a-paper.md", "guides/run-benchmarks.md"}
MD_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*://)([^)\s]+\.md)(#[^)]*)?\)")  # site pages, not web addresses


def dead_links(rendered: dict[str, str]) -> list[str]:
    """Every relative ``.md`` link of every page that points at no page of the site."""
    known = set(rendered) | HAND_WRITTEN
    dead = []
    for src, markdown in rendered.items():
        for target, _ in MD_LINK.findall(markdown):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(src), target))
            if resolved not in known:
                dead.append(f"{src} -> {target}")
    return dead


def test_every_component_and_paper_has_a_page(tiny_kb):
    site = build.render_site(tiny_kb, [])
    for cid in tiny_kb.components:
        assert _md.component_path(cid) in site.pages
    for pid in tiny_kb.papers:
        assert _md.paper_path(pid) in site.pages
    for path in (_md.COMPONENTS_INDEX, _md.PAPERS_INDEX, _md.TRENDS, _md.EXPLORER):
        assert path in site.pages
    # the stub renderers of results return "": no results pages in the nav
    assert _md.LEADERBOARD not in site.pages or site.pages[_md.LEADERBOARD].strip()


def test_links_resolve_tiny(tiny_kb):
    site = build.render_site(tiny_kb, [])
    assert dead_links(site.pages) == []
    assert MD_LINK.search(site.pages[_md.component_path("checkerboard")])  # the check saw links


def test_dead_link_is_detected():
    assert dead_links({"papers/a.md": "[x](../components/nope/index.md)"}) == [
        "papers/a.md -> ../components/nope/index.md"
    ]


def test_real_knowledge_base_renders_with_resolving_links():
    kb = load_kb()
    site = build.render_site(kb, [])
    assert len([p for p in site.pages if p.startswith("components/")]) == len(kb.components) + 1
    assert len([p for p in site.pages if p.startswith("papers/")]) == len(kb.papers) + 1
    assert dead_links(site.pages) == []


def test_paper_page_lists_components_and_citations(tiny_kb):
    md = pages.paper_page(tiny_kb, "minnen2018-joint", "@misc{minnen2018-joint}")
    for cid in ("autoregressive-context", "scale-hyperprior", "additive-uniform-noise"):
        assert f"(../components/{cid}/index.md)" in md
    builds_on, built_upon = md.split("## Builds on")[1].split("## Built upon by")
    assert "balle2018-variational.md" in builds_on
    assert "he2021-checkerboard.md" in built_upon
    assert "```bibtex\n@misc{minnen2018-joint}\n```" in md
    # a "|" in a title must not break the table it appears in
    assert "Priors \\| for" in pages.papers_index_page(tiny_kb)


def test_component_page_collects_the_subtree(tiny_kb):
    md = pages.component_page(tiny_kb, "uniform-quantization")
    papers_part = md.split("## Papers")[1].split("## Implementations")[0]
    rows = [line for line in papers_part.splitlines() if line.startswith("| 20")]
    assert len(rows) == 3  # two tagged additive-uniform-noise, one straight-through-rounding
    assert [r.split("|")[1].strip() for r in rows] == ["2018", "2018", "2021"]
    crumbs = pages.breadcrumb(
        tiny_kb, "uniform-quantization", _md.component_path("uniform-quantization")
    )
    assert crumbs.index("Quantization") < crumbs.index("Scalar Quantization")
    assert crumbs.endswith("**Uniform Quantization**")
    assert "## Sub-components" in md and "Additive Uniform Noise" in md


def test_untagged_and_unimplemented_are_said_plainly(tiny_kb):
    md = pages.component_page(tiny_kb, "parallel-decoding")
    assert "No implementation in `lic_bench` yet" in md
    impl = pages.component_page(tiny_kb, "checkerboard")
    assert "| `checkerboard` | component | — |" in impl
    assert "```yaml" not in impl  # no model argument takes a context model by name


def test_implementations_show_real_configs(tiny_kb):
    configs = {"he2021-checkerboard": "name: he2021-checkerboard\nN: 192\n"}
    md = pages.component_page(tiny_kb, "checkerboard", model_configs=configs)
    assert "| `he2021-checkerboard` | model | `configs/models/he2021-checkerboard.yaml` |" in md
    assert "```yaml\nname: he2021-checkerboard\nN: 192\n```" in md
    quant = pages.component_page(tiny_kb, "additive-uniform-noise", model_configs=configs)
    assert "  quantizer: additive-uniform-noise" in quant
    assert "  name: he2021-checkerboard" in quant  # the example model is one that exists
    area = pages.component_page(tiny_kb, "hierarchical-priors")
    assert "## Overview" in area


def test_area_pages_get_a_trend_chart(tiny_kb):
    site = build.render_site(tiny_kb, [])
    assert 'id="area-trend-context-models"' in site.pages[_md.component_path("context-models")]
    assert "Plotly.newPlot" not in site.pages[_md.component_path("checkerboard")]


def _doc(name, kind, taxonomy=(), papers=()):
    return {
        "name": name,
        "results": {"bpp": [0.5], "psnr-rgb": [30.0]},
        "meta": {"kind": kind, "taxonomy": list(taxonomy), "papers": list(papers)},
    }


def test_results_attach_to_ancestors_and_papers(tiny_kb):
    docs = [
        _doc("checkerboard", "eval", taxonomy=["checkerboard"], papers=["he2021-checkerboard"]),
        _doc("jpeg", "anchor"),
        _doc("checkerboard", "bench", taxonomy=["checkerboard"]),
        _doc("mbt2018", "eval", taxonomy=["autoregressive-context"]),
    ]
    found = for_component(docs, tiny_kb, "parallel-decoding")
    assert [d["name"] for d in found.results] == ["checkerboard"]
    assert [d["name"] for d in found.anchors] == ["jpeg"]
    assert [d["meta"]["kind"] for d in found.bench] == ["bench"]
    assert not for_component(docs, tiny_kb, "hierarchical-priors")
    by_paper = for_paper(docs, "he2021-checkerboard")
    assert [d["name"] for d in by_paper.results] == ["checkerboard"] and not by_paper.bench


def test_results_section_calls_the_renderers(monkeypatch, tiny_kb):
    from lic_bench.site import _results

    calls = []
    monkeypatch.setattr(
        _results.rd, "rd_section", lambda r, a: calls.append((len(r), len(a))) or "RD-PLOT"
    )
    monkeypatch.setattr(_results.bench, "bench_section", lambda b: "")
    docs = [_doc("checkerboard", "eval", taxonomy=["checkerboard"]), _doc("jpeg", "anchor")]
    text = results_section(for_component(docs, tiny_kb, "checkerboard"), "taxonomy", "x.md")
    assert "RD-PLOT" in text and calls == [(1, 1)]
    empty = results_section(ResultSet(), "papers", "../guides/run-benchmarks.md")
    assert "No results yet" in empty and "`meta.papers`" in empty


def test_results_pages_join_the_nav_only_when_not_empty(monkeypatch, tiny_kb):
    monkeypatch.setattr(build.rd, "leaderboard_page", lambda r, a: "")
    monkeypatch.setattr(build.bench, "bench_page", lambda b: "  \n")
    site = build.render_site(tiny_kb, [])
    assert _md.LEADERBOARD not in site.pages and _md.BENCHMARKS not in site.pages
    exists = lambda p: p in site.pages or p in HAND_WRITTEN  # noqa: E731
    nav = [
        {"Home": "index.md"},
        {"Taxonomy": "components/index.md"},
        {"Results": [{"Leaderboard": _md.LEADERBOARD}, {"Benchmarks": _md.BENCHMARKS}]},
        {"Guides": [{"Add a paper": "guides/add-a-paper.md"}, {"Gone": "guides/gone.md"}]},
    ]
    out = build.expand_nav(nav, site.nav_expansions, exists)
    assert [next(iter(item)) for item in out] == ["Home", "Taxonomy", "Guides"]
    assert out[-1] == {"Guides": [{"Add a paper": "guides/add-a-paper.md"}]}
    taxonomy = out[1]["Taxonomy"]
    assert taxonomy[0] == _md.COMPONENTS_INDEX
    assert [next(iter(e)) for e in taxonomy[1:]] == [a.name for a in tiny_kb.areas]

    monkeypatch.setattr(build.rd, "leaderboard_page", lambda r, a: "# Leaderboard\n")
    site2 = build.render_site(tiny_kb, [])
    out2 = build.expand_nav(nav, site2.nav_expansions, lambda p: p in site2.pages)
    assert {"Results": [{"Leaderboard": _md.LEADERBOARD}]} in out2
    assert site2.pages[_md.LEADERBOARD].startswith("---\nhide:")  # wide tables, full width


@pytest.mark.parametrize(
    ("src", "dst", "link", "url"),
    [
        (
            "papers/a.md",
            "components/gdn/index.md",
            "../components/gdn/index.md",
            "../../components/gdn/",
        ),
        ("components/gdn/index.md", "papers/a.md", "../../papers/a.md", "../../papers/a/"),
        ("explorer.md", "papers/a.md", "papers/a.md", "../papers/a/"),
        ("papers/index.md", "papers/a.md", "a.md", "a/"),
    ],
)
def test_relative_links_and_urls(src, dst, link, url):
    assert _md.rel(src, dst) == link
    assert _md.rel_url(src, dst) == url


def test_cells_escape_pipes_and_newlines():
    assert _md.cell("a|b\nc") == "a\\|b c"
    assert _md.cell(None) == ""


def test_a_bad_results_file_costs_one_section_not_the_site(monkeypatch, tiny_kb):
    from lic_bench.errors import UsageError
    from lic_bench.site import _results

    def broken(results, anchors):
        raise UsageError("results/eval/x.json: no bpp values")

    monkeypatch.setattr(_results.rd, "rd_section", broken)
    docs = [_doc("checkerboard", "eval", taxonomy=["checkerboard"])]
    text = results_section(for_component(docs, tiny_kb, "checkerboard"), "taxonomy", "x.md")
    assert "Results could not be drawn" in text and "no bpp values" in text

    monkeypatch.setattr(_results.rd, "rd_section", lambda r, a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        results_section(for_component(docs, tiny_kb, "checkerboard"), "taxonomy", "x.md")


def test_papers_table_marks_papers_with_results(monkeypatch, tiny_kb):
    from lic_bench.site import _results

    monkeypatch.setattr(_results.rd, "rd_section", lambda r, a: "RD")
    monkeypatch.setattr(_results.bench, "bench_section", lambda b, **kw: "SPEED")
    docs = [
        _doc("checkerboard", "reported", papers=["he2021-checkerboard"]),
        _doc("checkerboard", "bench", papers=["he2021-checkerboard"]),
    ]
    site = build.render_site(tiny_kb, docs)
    rows = [r for r in site.pages[_md.PAPERS_INDEX].splitlines() if r.startswith("| 20")]
    marked = {r.split("](")[1].split(")")[0]: r.split("|")[-2].strip() for r in rows}
    assert marked["he2021-checkerboard.md"] == "RD curves, speed"
    assert marked["balle2018-variational.md"] == ""


def test_rel_url_agrees_with_posixpath_relpath():
    # rel_url skips posixpath.relpath for speed; it must give the same URL for any pair
    paths = ["index.md", "trends.md", "papers/index.md", "papers/a.md", "papers/b-c.md",
             "components/index.md", "components/gdn/index.md", "results/leaderboard.md",
             "guides/run-benchmarks.md", "a/b/c/index.md", "a/b/d.md"]  # fmt: skip
    for src in paths:
        for dst in paths:
            out = posixpath.relpath(_md.url_of(dst) or ".", _md.url_of(src) or ".")
            assert _md.rel_url(src, dst) == ("./" if out == "." else out + "/"), (src, dst)
