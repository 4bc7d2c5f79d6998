"""The trends page: papers per year (stacked by area / by component) and a co-occurrence map.

The co-occurrence heatmap is a gap finder: cell (a, b) counts the papers tagged with
both components, so a zero marks a combination nobody has published yet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from lic_bench.site import _md
from lic_bench.site._plotly import AREA_COLOURS, figure_html, plain

TOP_COMPONENTS = 12
# Distinct colours for component stacks (plotly's default cycle repeats after ten).
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
    "#637939",
    "#843c39",
    "#7b4173",
    "#3182bd",
]
# Material front matter: the charts get the full width (the tabs still navigate).
WIDE_PAGE = _md.front_matter(hide=("navigation", "toc"), full_width=True)


@dataclass
class Cooccurrence:
    """Symmetric matrix over ``ids``: ``counts[i][j]`` = papers tagged with both.

    The diagonal holds how many papers use each component at all.
    """

    ids: list[str]
    counts: list[list[int]]

    def get(self, a: str, b: str) -> int:
        return self.counts[self.ids.index(a)][self.ids.index(b)]

    def gaps(self) -> list[tuple[str, str]]:
        """Pairs never combined in one paper, each once (above the diagonal)."""
        n = len(self.ids)
        return [
            (self.ids[i], self.ids[j])
            for i in range(n)
            for j in range(i + 1, n)
            if self.counts[i][j] == 0
        ]


def _tree_order(kb: Any) -> list[str]:
    """Component ids area by area, depth first, so related nodes sit together."""
    order: list[str] = []

    def walk(cid: str) -> None:
        order.append(cid)
        for kid in kb.children(cid):
            walk(kid if isinstance(kid, str) else kid.id)

    for area in kb.areas:
        walk(area if isinstance(area, str) else area.id)
    seen = set(order)
    order += sorted(c for c in kb.components if c not in seen)
    return order


def involved(kb: Any, paper: Any) -> set[str]:
    """The components a paper contributes (``components``) or uses (``kb.uses``: listed
    under ``uses`` or inherited through ``builds_on``)."""
    used = kb.uses(paper.id) if hasattr(kb, "uses") else {}
    return {c for c in [*paper.components, *used] if c in kb.components}


def cooccurrence(kb: Any, min_papers: int = 1) -> Cooccurrence:
    """Co-occurrence of the components papers contribute or use (see :func:`involved`).

    A pair counts as combined when one paper has both, whichever role each plays: a
    paper contributing an adversarial decoder on top of ELIC's checkerboard context has
    combined the two. Only components with at least ``min_papers`` papers are kept (a
    row of zeros says nothing).
    """
    per_paper = [sorted(involved(kb, p)) for p in kb.papers.values()]
    uses = Counter(c for comps in per_paper for c in comps)
    ids = [c for c in _tree_order(kb) if uses[c] >= min_papers]
    index = {c: i for i, c in enumerate(ids)}
    counts = [[0] * len(ids) for _ in ids]
    for comps in per_paper:
        kept = [c for c in comps if c in index]
        for c in kept:
            counts[index[c]][index[c]] += 1
        for a, b in combinations(kept, 2):
            counts[index[a]][index[b]] += 1
            counts[index[b]][index[a]] += 1
    return Cooccurrence(ids, counts)


def notable_gaps(kb: Any, co: Cooccurrence, n: int = 12) -> list[tuple[str, str, int, int]]:
    """Pairs from different areas never combined, most-used first: (a, b, uses a, uses b).

    A pair of two popular components nobody has put in one model is more telling than
    two niche ones, so pairs are ranked by the smaller of the two usage counts.
    """
    uses = {c: co.counts[i][i] for i, c in enumerate(co.ids)}
    # A paper with a node below ``a`` (mixed quantization is a uniform quantization) has
    # combined ``a`` too: such pairs are no gap, though their cell, of direct tags, is 0.
    below = {c: {c, *kb.descendants(c)} for c in co.ids}
    per_paper = [involved(kb, p) for p in kb.papers.values()]

    def combined(a: str, b: str) -> bool:
        return any(below[a] & tags and below[b] & tags for tags in per_paper)

    pairs = [(a, b, uses[a], uses[b]) for a, b in co.gaps()
             if kb.area_of(a) != kb.area_of(b) and not combined(a, b)]
    pairs.sort(key=lambda p: (-min(p[2], p[3]), -max(p[2], p[3]), p[0], p[1]))
    return pairs[:n]


def _gaps_table(kb: Any, gaps: list[tuple[str, str, int, int]]) -> str:
    def name(cid: str) -> str:
        return _md.link(kb.components[cid].name, _md.rel(_md.TRENDS, _md.component_path(cid)))

    rows = [[name(a), str(na), name(b), str(nb)] for a, b, na, nb in gaps]
    return _md.table(["Component", "papers with it", "never combined with", "papers with it"], rows)


def _area_name(kb: Any, area: str) -> str:
    comp = kb.components.get(area)
    return plain(comp.name) if comp is not None else area


def stacked_bars(
    rows: list[dict[str, Any]],
    names: dict[str, str],
    title: str,
    yaxis: str,
    palette: bool = False,
):
    """A stacked bar chart from ``[{"group", "year", "count"}]`` rows (one trace per group)."""
    import plotly.graph_objects as go

    by_group: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        by_group[row["group"]][int(row["year"])] = (
            by_group[row["group"]].get(int(row["year"]), 0) + row["count"]
        )
    # Years as categories: one paper from 1985 must not squeeze thirty empty years in;
    # a run of empty years shows as one labelled gap ("1986–2015"), not as nothing.
    years = sorted({y for counts in by_group.values() for y in counts})
    slots: list[tuple[str, int | None]] = []
    for k, y in enumerate(years):
        if k and y - years[k - 1] > 2:
            slots.append((f"{years[k - 1] + 1}–{y - 1}", None))
        elif k and y - years[k - 1] == 2:
            slots.append((str(y - 1), None))
        slots.append((str(y), y))
    fig = go.Figure()
    for i, group in enumerate(by_group):  # first-seen order: rows come in taxonomy order
        counts = by_group[group]
        fig.add_bar(
            x=[label for label, _ in slots],
            y=[counts.get(y, 0) if y is not None else 0 for _, y in slots],
            name=names.get(group, group),
            marker_color=PALETTE[i % len(PALETTE)] if palette else AREA_COLOURS.get(group),
            hovertemplate=f"{names.get(group, group)}<br>%{{x}}: %{{y}}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        title=title,
        xaxis={"title": "year (a range: years without papers)", "type": "category",
               "categoryorder": "array", "categoryarray": [label for label, _ in slots]},
        yaxis={"title": yaxis},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        margin={"t": 50, "r": 10},
        height=520,
    )
    return fig


def tagged_by_year(kb: Any) -> list[dict[str, Any]]:
    """``[{"group", "year", "count"}]``: papers tagged *directly* with each component.

    Unlike ``lic_bench.kb.trends(by="component")``, a parent does not count its
    children's papers, so broad nodes do not crowd out the specific ones they contain.
    """
    counts: Counter = Counter()
    for paper in kb.papers.values():
        for cid in set(paper.components):
            if cid in kb.components:
                counts[(cid, paper.year)] += 1
    order = {cid: i for i, cid in enumerate(_tree_order(kb))}
    return [
        {"group": cid, "year": year, "count": n}
        for (cid, year), n in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]


def top_components(rows: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The rows of the ``n`` groups with the highest totals (ties: first seen wins)."""
    totals: Counter = Counter()
    for row in rows:
        totals[row["group"]] += row["count"]
    keep = {g for g, _ in totals.most_common(n)}
    return [row for row in rows if row["group"] in keep]


