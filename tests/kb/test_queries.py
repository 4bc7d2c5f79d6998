"""KnowledgeBase lookups and the table/trend queries on the passing fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from lic_bench.errors import UsageError
from lic_bench.kb import UnknownIdError, components_table, load_kb, papers_table, trends


@pytest.fixture(scope="module")
def kb(kb_fixtures: Path):
    return load_kb(kb_fixtures / "pass")


def ids(rows):
    return [r["id"] for r in rows]


def test_tree_lookups(kb):
    assert [a.id for a in kb.areas] == ["quantization", "context-models"]
    assert list(kb.components)[:4] == [
        "quantization", "scalar-quantization", "uniform-quantization", "vector-quantization",
    ]
    assert [c.id for c in kb.children("context-models")] == ["sequential", "parallel-decoding"]
    assert [c.id for c in kb.ancestors("uniform-quantization")] == ["quantization", "scalar-quantization"]
    assert kb.ancestors("quantization") == []
    assert kb.descendants("quantization") == {
        "scalar-quantization", "uniform-quantization", "vector-quantization",
    }
    assert kb.descendants("checkerboard") == set()
    assert kb.area_of("checkerboard") == "context-models"


def test_papers_sorted_and_linked(kb):
    assert list(kb.papers) == [
        "adams2018-alpha", "baker2020-beta", "clark2021-gamma", "davis2022-delta", "evans2023-epsilon",
    ]
    assert [p.id for p in kb.papers_using("scalar-quantization")] == ["adams2018-alpha", "baker2020-beta"]
    assert kb.papers_using("scalar-quantization", include_descendants=False) == []
    assert [p.id for p in kb.built_upon_by("clark2021-gamma")] == ["evans2023-epsilon"]
    assert kb.built_upon_by("evans2023-epsilon") == []


def test_unknown_ids_suggest_close_matches(kb):
    with pytest.raises(UnknownIdError, match=r"unknown component 'checkerbord' \(did you mean: checkerboard\?\)"):
        kb.papers_using("checkerbord")
    with pytest.raises(UnknownIdError, match="did you mean: vector-quantization"):
        kb.children("VQ")  # an alias points at its node
    with pytest.raises(UnknownIdError, match="unknown paper"):
        kb.built_upon_by("nobody1999-nothing")


def test_papers_table_filters(kb):
    assert ids(papers_table(kb)) == list(kb.papers)
    assert ids(papers_table(kb, component="quantization")) == [
        "adams2018-alpha", "baker2020-beta", "davis2022-delta",
    ]
    assert ids(papers_table(kb, component="quantization", since=2019, until=2021)) == ["baker2020-beta"]
    assert ids(papers_table(kb, since=2022)) == ["davis2022-delta", "evans2023-epsilon"]
    assert ids(papers_table(kb, until=2018)) == ["adams2018-alpha"]
    assert ids(papers_table(kb, search="CHECKERBOARD")) == ["clark2021-gamma"]
    assert ids(papers_table(kb, search="evans")) == ["clark2021-gamma", "evans2023-epsilon"]
    assert ids(papers_table(kb, search="evans thesis")) == ["evans2023-epsilon"]
    assert ids(papers_table(kb, search="emile")) == []  # no accent folding in search
    row = papers_table(kb, search="beta")[0]
    assert row["authors"] == ["Carla Baker"] and row["doi"] == "10.1109/TIP.2020.0000001"
    assert {"id", "title", "authors", "year", "venue", "components", "doi", "arxiv", "url"} <= set(row)


def test_components_table(kb):
    rows = {r["id"]: r for r in components_table(kb)}
    assert rows["uniform-quantization"]["parent"] == "scalar-quantization"
    assert rows["uniform-quantization"]["area"] == "quantization"
    assert rows["uniform-quantization"]["depth"] == 2
    assert rows["quantization"]["papers"] == 3
    assert rows["checkerboard"]["implementations"] == []


def test_trends_count_a_two_area_paper_once_in_each(kb):
    rows = trends(kb, by="area")
    assert {"group": "quantization", "year": 2020, "count": 1} in rows
    assert {"group": "context-models", "year": 2020, "count": 1} in rows
    assert sum(r["count"] for r in rows) == 5  # baker2020 twice, evans2023 (no tags) never
    assert trends(kb, by="area", since=2021, until=2021) == [
        {"group": "context-models", "year": 2021, "count": 1}
    ]


def test_trends_by_component_counts_subtrees(kb):
    rows = {(r["group"], r["year"]): r["count"] for r in trends(kb, by="component")}
    assert rows[("scalar-quantization", 2018)] == 1
    assert rows[("uniform-quantization", 2020)] == 1
    assert rows[("parallel-decoding", 2021)] == 1
    assert "quantization" not in {g for g, _ in rows}  # areas are what by="area" is for
    with pytest.raises(UsageError, match="group by"):
        trends(kb, by="venue")  # type: ignore[arg-type]
