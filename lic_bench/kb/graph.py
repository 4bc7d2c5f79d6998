"""The knowledge base as a networkx graph, and writing it as GraphML, GEXF or JSON.

Nodes are components (``kind="component"``) and papers (``kind="paper"``);
edges point from a child to its parent (``kind="parent"``), from a paper to the
components it uses (``kind="uses"``) and from a paper to the papers it builds on
(``kind="builds_on"``). Attribute values are plain strings and integers so that
every export format can hold them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from lic_bench.errors import UsageError

if TYPE_CHECKING:  # networkx is imported lazily: the CLI must start fast
    import networkx as nx

    from lic_bench.kb.base import KnowledgeBase

#: file extension -> format name accepted by :func:`write_graph`
GRAPH_FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "node-link JSON"}


def build_graph(kb: KnowledgeBase) -> nx.DiGraph:
    """A directed graph of components and papers (see the module docstring)."""
    import networkx as nx

    graph = nx.DiGraph()
    for comp in kb.components.values():
        graph.add_node(comp.id, kind="component", label=comp.name, area=comp.area)
    for comp in kb.components.values():
        if comp.parent is not None:
            graph.add_edge(comp.id, comp.parent, kind="parent")
    for paper in kb.papers.values():
        graph.add_node(
            paper.id,
            kind="paper",
            label=paper.title,
            year=paper.year,
            # A paper may span several areas; GraphML and GEXF cannot hold lists.
            area=",".join(kb.areas_of_paper(paper)),
        )
    for paper in kb.papers.values():
        for cid in paper.components:
            if cid in kb.components:
                graph.add_edge(paper.id, cid, kind="uses")
        for ref in kb.builds_on(paper.id):  # former ids resolved
            graph.add_edge(paper.id, ref.id, kind="builds_on")
    return graph


def write_graph(graph: nx.DiGraph, path: Path, *, force: bool = True) -> str:
    """Write ``graph`` in the format given by the extension of ``path``; return its name.

    Through :mod:`lic_bench.safe_write`: an existing file is kept unless ``force``."""
    import networkx as nx

    path = Path(path)
    fmt = GRAPH_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"cannot tell the graph format from {path.name!r}: use one of "
            + ", ".join(GRAPH_FORMATS)
        )
    from lic_bench import safe_write

    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("graphml", "gexf"):
        with safe_write.open_atomic(path, "wb", force=force) as fh:
            (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, fh)
        return fmt
    data = nx.node_link_data(graph, edges="edges")
    safe_write.write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n", force=force)
    return fmt


def read_graph(path: Path) -> nx.DiGraph:
    """Read a graph written by :func:`write_graph` (used by tests and the site)."""
    import networkx as nx

    path = Path(path)
    fmt = GRAPH_FORMATS.get(path.suffix.lower())
    if fmt == "graphml":
        return nx.read_graphml(path)
    if fmt == "gexf":
        return nx.read_gexf(path)
    if fmt is None:
        raise UsageError(f"unknown graph format {path.suffix!r}")
    data = json.loads(path.read_text(encoding="utf-8"))
    return nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