def component_year_figure(kb: Any, rows: list[dict[str, Any]]):
    """Every tagged component (rows, taxonomy order) against year: a compact overview."""
    import plotly.graph_objects as go

    ids = list(dict.fromkeys(r["group"] for r in rows))
    years = sorted({int(r["year"]) for r in rows})
    z = [[0] * len(years) for _ in ids]
    for r in rows:
        z[ids.index(r["group"])][years.index(int(r["year"]))] += r["count"]
    labels = [plain(kb.components[c].name) for c in ids]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=labels,
            colorscale=[[0, "#ffffff"], [0.0001, "#dbe9f6"], [1, "#08306b"]],
            zmin=0,
            colorbar={"title": "papers"},
            xgap=1,
            ygap=1,
            hovertemplate="%{y}, %{x}: %{z} paper(s)<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(400, 15 * len(ids) + 120),
        xaxis={"type": "category", "side": "top"},
        yaxis={"autorange": "reversed", "tickfont": {"size": 9}},
        margin={"l": 230, "t": 40},
    )
    _area_bands(kb, fig, ids, rows_only=True)
    return fig


def cooccurrence_figure(kb: Any, co: Cooccurrence):
    import plotly.graph_objects as go

    labels = [plain(kb.components[c].name) for c in co.ids]
    areas = [_area_name(kb, kb.area_of(c)) for c in co.ids]
    text = [
        [
            f"{labels[i]} + {labels[j]}: "
            + (f"{co.counts[i][j]} paper(s)" if co.counts[i][j] else "never combined")
            if i != j
            else f"{labels[i]} ({areas[i]}): {co.counts[i][i]} paper(s)"
            for j in range(len(co.ids))
        ]
        for i in range(len(co.ids))
    ]
    # Zeros are the point of the chart: show them white, any use in colour. The scale
    # tops out at the largest pair count; the diagonal (uses per component) saturates.
    n = len(co.ids)
    peak = max((co.counts[i][j] for i in range(n) for j in range(n) if i != j), default=1)
    peak = max(peak, 1)
    fig = go.Figure(
        go.Heatmap(
            z=co.counts,
            x=labels,
            y=labels,
            text=text,
            hovertemplate="%{text}<extra></extra>",
            colorscale=[[0, "#ffffff"], [0.0001, "#dbe9f6"], [1, "#08306b"]],
            zmin=0,
            zmax=peak,
            colorbar={"title": "papers"},
            xgap=1,
            ygap=1,
        )
    )
    size = max(420, 16 * len(co.ids) + 220)
    fig.update_layout(
        title="Components used together in one paper (white: never combined)",
        height=size,
        xaxis={"tickangle": -60, "tickfont": {"size": 9}},
        yaxis={"autorange": "reversed", "tickfont": {"size": 9}},
        margin={"l": 200, "b": 200},
    )
    _area_bands(kb, fig, co.ids)
    return fig


