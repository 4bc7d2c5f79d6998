"""Checks across records for the fields that keep the knowledge base alive over time.

Former ids (``aliases``), survey views (``surveys``), ``verified`` entries and the
taxonomy's ``defining_papers``. :func:`lic_bench.kb._load.read_kb` runs them on the
records that passed the schema; each defect is one :class:`Problem`.

Decision on former ids in references: a ``builds_on``, survey key or defining paper
that names a former id is *reported* with the current id to write (see
``_load._load_papers``), not silently accepted, so that the records themselves use one
name everywhere; code and results files written before a rename (registry
``papers=[...]``, ``meta.papers``) resolve former ids through
:meth:`KnowledgeBase.resolve` instead, since nobody should edit those by hand.
"""

from __future__ import annotations

from lic_bench.kb._verified import verified_problems
from lic_bench.kb.problems import Problem, unknown_id_message
from lic_bench.kb.schema import MIN_YEAR, Component, Paper, max_year


def alias_map(papers: dict[str, Paper]) -> dict[str, str]:
    """Former id -> current id, for aliases that are no record's id (first record wins)."""
    out: dict[str, str] = {}
    for pid, paper in papers.items():
        for alias in paper.aliases:
            if alias not in papers:
                out.setdefault(alias, pid)
    return out


def _paper_ref(
    rel: str, field: str, ref: str, papers: dict[str, Paper], aliases: dict[str, str], what: str
) -> Problem | None:
    """A problem when ``ref`` is not a current paper id (a former id names its successor)."""
    if ref in papers:
        return None
    if ref in aliases:
        return Problem(rel, field, f"{ref!r} is a former id of {aliases[ref]!r}: write {aliases[ref]!r}")
    known = {pid: [p.title, *p.aliases] for pid, p in papers.items()}
    return Problem(rel, field, unknown_id_message(what, ref, known))


def paper_problems(
    papers: dict[str, tuple[Paper, str]], components: dict[str, Component], rejected: set[str]
) -> list[Problem]:
    """Aliases, surveys and ``verified`` of every paper (``papers``: id -> (record, file))."""
    records = {pid: p for pid, (p, _) in papers.items()}
    aliases = alias_map(records)
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for pid, (paper, rel) in papers.items():
        for alias in paper.aliases:
            if alias == pid:
                problems.append(Problem(rel, "aliases", f"{alias!r} is this record's own id"))
            elif alias in records:
                problems.append(
                    Problem(rel, "aliases", f"{alias!r} is the id of papers/{alias}.yaml, not a former id")
                )
            elif alias in owner:
                problems.append(Problem(rel, "aliases", f"{alias!r} is also a former id in {owner[alias]}"))
            else:
                owner[alias] = rel
        for key, view in paper.surveys.items():
            field = f"surveys.{key}"
            if key == pid or aliases.get(key) == pid:
                problems.append(Problem(rel, field, "a record cannot be a survey of itself"))
                continue
            bad = _paper_ref(rel, field, key, records, aliases, "survey record")
            if bad is not None:
                problems.append(bad)
            if view.year is not None and not MIN_YEAR <= view.year <= max_year():
                problems.append(
                    Problem(rel, f"{field}.year", f"year {view.year} is not between {MIN_YEAR} and {max_year()}")
                )
            for cid in view.components or []:
                if cid in rejected:
                    problems.append(
                        Problem(rel, f"{field}.components", f"component {cid!r} fails the taxonomy checks")
                    )
                elif cid not in components:
                    known = {c: [comp.name, *comp.aliases] for c, comp in components.items()}
                    problems.append(
                        Problem(rel, f"{field}.components", unknown_id_message("component", cid, known))
                    )
            if view.components is not None and len(set(view.components)) != len(view.components):
                problems.append(Problem(rel, f"{field}.components", "lists the same id twice"))
        problems.extend(verified_problems(paper, rel))
    return problems


def taxonomy_problems(components: list[Component], papers: dict[str, Paper]) -> list[Problem]:
    """``defining_papers`` name current records; ``beyond-seed`` nodes have at least one."""
    aliases = alias_map(papers)
    problems: list[Problem] = []
    for comp in components:
        rel = f"taxonomy/{comp.area}.yaml"
        field = f"{comp.id}.defining_papers"
        if comp.origin == "beyond-seed" and not comp.defining_papers:
            problems.append(Problem(rel, field, "a beyond-seed node names the papers that define it"))
        for ref in comp.defining_papers:
            bad = _paper_ref(rel, field, ref, papers, aliases, "paper")
            if bad is not None:
                problems.append(bad)
    return problems
