"""The loaded knowledge base: the component tree, the papers and lookups between them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lic_bench.errors import UsageError
from lic_bench.kb._cache import read_kb_cached
from lic_bench.kb.problems import KnowledgeBaseError, Problem, UnknownIdError, unknown_id_message
from lic_bench.kb.schema import Component, Paper


class KnowledgeBase:
    """Components (taxonomy order, parents first) and papers (by year, then id).

    Build it with :func:`load_kb`. Every lookup that takes an id raises
    :class:`UnknownIdError` (a one-line user error listing close matches) for an
    id the knowledge base does not hold.
    """

    def __init__(
        self,
        components: Iterable[Component],
        papers: Iterable[Paper],
        root: Path | None = None,
        problems: list[Problem] | None = None,
    ):
        self.root = root
        self.problems: list[Problem] = list(problems or [])
        self.components: dict[str, Component] = {c.id: c for c in components}
        self.papers: dict[str, Paper] = {
            p.id: p for p in sorted(papers, key=lambda p: (p.year, p.id))
        }
        #: former id -> current id (an alias that is also some record's id is ignored:
        #: validation reports it, and the record's own id wins)
        self.aliases: dict[str, str] = {}
        for paper in self.papers.values():
            for alias in paper.aliases:
                if alias not in self.papers:
                    self.aliases.setdefault(alias, paper.id)
        self.areas: list[Component] = [c for c in self.components.values() if c.parent is None]
        self._children: dict[str, list[Component]] = {cid: [] for cid in self.components}
        for comp in self.components.values():
            if comp.parent in self._children:
                self._children[comp.parent].append(comp)
        self._tagged: dict[str, list[Paper]] = {cid: [] for cid in self.components}
        self._built_upon: dict[str, list[Paper]] = {pid: [] for pid in self.papers}
        self._uses: dict[str, dict[str, str | None]] = {}
        self._used_by: dict[str, set[str]] | None = None
        for paper in self.papers.values():
            for cid in paper.components:
                if cid in self._tagged:
                    self._tagged[cid].append(paper)
            for ref in paper.builds_on:
                target = self.resolve(ref)
                if target is not None and target != paper.id:
                    self._built_upon[target].append(paper)

    def __repr__(self) -> str:
        return f"KnowledgeBase({len(self.components)} components, {len(self.papers)} papers)"

    # -- lookups ---------------------------------------------------------------------------
    def component(self, cid: str) -> Component:
        try:
            return self.components[cid]
        except KeyError:
            known = {k: [c.name, *c.aliases] for k, c in self.components.items()}
            raise UnknownIdError(unknown_id_message("component", cid, known)) from None

    def resolve(self, pid: str) -> str | None:
        """The current id of a paper given by its id or a former id (alias); None if unknown."""
        if pid in self.papers:
            return pid
        return self.aliases.get(pid)

    def paper(self, pid: str) -> Paper:
        """The record with id (or former id) ``pid``."""
        found = self.resolve(pid)
        if found is None:
            known = {k: [p.title, *p.aliases] for k, p in self.papers.items()}
            raise UnknownIdError(unknown_id_message("paper", pid, known))
        return self.papers[found]

    def builds_on(self, pid: str) -> list[Paper]:
        """The records ``pid`` builds on (former ids resolved, unknown ones skipped), by year."""
        paper = self.paper(pid)
        found = {self.resolve(ref) for ref in paper.builds_on} - {None, paper.id}
        return sorted((self.papers[f] for f in found), key=lambda p: (p.year, p.id))

    def children(self, cid: str) -> list[Component]:
        """Direct children of ``cid`` in taxonomy order."""
        self.component(cid)
        return list(self._children[cid])

    def ancestors(self, cid: str) -> list[Component]:
        """The chain from the area down to the parent of ``cid`` (``cid`` excluded)."""
        chain: list[Component] = []
        parent = self.component(cid).parent
        while parent is not None:
            comp = self.components[parent]
            chain.append(comp)
            parent = comp.parent
        return chain[::-1]

    def descendants(self, cid: str) -> set[str]:
        """Ids of every node below ``cid`` (``cid`` excluded)."""
        self.component(cid)
        found: set[str] = set()
        todo = [c.id for c in self._children[cid]]
        while todo:
            nid = todo.pop()
            found.add(nid)
            todo.extend(c.id for c in self._children[nid])
        return found

    def area_of(self, cid: str) -> str:
        return self.component(cid).area

    def papers_using(self, cid: str, include_descendants: bool = True) -> list[Paper]:
        """Papers tagged with ``cid`` (or, by default, with any node below it), by year."""
        ids = {cid} | (self.descendants(cid) if include_descendants else set())
        if not include_descendants:
            self.component(cid)
        # From the per-node tag lists, not a scan of every paper: the site asks this for
        # every node, and a scan made that O(nodes x papers).
        found = {p.id: p for node in ids for p in self._tagged[node]}
        return sorted(found.values(), key=lambda p: (p.year, p.id))

    def uses(self, pid: str) -> dict[str, str | None]:
        """Components paper ``pid`` uses without contributing them -> where that comes from.

        The rule (``papers/_template.yaml``, field ``uses``): a paper uses what its
        ``uses:`` lists (value None), and inherits from every paper it directly builds
        on what that paper contributes (``components``) or lists in ``uses`` (value: that
        paper's id), except in the areas where its own record lists a component (in
        ``components`` or ``uses``): what it names there replaces what it built on. What the paper
        contributes is never also counted as used. One level only: a grandparent's
        components reach a paper through its parent's ``uses`` list, not on their own.
        """
        cached = self._uses.get(pid)
        if cached is not None:
            return cached
        paper = self.paper(pid)
        own = set(paper.components)
        own_areas = {self.components[c].area for c in [*own, *paper.uses] if c in self.components}
        found: dict[str, str | None] = {c: None for c in paper.uses if c in self.components and c not in own}
        for parent in self.builds_on(paper.id):
            for cid in [*parent.components, *parent.uses]:
                comp = self.components.get(cid)
                if comp is None or cid in own or cid in found or comp.area in own_areas:
                    continue
                found[cid] = parent.id
        self._uses[pid] = found
        return found

    def papers_relying_on(self, cid: str, include_descendants: bool = True) -> list[Paper]:
        """Papers that use ``cid`` (or a node below it) by :meth:`uses` and are not tagged
        with it or below it (those are :meth:`papers_using`), by year."""
        ids = {cid} | (self.descendants(cid) if include_descendants else set())
        tagged = {p.id for p in self.papers_using(cid, include_descendants)}
        if self._used_by is None:  # component -> ids of papers using it, built once
            self._used_by = {}
            for pid in self.papers:
                for used in self.uses(pid):
                    self._used_by.setdefault(used, set()).add(pid)
        found = set().union(*(self._used_by.get(node, set()) for node in ids)) - tagged
        return [p for p in self.papers.values() if p.id in found]  # by year, as papers are

    def built_upon_by(self, pid: str) -> list[Paper]:
        """Papers whose ``builds_on`` lists ``pid`` (or a former id of it), by year."""
        return list(self._built_upon[self.paper(pid).id])

    # -- surveys ---------------------------------------------------------------------------
    def surveys(self) -> dict[str, int]:
        """Survey record ids that papers carry a ``surveys`` entry for -> how many papers."""
        counts: dict[str, int] = {}
        for paper in self.papers.values():
            for key in paper.surveys:
                sid = self.resolve(key) or key
                counts[sid] = counts.get(sid, 0) + 1
        return counts

    def survey_view(self, survey: str) -> KnowledgeBase:
        """The knowledge base as survey ``survey`` (a paper record's id) saw it.

        Only the papers that carry a ``surveys.<survey>`` entry, each with the survey's
        year and components where the entry gives them (the corrected record's
        otherwise). Components are shared; ``builds_on`` links leaving the selection
        are kept in the records but link nowhere.
        """
        sid = self.resolve(survey)
        if sid is None:
            known = {k: [p.title, *p.aliases] for k, p in self.papers.items()}
            raise UnknownIdError(unknown_id_message("survey record", survey, known))
        papers = []
        for paper in self.papers.values():
            view = next(
                (v for k, v in paper.surveys.items() if (self.resolve(k) or k) == sid), None
            )
            if view is None:
                continue
            changes: dict = {}
            if view.year is not None:
                changes["year"] = view.year
            if view.components is not None:
                changes["components"] = list(view.components)
            papers.append(paper.model_copy(update=changes) if changes else paper)
        if not papers:
            raise UsageError(
                f"no paper carries a `surveys: {{{sid}: ...}}` entry"
                + (f" (surveys with entries: {', '.join(sorted(self.surveys()))})" if self.surveys() else "")
            )
        return KnowledgeBase(self.components.values(), papers, root=self.root, problems=self.problems)

    def areas_of_paper(self, paper: Paper) -> list[str]:
        """Areas a paper is tagged in, each once, in taxonomy order."""
        tagged = {self.components[c].area for c in paper.components if c in self.components}
        return [a.id for a in self.areas if a.id in tagged]


def load_kb(root: Path | None = None, *, strict: bool = True) -> KnowledgeBase:
    """Load ``taxonomy/`` and ``papers/`` under ``root`` (default: the project root).

    With ``strict`` (the default) any problem raises :class:`KnowledgeBaseError`
    listing the first few (``lic-bench kb validate`` lists them all). With
    ``strict=False`` the sound records are kept and the problems are available
    as ``kb.problems``.
    """
    from lic_bench.paths import project_root

    root = Path(root) if root is not None else project_root()
    result = read_kb_cached(root)
    if strict and result.problems:
        raise KnowledgeBaseError(result.problems)
    return KnowledgeBase(result.components, result.papers, root=root, problems=result.problems)


def validate_kb(root: Path | None = None) -> list[Problem]:
    """Every problem in the knowledge base under ``root``, sorted; empty when it is clean."""
    from lic_bench.paths import project_root

    return read_kb_cached(Path(root) if root is not None else project_root()).problems