def _area_bands(kb: Any, fig: Any, ids: list[str], rows_only: bool = False) -> None:
    """Thin lines between the areas of a heatmap whose rows (and columns) are ``ids``."""
    areas = [kb.area_of(c) for c in ids]
    cuts = [i for i in range(1, len(ids)) if areas[i] != areas[i - 1]]
    for i in cuts:
        line = {"color": "#888", "width": 1}
        fig.add_shape(
            type="line", xref="paper", x0=0, x1=1, yref="y", y0=i - 0.5, y1=i - 0.5, line=line
        )
        if not rows_only:
            fig.add_shape(
                type="line", yref="paper", y0=0, y1=1, xref="x", x0=i - 0.5, x1=i - 0.5, line=line
            )


def area_trend_html(kb: Any, area: str) -> str:
    """Papers per year in one area, stacked by the area's top-level branches ("" if none)."""
    from lic_bench.kb import trends

    branches = [k if isinstance(k, str) else k.id for k in kb.children(area)]
    rows = [r for r in trends(kb, by="component") if r["group"] in branches]
    if not rows:
        return ""
    names = {cid: plain(kb.components[cid].name) for cid in branches}
    fig = stacked_bars(rows, names, "", "papers")
    fig.update_layout(height=380, margin={"t": 20})
    return "\n".join(
        [
            "## Papers per year",
            "",
            "Stacked by branch; a paper tagged in two branches counts in both.",
            "",
            figure_html(fig, f"area-trend-{area}"),
            "",
        ]
    )


#: the survey whose view the trends page offers next to the corrected records
DEFAULT_SURVEY = "ferrari2025-registry"

VIEW_SCRIPT = """<script>
(function () {
  var inputs = document.querySelectorAll('input[name="lb-view"]');
  function show() {
    var chosen = document.querySelector('input[name="lb-view"]:checked');
    if (!chosen) { return; }
    document.querySelectorAll(".lb-view").forEach(function (panel) {
      var on = panel.getAttribute("data-view") === chosen.value;
      panel.hidden = !on;
      if (on && window.Plotly) {
        panel.querySelectorAll(".plotly-graph-div").forEach(function (div) {
          if (div.data) { window.Plotly.Plots.resize(div); }
        });
      }
    });
  }
  inputs.forEach(function (input) { input.addEventListener("change", show); });
  show();
})();
</script>"""


def _view_panels(views: list[tuple[str, str, Any]], render) -> str:
    """One ``<div class="lb-view">`` per view (all but the first hidden), each holding
    ``render(kb, suffix)``: raw HTML only, no blank line, so Markdown leaves it whole."""
    parts = []
    for i, (key, _, view) in enumerate(views):
        suffix = "" if i == 0 else f"--{key}"
        hidden = " hidden" if i else ""
        body = render(view, suffix)
        parts.append(f'<div class="lb-view" data-view="{_md.esc(key)}"{hidden}>{body}</div>')
    return "\n".join(parts)


def _switch(views: list[tuple[str, str, Any]]) -> str:
    if len(views) < 2:
        return ""
    options = "".join(
        f'<label><input type="radio" name="lb-view" value="{_md.esc(key)}"'
        f'{" checked" if i == 0 else ""}> {_md.esc(label)}</label>'
        for i, (key, label, _) in enumerate(views)
    )
    return f'<div class="lb-view-switch" role="radiogroup" aria-label="Which records">{options}</div>'


