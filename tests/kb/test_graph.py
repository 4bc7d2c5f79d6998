"""The component/paper graph and its three export formats."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from lic_bench.errors import UsageError
from lic_bench.kb import build_graph, load_kb, read_graph, write_graph


@pytest.fixture(scope="module")
def graph(kb_fixtures: Path) -> nx.DiGraph:
    return build_graph(load_kb(kb_fixtures / "pass"))


def test_nodes_and_edges(graph):
    assert graph.number_of_nodes() == 9 + 5
    assert graph.nodes["gdn" if "gdn" in graph else "checkerboard"]["kind"] == "component"
    beta = graph.nodes["baker2020-beta"]
    assert beta == {
        "kind": "paper", "label": "Beta Context Models with Rounding", "year": 2020,
        "area": "quantization,context-models",
    }
    assert graph.edges["checkerboard", "parallel-decoding"]["kind"] == "parent"
    assert graph.edges["baker2020-beta", "autoregressive-context"]["kind"] == "uses"
    assert graph.edges["baker2020-beta", "adams2018-alpha"]["kind"] == "builds_on"
    kinds = [d["kind"] for _, _, d in graph.edges(data=True)]
    assert kinds.count("parent") == 9 - 2
    assert kinds.count("uses") == 5
    assert kinds.count("builds_on") == 4


@pytest.mark.parametrize("ext", [".graphml", ".gexf", ".json"])
def test_export_round_trips_through_networkx(graph, tmp_path: Path, ext: str):
    path = tmp_path / f"kb{ext}"
    write_graph(graph, path)
    back = read_graph(path)
    assert set(back.nodes) == set(graph.nodes)
    assert {(u, v) for u, v in back.edges} == {(u, v) for u, v in graph.edges}
    assert back.nodes["clark2021-gamma"]["label"] == "Gamma: Checkerboard Decoding"
    assert int(back.nodes["clark2021-gamma"]["year"]) == 2021
    assert back.edges["clark2021-gamma", "baker2020-beta"]["kind"] == "builds_on"


def test_graphml_is_plain_networkx_readable(graph, tmp_path: Path):
    path = tmp_path / "kb.graphml"
    write_graph(graph, path)
    assert nx.read_graphml(path).nodes["adams2018-alpha"]["kind"] == "paper"


def test_unknown_extension_is_a_usage_error(graph, tmp_path: Path):
    with pytest.raises(UsageError, match=r"use one of \.graphml, \.gexf, \.json"):
        write_graph(graph, tmp_path / "kb.dot")
    assert not (tmp_path / "kb.dot").exists()
