"""The living knowledge base on the site: former-id redirects, the survey switch on the
trends page, results attached through former ids, the paged papers table, results linked
to records, and dataset names in headings (the leaderboard: test_leaderboard.py)."""

from __future__ import annotations

import re

import numpy as np

from lic_bench.kb import Component, KnowledgeBase, Paper
from lic_bench.kb.result_links import is_classical, link_problems
from lic_bench.site import _md, build
from lic_bench.site.pages import PAPERS_PAGE_SIZE, papers_index_page
from lic_bench.site.rd import rd_section
from lic_bench.site.trends import trends_page
from tests.site.conftest import _NODES, _PAPERS

RATE = [0.1, 0.2, 0.4, 0.8, 1.6]


def living_kb(surveys: bool = True) -> KnowledgeBase:
    """The tiny site KB with minnen2018-joint renamed (old id kept) and a survey."""
    comps = [
        Component(id=c, name=c.title(), parent=p, area=a, summary=f"{c}. More.") for c, p, a in _NODES
    ]
    papers = []
    for raw in _PAPERS:
        rec = dict(raw)
        if rec["id"] == "minnen2018-joint":
            rec.update(id="minnen2017-joint", year=2017, aliases=["minnen2018-joint"])
        if rec["id"] == "he2021-checkerboard":
            rec["builds_on"] = ["minnen2017-joint"]
        if surveys and rec["id"] != "nobody2020-untagged":
            rec["surveys"] = {"nobody2020-untagged": {"year": 2018} if rec["id"] == "minnen2017-joint" else {}}
        papers.append(Paper(**rec))
    return KnowledgeBase(comps, papers)


def fake(name, provenance="reported", rate_scale=1.0, kind="reported", **meta):
    """FAKE fixture curve (not a measurement): PSNR grows 3 dB per doubling of the rate."""
    return {
        "name": name,
        "description": "FAKE fixture curve for tests - not a measurement",
        "results": {"bpp": [r * rate_scale for r in RATE], "psnr-rgb": [27 + 3 * np.log2(r / 0.1) for r in RATE]},
        "meta": {"kind": kind, "provenance": provenance, "dataset": "kodak", "papers": [], **meta},
        "_path": f"{kind}/{name}/{meta.get('tag', 'fake')}.json",
    }


def test_former_ids_get_a_redirect_page_and_their_results():
    kb = living_kb()
    docs = [fake("mbt", papers=["minnen2018-joint"], taxonomy=["autoregressive-context"])]
    site = build.render_site(kb, docs)
    assert list(site.static) == ["papers/minnen2018-joint/index.html"]
    page = site.static["papers/minnen2018-joint/index.html"]
    assert '<meta http-equiv="refresh" content="0; url=../minnen2017-joint/">' in page
    assert 'window.location.replace("../minnen2017-joint/"' in page
    assert _md.paper_path("minnen2018-joint") not in site.pages  # no page of its own
    # a results file naming the former id lands on the renamed paper's page
    assert "No results yet" not in site.pages[_md.paper_path("minnen2017-joint")].split("## Results")[1]
    # builds_on with the current id links both ways; BibTeX keeps the old key citable
    assert "minnen2017-joint" in site.pages[_md.paper_path("he2021-checkerboard")]
    assert "ids = {minnen2018-joint}" in site.pages[_md.paper_path("minnen2017-joint")]


def test_trends_page_switches_to_the_survey_view():
    md = trends_page(living_kb(), survey="nobody2020-untagged")
    assert md.count('<input type="radio" name="lb-view"') == 2 and 'value="nobody2020-untagged"' in md
    for div in ("trend-by-area", "trend-by-component", "component-by-year"):
        assert f'id="{div}"' in md and f'id="{div}--nobody2020-untagged"' in md
    assert md.count('class="lb-view" data-view="nobody2020-untagged" hidden') == 2
    assert "Plotly.Plots.resize" in md
    # the survey panel counts minnen2017-joint in 2018, the default panel in 2017
    panels = re.findall(r'<div class="lb-view" data-view="([^"]+)"[^>]*>(.*?)</div>\n', md, re.S)
    area = dict(panels[:2])
    assert '"2017"' in area["all"] and '"2017"' not in area["nobody2020-untagged"]
    plain = trends_page(living_kb(surveys=False), survey="nobody2020-untagged")
    assert "lb-view-switch" not in plain and "Plotly.Plots.resize" not in plain


def test_papers_table_is_paged_and_results_link_check():
    kb = living_kb()
    md = papers_index_page(kb)
    assert f'<div class="lb-sortable" data-page-size="{PAPERS_PAGE_SIZE}" data-search-exclude markdown>' in md
    docs = [
        fake("c3"),  # learned, no paper
        fake("mbt", papers=["minnen2018-joint"]),  # former id: fine
        fake("stf", papers=["zou2022-devil"]),  # no such record
        fake("jpeg2000"), fake("bpg-444-x265-ycbcr"), fake("vtm"),  # classical: need none
        fake("x265-bpg444", kind="anchor"),
        fake("mine", kind="eval"),  # measured here: linked through the registry, not required
    ]
    assert [d["name"] for d in docs if is_classical(d)] == ["jpeg2000", "bpg-444-x265-ycbcr", "vtm", "x265-bpg444"]
    assert [str(p) for p in link_problems(kb, docs)] == [
        "results/reported/c3/fake.json: meta.papers: learned codec 'c3' names no paper record",
        "results/reported/stf/fake.json: meta.papers: unknown paper 'zou2022-devil'",
    ]


def test_dataset_records_are_named_not_dumped():
    run = fake("mine", "measured", kind="eval", command="lic-bench test x")
    run["meta"]["dataset"] = {"name": "kodak", "num_images": 24, "checksum": "abc"}
    md = rd_section([run], [fake("x265-bpg444", "measured", kind="anchor")])
    assert "#### Kodak" in md and "{'name'" not in md and "num_images" not in md
    assert "BD against **x265-bpg444 (per-quality, measured here" in md  # ranked against the kodak anchor


def test_committed_learned_curves_link_to_records(project_root):
    from lic_bench.kb import load_kb
    from lic_bench.results import load_results

    problems = link_problems(load_kb(project_root, strict=False), load_results(project_root))
    assert not problems, "\n".join(str(p) for p in problems)


def test_paper_page_names_former_ids_and_the_survey():
    kb = living_kb()
    md = build.render_site(kb, []).pages[_md.paper_path("minnen2017-joint")]
    assert "id `minnen2017-joint` (formerly `minnen2018-joint`)" in md
    assert "Listed by the survey [nobody2020-untagged](nobody2020-untagged.md), which gives year 2018." in md