def all_records_label(kb: Any) -> str:
    """What the "all records" view holds: how many records, and how many carry facts
    no primary source confirmed (their ``verified.unverified`` list, or no check at all)."""
    partly = unchecked = 0
    label = f"All {len(kb.papers)} records, as corrected"
    for paper in kb.papers.values():
        verified = getattr(paper, "verified", None)
        if verified is None:
            unchecked += 1
        elif not hasattr(verified, "unverified"):
            return label  # a record format this count does not know: claim nothing
        elif verified.unverified:
            partly += 1
    notes = ([f"{partly} with unconfirmed fields"] if partly else []) + (
        [f"{unchecked} never checked"] if unchecked else [])
    return label + (f" ({', '.join(notes)})" if notes else " (every fact checked)")


def trend_views(kb: Any, survey: str | None = DEFAULT_SURVEY) -> list[tuple[str, str, Any]]:
    """``(key, label, knowledge base)``: every record with corrected facts, then the
    survey's view when some record carries an entry for it."""
    views = [("all", all_records_label(kb), kb)]
    counts = kb.surveys() if hasattr(kb, "surveys") else {}
    if survey and counts.get(survey):
        views.append((survey, f"As the survey {survey} saw them ({counts[survey]} papers)",
                      kb.survey_view(survey)))
    return views


def trends_page(kb: Any, survey: str | None = DEFAULT_SURVEY) -> str:
    """Markdown (with inline plotly figures) for ``trends/``.

    The per-year charts are drawn twice when papers carry ``surveys.<survey>`` entries:
    for every record with its verified facts, and as that survey saw the field (its
    selection, its years); a switch shows one at a time. The co-occurrence map uses
    every record.
    """
    from lic_bench.kb import trends

    names = {cid: plain(comp.name) for cid, comp in kb.components.items()}
    views = trend_views(kb, survey)
    by_comp = tagged_by_year(kb)
    n_comp = len({r["group"] for r in by_comp})
    co = cooccurrence(kb)
    gaps = [(a, b) for a, b in co.gaps() if kb.area_of(a) != kb.area_of(b)]

    def area_chart(view: Any, suffix: str) -> str:
        rows = trends(view, by="area")
        return figure_html(
            stacked_bars(rows, names, "Papers per year by area", "papers"), f"trend-by-area{suffix}"
        )

    def component_charts(view: Any, suffix: str) -> str:
        rows = tagged_by_year(view)
        top = stacked_bars(
            top_components(rows, TOP_COMPONENTS),
            names,
            "Papers per year by component",
            "papers tagged with the component",
            palette=True,
        )
        return (
            figure_html(top, f"trend-by-component{suffix}")
            + "\n"
            + figure_html(component_year_figure(view, rows), f"component-by-year{suffix}")
        )

    intro = (
        f"Counted from the {len(kb.papers)} paper records of the knowledge base; a paper "
        "tagged with components from several areas counts once in each."
    )
    if len(views) > 1:
        intro += (
            f" The switch below redraws the per-year charts as the survey `{survey}` saw the "
            "field: only the papers it lists, in the years it gives (some records were "
            "corrected since), so its own trend figures can be checked."
        )
    out = [
        WIDE_PAGE,
        "# Publication trends",
        "",
        intro,
        "",
    ]
    switch = _switch(views)
    if switch:
        out += [switch, ""]
    out += [
        "## Papers per year by area",
        "",
        _view_panels(views, area_chart),
        "",
        "## Papers per year by component",
        "",
        f"The {min(TOP_COMPONENTS, n_comp)} components papers are most often tagged with "
        f"(of {n_comp}); a paper tagged with two of them counts in both bars. The map "
        "below shows every tagged component.",
        "",
        _view_panels(views, component_charts),
        "",
    ]
    if switch:
        out += [VIEW_SCRIPT, ""]
    out += [
        "## Which components were combined?",
        "",
        f"{len(co.ids)} components that at least one paper contributes or uses (its `uses`, "
        "listed or inherited through `builds_on`). A white cell is a "
        f"pair no paper in the knowledge base combines: {len(gaps)} such pairs span two "
        "different areas. Some are gaps worth a study, others are alternatives that "
        "exclude each other (two quantizers in one model).",
        "",
        figure_html(cooccurrence_figure(kb, co), "cooccurrence"),
        "",
        "### Widely used, never combined",
        "",
        "Pairs from different areas, each contributed or used by several papers, that no "
        "paper has together in either role; ranked by the less used of the two.",
        "",
        _gaps_table(kb, notable_gaps(kb, co)) if gaps else "Every cross-area pair is covered.",
        "",
        f"See also the [graph explorer]({_md.rel(_md.TRENDS, _md.EXPLORER)}) and the "
        f"[table of all papers]({_md.rel(_md.TRENDS, _md.PAPERS_INDEX)}).",
        "",
    ]
    return "\n".join(out)
