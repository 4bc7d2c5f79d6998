"""The graph explorer: the knowledge-base graph as an interactive plotly scatter.

Components are coloured by area, papers by year; edges are the taxonomy (parent), the
tags (uses) and citations between papers (builds_on). The layout is computed here in
Python (a networkx spring layout of the components, fixed seed, papers placed among
the components they use; see :func:`layout`), and a few lines of JavaScript open a
node's page when it is clicked.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from lic_bench.site import _md
from lic_bench.site._plotly import AREA_COLOURS, figure_html, plain
from lic_bench.site.trends import WIDE_PAGE

DIV_ID = "explorer-graph"  # not "graph-explorer": that is the H1's anchor id
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


def _near(node: str, anchors: list[tuple[float, float]], spread: float) -> tuple[float, float]:
    """The centre of ``anchors``, moved by ``node``'s own small offset (so papers near
    the same nodes do not sit on top of each other)."""
    dx, dy = _jitter(node, spread)
    return (sum(x for x, _ in anchors) / len(anchors) + dx, sum(y for _, y in anchors) / len(anchors) + dy)


def _jitter(key: Any, scale: float) -> tuple[float, float]:
    """A small offset fixed by the node's key (no random state: rebuilds draw the same)."""
    digest = hashlib.sha1(str(key).encode()).digest()
    angle = digest[0] / 255 * 2 * math.pi
    radius = scale * (0.35 + 0.65 * digest[1] / 255)
    return radius * math.cos(angle), radius * math.sin(angle)


def layout(graph: Any, seed: int = 7, iterations: int = 200) -> dict[Any, tuple[float, float]]:
    """Node positions: a spring layout of the components, papers placed among theirs.

    A spring layout of the whole graph costs O(nodes²) per iteration: minutes at ten
    thousand papers. The components alone (a few hundred) are laid out as springs:
    taxonomy edges pull hardest so each area stays one cluster, and two components
    used by the same paper pull a little. Each paper then sits at the mean position of
    the components it uses (else of the papers it builds on, else on an outer ring),
    shifted by a small offset fixed by its id, so the picture stays as before: papers
    cluster around their components.
    """
    import networkx as nx

    kinds = {n: graph.nodes[n].get("kind", "component") for n in graph.nodes}
    comps = [n for n in graph.nodes if kinds[n] != "paper"]
    springs = nx.Graph()
    springs.add_nodes_from(comps)
    uses: dict[Any, list[Any]] = {}
    cites: dict[Any, list[Any]] = {}
    for u, v, attrs in graph.edges(data=True):
        kind = attrs.get("kind")
        if kind == "parent" and kinds[u] != "paper" and kinds[v] != "paper":
            springs.add_edge(u, v, weight=3.0)
        elif kind == "builds_on":
            cites.setdefault(u, []).append(v)
        elif kinds[u] == "paper" and kinds[v] != "paper":
            uses.setdefault(u, []).append(v)
    for used in uses.values():
        for i, a in enumerate(used):
            for b in used[i + 1 :]:
                if a != b:
                    weight = springs.get_edge_data(a, b, {}).get("weight", 0.0)
                    if not springs.has_edge(a, b) or weight < 3.0:
                        springs.add_edge(a, b, weight=min(weight + 0.2, 1.0))
    pos: dict[Any, tuple[float, float]] = {}
    if comps:
        placed = nx.spring_layout(springs, seed=seed, weight="weight", iterations=iterations)
        pos = {n: (float(x), float(y)) for n, (x, y) in placed.items()}
    spread = 0.09 if len(comps) > 1 else 0.5
    papers = sorted((n for n in graph.nodes if kinds[n] == "paper"), key=str)
    waiting = []
    for node in papers:
        anchors = [pos[c] for c in uses.get(node, []) if c in pos]
        if anchors:
            pos[node] = _near(node, anchors, spread)
        else:
            waiting.append(node)
    for node in waiting:
        anchors = [pos[c] for c in cites.get(node, []) if c in pos]
        if anchors:
            pos[node] = _near(node, anchors, spread)
        else:  # nothing to sit near: an outer ring, in id order
            dx, dy = _jitter(node, 0.05)
            angle = 2 * math.pi * (hashlib.sha1(str(node).encode()).digest()[2] / 255)
            pos[node] = (1.25 * math.cos(angle) + dx, 1.25 * math.sin(angle) + dy)
    return pos


def explorer_data(graph: Any, seed: int = 7, page: str = _md.EXPLORER) -> ExplorerData:
    """Positions, labels, page URLs and edges of ``graph`` (``lic_bench.kb.build_graph``)."""
    pos = layout(graph, seed=seed)

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
        if node.id == node.area:  # name the area roots on the canvas
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
        cmax = max(years)
        ticks = list(range(cmin, cmax + 1, 2 if cmax - cmin > 8 else 1))
        if ticks[-1] != cmax:
            ticks.append(cmax)
        labels = [f"≤ {y}" if y == cmin and min(years) < cmin else str(y) for y in ticks]
        fig.add_scatter(
            x=[n.x for n in papers],
            y=[n.y for n in papers],
            mode="markers",
            marker={
                "size": 8,
                "color": years,
                "colorscale": "Viridis",
                "cmin": cmin,
                "cmax": cmax,
                "colorbar": {
                    "title": "year",
                    "x": 1.0,
                    "len": 0.6,
                    "y": 0.5,
                    "tickvals": ticks,
                    "ticktext": labels,
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
