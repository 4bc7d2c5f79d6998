"""Tabular queries over the knowledge base: papers, components, publication trends.

Each function returns a list of plain dicts (one per row) so the CLI can print
them as a table, JSON or CSV and the site can render them without conversion.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Literal

from lic_bench.errors import UsageError

if TYPE_CHECKING:
    from lic_bench.kb.base import KnowledgeBase
    from lic_bench.kb.schema import Paper


def _in_years(year: int, since: int | None, until: int | None) -> bool:
    return (since is None or year >= since) and (until is None or year <= until)


def _matches(paper: Paper, words: list[str]) -> bool:
    haystack = " ".join(
        [paper.id, " ".join(paper.aliases), paper.title, " ".join(paper.authors), paper.venue or "",
         paper.doi or "", paper.arxiv or "", paper.notes or ""]
    ).casefold()
    return all(word in haystack for word in words)


def paper_row(paper: Paper) -> dict:
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "year": paper.year,
        "venue": paper.venue,
        "components": list(paper.components),
        "builds_on": list(paper.builds_on),
        "doi": paper.doi,
        "arxiv": paper.arxiv,
        "url": paper.url,
        "code": list(paper.code),
        "aliases": list(paper.aliases),
    }


def papers_table(
    kb: KnowledgeBase,
    component: str | None = None,
    since: int | None = None,
    until: int | None = None,
    search: str | None = None,
) -> list[dict]:
    """Papers by (year, id), optionally filtered.

    ``component`` keeps papers tagged with it or any node below it; ``since`` and
    ``until`` are inclusive years; ``search`` keeps papers whose id, former ids,
    title, authors, venue, DOI, arXiv id or notes contain every whitespace-separated
    word (case-insensitive). For a survey's view pass ``kb.survey_view(id)``.
    """
    papers = kb.papers_using(component) if component else list(kb.papers.values())
    words = search.casefold().split() if search else []
    return [
        paper_row(p)
        for p in papers
        if _in_years(p.year, since, until) and (not words or _matches(p, words))
    ]


def components_table(kb: KnowledgeBase) -> list[dict]:
    """Every component in taxonomy order with its place in the tree, the papers that
    contribute it (``papers``) and those that only use it (``uses``)."""
    rows = []
    for comp in kb.components.values():
        rows.append(
            {
                "id": comp.id,
                "name": comp.name,
                "parent": comp.parent,
                "area": comp.area,
                "depth": len(kb.ancestors(comp.id)),
                "papers": len(kb.papers_using(comp.id)),
                # papers that use it (or a node below) without contributing it: KnowledgeBase.uses
                "uses": len(kb.papers_relying_on(comp.id)),
                "implementations": list(comp.implementations),
                "aliases": list(comp.aliases),
                "summary": comp.summary,
            }
        )
    return rows


def trends(
    kb: KnowledgeBase,
    by: Literal["area", "component"] = "area",
    since: int | None = None,
    until: int | None = None,
) -> list[dict]:
    """Papers per group and year: rows ``{"group", "year", "count"}``.

    ``by="area"``: a paper counts once in every area it is tagged in.
    ``by="component"``: a paper counts once for every component it is tagged with
    and for each of their ancestors below the area (so a node's count includes
    its subtree, as in :func:`papers_table`). Rows follow taxonomy order, then
    year; groups without papers in a year are left out.
    """
    if by not in ("area", "component"):
        raise UsageError(f"trends can group by 'area' or 'component', not {by!r}")
    counts: Counter[tuple[str, int]] = Counter()
    for paper in kb.papers.values():
        if not _in_years(paper.year, since, until):
            continue
        if by == "area":
            groups = set(kb.areas_of_paper(paper))
        else:
            groups = set()
            for cid in paper.components:
                if cid in kb.components:
                    groups.add(cid)
                    groups.update(a.id for a in kb.ancestors(cid) if a.parent is not None)
        for group in groups:
            counts[(group, paper.year)] += 1
    order = {cid: i for i, cid in enumerate(kb.components)}
    return [
        {"group": group, "year": year, "count": n}
        for (group, year), n in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 0), kv[0][1]))
    ]
