"""The graph explorer: the knowledge-base graph as an interactive plotly scatter.

Components are coloured by area, papers by year; edges are the taxonomy (parent), the
tags (uses) and citations between papers (builds_on). The layout is computed here in
Python (networkx spring layout, fixed seed, so rebuilding gives the same picture), and a
few lines of JavaScript open a node's page when it is clicked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lic_bench.site import _md
from lic_bench.site._plotly import AREA_COLOURS, figure_html, plain
from lic_bench.site.trends import WIDE_PAGE

DIV_ID = "graph-explorer"
EDGE_STYLES = {
    "parent": {"color": "rgba(90,90,90,0.55)", "width": 1.4, "dash": "solid"},
    "uses": {"color": "rgba(150,150,150,0.25)", "width": 0.7, "dash": "solid"},
    "builds_on": {"color": "rgba(200,80,40,0.45)", "width": 0.9, "dash": "dot"},
}


@dataclass
class ExplorerNode:
    key: Any  # the graph's node key
    id: str  # component or paper id
    kind: str  # "component" | "paper"
    label: str
    x: float
    y: float
    url: str  # relative to the explorer page
    area: str | None = None
    year: int | None = None


@dataclass
class ExplorerData:
    nodes: list[ExplorerNode] = field(default_factory=list)
    edges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # kind -> index pairs


def record_id(key: Any, attrs: dict[str, Any]) -> str:
    """A node's record id whether the graph keys nodes by id or by ``kind:id``."""
    if attrs.get("id"):
        return str(attrs["id"])
    key = str(key)
    kind = attrs.get("kind")
    if kind and key.startswith(f"{kind}:"):
        return key[len(kind) + 1 :]
    return key


def explorer_data(graph: Any, seed: int = 7, page: str = _md.EXPLORER) -> ExplorerData:
    """Positions, labels, page URLs and edges of ``graph`` (``lic_bench.kb.build_graph``)."""
    import networkx as nx

    # Taxonomy edges pull harder than tags so each area stays one visible cluster.
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    for u, v, attrs in graph.edges(data=True):
        weight = {"parent": 3.0, "uses": 1.0, "builds_on": 0.5}.get(attrs.get("kind"), 1.0)
        undirected.add_edge(u, v, weight=weight)
    pos = nx.spring_layout(undirected, seed=seed, weight="weight", iterations=200)

    data = ExplorerData()
    index: dict[Any, int] = {}
    for key in sorted(graph.nodes, key=str):
        attrs = graph.nodes[key]
        kind = attrs.get("kind", "component")
        rid = record_id(key, attrs)
        target = _md.paper_path(rid) if kind == "paper" else _md.component_path(rid)
        index[key] = len(data.nodes)
        x, y = pos[key]
        data.nodes.append(
            ExplorerNode(
                key=key,
                id=rid,
                kind=kind,
                label=plain(attrs.get("label") or rid),
                x=float(x),
                y=float(y),
                url=_md.rel_url(page, target),
                area=attrs.get("area"),
                year=attrs.get("year"),
            )
        )
    for u, v, attrs in graph.edges(data=True):
        data.edges.setdefault(attrs.get("kind", "uses"), []).append((index[u], index[v]))
    return data


def _edge_trace(data: ExplorerData, kind: str, pairs: list[tuple[int, int]]):
    import plotly.graph_objects as go

    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in pairs:
        xs += [data.nodes[a].x, data.nodes[b].x, None]
        ys += [data.nodes[a].y, data.nodes[b].y, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line=EDGE_STYLES.get(kind, EDGE_STYLES["uses"]),
        hoverinfo="skip",
        name={"parent": "taxonomy", "uses": "paper uses", "builds_on": "builds on"}.get(kind, kind),
        legendgroup="edges",
    )


def explorer_figure(data: ExplorerData, area_names: dict[str, str]):
    import plotly.graph_objects as go

    fig = go.Figure()
    for kind, pairs in sorted(data.edges.items()):
        fig.add_trace(_edge_trace(data, kind, pairs))
    comps = [n for n in data.nodes if n.kind != "paper"]
    for area in sorted({n.area or "" for n in comps}):
        members = [n for n in comps if (n.area or "") == area]
        fig.add_scatter(
            x=[n.x for n in members],
            y=[n.y for n in members],
            mode="markers",
            marker={
                "size": [16 if n.id == area else 10 for n in members],
                "color": AREA_COLOURS.get(area, "#7f7f7f"),
                "symbol": "diamond",
                "line": {"width": 1, "color": "#fff"},
            },
            text=[n.label for n in members],
            customdata=[n.url for n in members],
            hovertemplate="<b>%{text}</b><br>component<extra></extra>",
            name=area_names.get(area, area or "component"),
        )
    for node in comps:
        if node.id == node.area:  # name the five area roots on the canvas
            fig.add_annotation(
                x=node.x,
                y=node.y,
                text=f"<b>{area_names.get(node.id, node.label)}</b>",
                showarrow=False,
                yshift=16,
                font={"size": 12, "color": AREA_COLOURS.get(node.id, "#333")},
                bgcolor="rgba(255,255,255,0.7)",
            )
    papers = [n for n in data.nodes if n.kind == "paper"]
    if papers:
        years = [n.year or 0 for n in papers]
        # A few classics (a 1985 paper) would wash out the colours of the modern field:
        # the scale starts at the 5th percentile and older papers take its first colour.
        cmin = sorted(years)[len(years) // 20]
        fig.add_scatter(
            x=[n.x for n in papers],
            y=[n.y for n in papers],
            mode="markers",
            marker={
                "size": 8,
                "color": years,
                "colorscale": "Viridis",
                "cmin": cmin,
                "cmax": max(years),
                "colorbar": {
                    "title": "year",
                    "x": 1.0,
                    "len": 0.5,
                    "y": 0.5,
                    "tickformat": "d",
                },
                "line": {"width": 0.5, "color": "#333"},
            },
            text=[n.label for n in papers],
            customdata=[n.url for n in papers],
            hovertemplate="<b>%{text}</b><br>paper, %{marker.color}<extra></extra>",
            name="papers (colour: year)",
        )
    fig.update_layout(
        height=760,
        showlegend=True,
        legend={"orientation": "h", "y": -0.02},
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="closest",
        dragmode="pan",
    )
    return fig


CLICK_SCRIPT = """<script>
(function () {
  var div = document.getElementById("%s");
  if (!div || !div.on) { return; }
  div.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    if (point && typeof point.customdata === "string") {
      window.location.href = new URL(point.customdata, window.location.href).href;
    }
  });
})();
</script>"""


def explorer_page(kb: Any, graph: Any) -> str:
    """Markdown for ``explorer/``."""
    data = explorer_data(graph)
    names = {a if isinstance(a, str) else a.id: "" for a in kb.areas}
    names = {a: plain(kb.components[a].name) if a in kb.components else a for a in names}
    n_papers = sum(1 for n in data.nodes if n.kind == "paper")
    html = figure_html(explorer_figure(data, names), DIV_ID)
    return "\n".join(
        [
            WIDE_PAGE,
            "# Graph explorer",
            "",
            f"{len(data.nodes) - n_papers} components (diamonds, coloured by area) and "
            f"{n_papers} papers (dots, coloured by year). Grey lines are the taxonomy and "
            "the tags, dotted lines a paper building on another. Hover for a name, scroll "
            "to zoom, drag to pan, click a node to open its page; click a legend entry to "
            "hide that group.",
            "",
            html + "\n" + CLICK_SCRIPT % DIV_ID,
            "",
        ]
    )
