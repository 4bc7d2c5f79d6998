"""Trend charts, the co-occurrence gap finder and the graph explorer's data."""

from __future__ import annotations

import posixpath

from lic_bench.kb import build_graph, load_kb, trends
from lic_bench.site import _md
from lic_bench.site.explorer import explorer_data, explorer_figure, explorer_page, record_id
from lic_bench.site.trends import (
    cooccurrence,
    notable_gaps,
    stacked_bars,
    tagged_by_year,
    top_components,
    trends_page,
)


def test_cooccurrence_counts(tiny_kb):
    co = cooccurrence(tiny_kb)
    # only tagged components, in taxonomy order
    assert co.ids == [
        "additive-uniform-noise",
        "straight-through-rounding",
        "autoregressive-context",
        "checkerboard",
        "scale-hyperprior",
    ]
    assert co.get("additive-uniform-noise", "additive-uniform-noise") == 2  # papers using it
    assert co.get("additive-uniform-noise", "scale-hyperprior") == 2
    assert co.get("autoregressive-context", "scale-hyperprior") == 1
    assert co.get("checkerboard", "straight-through-rounding") == 1
    # he2021 builds on minnen2018 and contributes nothing among the priors: it uses
    # minnen2018's scale hyperprior, so the pair counts as combined (kb.uses rule)
    assert co.get("checkerboard", "scale-hyperprior") == 1
    assert co.get("straight-through-rounding", "autoregressive-context") == 0
    n = len(co.ids)
    assert all(co.counts[i][j] == co.counts[j][i] for i in range(n) for j in range(n))
    # off-diagonal entries never exceed the smaller diagonal entry
    assert all(
        co.counts[i][j] <= min(co.counts[i][i], co.counts[j][j]) for i in range(n) for j in range(n)
    )
    gaps = co.gaps()
    assert ("straight-through-rounding", "autoregressive-context") in gaps
    assert ("checkerboard", "scale-hyperprior") not in gaps
    assert ("additive-uniform-noise", "scale-hyperprior") not in gaps
    assert len(gaps) == len(set(gaps)) and all(a != b for a, b in gaps)


def test_cooccurrence_matches_a_brute_force_count():
    kb = load_kb()
    co = cooccurrence(kb)
    for a in co.ids[:12]:
        for b in co.ids[-12:]:
            expected = sum(1 for p in kb.papers.values()
                           if {a, b} <= set(p.components) | set(kb.uses(p.id)))
            assert co.get(a, b) == expected


def test_notable_gaps_rank_popular_cross_area_pairs(tiny_kb):
    co = cooccurrence(tiny_kb)
    gaps = notable_gaps(tiny_kb, co)
    assert all(tiny_kb.area_of(a) != tiny_kb.area_of(b) for a, b, _, _ in gaps)
    assert all(co.get(a, b) == 0 for a, b, _, _ in gaps)
    # additive-uniform-noise (2 papers) and checkerboard (1) are the best-used unmet pair
    # ahead of pairs whose rarer member also has 1 paper but the other fewer uses
    assert gaps[0][:2] == ("additive-uniform-noise", "checkerboard")
    assert [min(g[2], g[3]) for g in gaps] == sorted((min(g[2], g[3]) for g in gaps), reverse=True)
    assert ("straight-through-rounding", "autoregressive-context", 1, 1) in gaps
    # he2021 contributes one and uses the other (inherited from minnen2018): not a gap
    assert not any(g[:2] == ("straight-through-rounding", "scale-hyperprior") for g in gaps)


def test_min_papers_drops_rare_components(tiny_kb):
    assert cooccurrence(tiny_kb, min_papers=2).ids == ["additive-uniform-noise", "scale-hyperprior"]


def test_top_components_keeps_the_biggest_groups(tiny_kb):
    rows = tagged_by_year(tiny_kb)
    top = top_components(rows, 2)
    assert {r["group"] for r in top} == {"additive-uniform-noise", "scale-hyperprior"}
    assert top == [r for r in rows if r["group"] in {"additive-uniform-noise", "scale-hyperprior"}]


def test_tagged_by_year_counts_direct_tags_only(tiny_kb):
    rows = tagged_by_year(tiny_kb)
    as_dict = {(r["group"], r["year"]): r["count"] for r in rows}
    assert as_dict[("scale-hyperprior", 2018)] == 2
    assert as_dict[("checkerboard", 2021)] == 1
    # a parent does not collect its children's papers here (kb.trends would)
    assert not any(r["group"] in ("uniform-quantization", "parallel-decoding") for r in rows)
    assert sum(as_dict.values()) == sum(len(p.components) for p in tiny_kb.papers.values())


def test_stacked_bars_one_trace_per_group(tiny_kb):
    rows = trends(tiny_kb, by="area")
    fig = stacked_bars(rows, {}, "t", "papers")
    assert fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} == {r["group"] for r in rows}
    totals = {t.name: sum(t.y) for t in fig.data}
    assert totals["quantization"] == 3  # three papers use a quantization node


def test_trends_page_has_three_figures(tiny_kb):
    md = trends_page(tiny_kb)
    for div in ("trend-by-area", "trend-by-component", "component-by-year", "cooccurrence"):
        assert f'id="{div}"' in md
    assert "cdn" not in md.lower() and "<script src" not in md


def test_explorer_data_covers_the_graph(tiny_kb):
    graph = build_graph(tiny_kb)
    data = explorer_data(graph)
    assert len(data.nodes) == graph.number_of_nodes()
    assert sum(len(v) for v in data.edges.values()) == graph.number_of_edges()
    assert set(data.edges) == {"parent", "uses", "builds_on"}
    for node in data.nodes:
        # the URL, taken relative to explorer/, must be the node's page
        page_url = posixpath.normpath(posixpath.join("explorer", node.url))
        expected = _md.url_of(
            _md.paper_path(node.id) if node.kind == "paper" else _md.component_path(node.id)
        )
        assert page_url + "/" == expected
    again = explorer_data(graph)
    assert [(n.x, n.y) for n in again.nodes] == [(n.x, n.y) for n in data.nodes]  # seeded


def test_explorer_figure_and_click_handler(tiny_kb):
    graph = build_graph(tiny_kb)
    data = explorer_data(graph)
    fig = explorer_figure(data, {"quantization": "Quantization"})
    clickable = [t for t in fig.data if t.customdata is not None]
    assert sum(len(t.customdata) for t in clickable) == len(data.nodes)
    md = explorer_page(tiny_kb, graph)
    assert 'on("plotly_click"' in md and 'id="explorer-graph"' in md


def test_record_id_handles_prefixed_keys():
    assert record_id("paper:abc2020-x", {"kind": "paper"}) == "abc2020-x"
    assert record_id("gdn", {"kind": "component"}) == "gdn"
    assert record_id("n1", {"kind": "paper", "id": "abc2020-x"}) == "abc2020-x"
