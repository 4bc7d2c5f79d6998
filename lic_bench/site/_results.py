"""Which results documents belong on which page, and the "Results" section built from them.

Results are attached by id, never by a mapping table: a document whose ``meta.taxonomy``
names a component (or one of its descendants) appears on that component's page, one whose
``meta.papers`` names a paper on that paper's page. Anchors (``meta.kind == "anchor"``,
classical codecs) carry no taxonomy; they are the reference every RD plot is drawn against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lic_bench.errors import LicBenchError
from lic_bench.results.meta import meta_of
from lic_bench.site import bench, determinism, rd

NO_RESULTS = (
    "No results yet. Results appear here once a run of `lic-bench` writes a results file "
    "whose `meta.{what}` names this page's id (see "
    "[Run the benchmarks]({guide}))."
)
# NO_RESULTS as Markdown renders it, ``guide`` being the URL (for _fragments)
NO_RESULTS_HTML = (
    "No results yet. Results appear here once a run of <code>lic-bench</code> writes a results file "
    "whose <code>meta.{what}</code> names this page's id (see "
    '<a href="{guide}">Run the benchmarks</a>).'
)


def _ids(doc: dict[str, Any], key: str) -> set[str]:
    value = meta_of(doc).get(key) or []
    if isinstance(value, str):
        value = [value]
    return {str(v) for v in value}


def kind_of(doc: dict[str, Any]) -> str:
    return str(meta_of(doc).get("kind", ""))


@dataclass
class ResultSet:
    """Results for one page: RD results, the anchors to compare with, benchmark runs,
    decoding-determinism checks."""

    results: list[dict[str, Any]] = field(default_factory=list)
    anchors: list[dict[str, Any]] = field(default_factory=list)
    bench: list[dict[str, Any]] = field(default_factory=list)
    determinism: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.results or self.bench or self.determinism)


#: Kinds that are not rate-distortion results (drawn by their own renderers). Study
#: cells ("study") are small-scale proxy runs: only the Studies section shows them
#: (lic_bench.site.studies), never an RD chart, BD table or the leaderboard.
NOT_RD = ("anchor", "bench", "determinism", "study")


def anchors_of(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if kind_of(d) == "anchor"]


def _select(docs: list[dict[str, Any]], keep) -> ResultSet:
    chosen = [d for d in docs if kind_of(d) != "anchor" and keep(d)]
    return ResultSet(
        results=[d for d in chosen if kind_of(d) not in NOT_RD],
        anchors=anchors_of(docs),
        bench=[d for d in chosen if kind_of(d) == "bench"],
        determinism=[d for d in chosen if kind_of(d) == "determinism"],
    )


def for_component(docs: list[dict[str, Any]], kb: Any, cid: str) -> ResultSet:
    """Results tagged with ``cid`` or any node below it, and results that carry no
    taxonomy tag of their own but name a paper contributing ``cid`` or a node below it
    (C3's baselines file C3 and Cool-Chic by paper only: they belong on the
    overfitted-codecs pages all the same)."""
    wanted = {cid, *kb.descendants(cid)}
    resolve = getattr(kb, "resolve", lambda pid: pid)
    papers = {p.id for p in kb.papers_using(cid)}

    def keep(doc: dict[str, Any]) -> bool:
        tags = _ids(doc, "taxonomy")
        if tags:
            return bool(tags & wanted)
        return any(resolve(p) in papers for p in _ids(doc, "papers"))

    return _select(docs, keep)


def for_paper(docs: list[dict[str, Any]], pid: str) -> ResultSet:
    return _select(docs, lambda d: pid in _ids(d, "papers"))


def by_paper(docs: list[dict[str, Any]], kb: Any) -> dict[str, ResultSet]:
    """``for_paper`` for every paper at once (one pass over the documents, not one per
    paper): paper id -> its results. ``meta.papers`` may name a former id."""
    resolve = getattr(kb, "resolve", lambda pid: pid if pid in kb.papers else None)
    chosen: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        if kind_of(doc) in ("anchor", "study"):
            continue
        for pid in {resolve(p) for p in _ids(doc, "papers")} - {None}:
            chosen.setdefault(pid, []).append(doc)
    anchors = anchors_of(docs)
    out = {}
    for pid in kb.papers:
        mine = chosen.get(pid, [])
        out[pid] = ResultSet(
            results=[d for d in mine if kind_of(d) != "bench"],
            anchors=anchors,
            bench=[d for d in mine if kind_of(d) == "bench"],
        )
    return out


def results_section(found: ResultSet, what: str, guide: str, studies: bool = False) -> str:
    """The "Results" section: the RD and benchmark renderers, or an honest placeholder.

    ``what`` is ``"taxonomy"`` or ``"papers"`` (the meta key that would attach a result);
    ``guide`` is the relative link to the benchmark guide. ``studies``: the page has a
    Studies section (whose proxy cells are left out here), so the placeholder says so.
    """
    parts = []
    # A malformed results file (a user error, LicBenchError) costs one section, not the
    # whole site; any other exception is a bug and propagates.
    try:
        if found.results:
            parts.append(rd.rd_section(found.results, found.anchors))
        if found.bench:
            parts.append(bench.bench_section(found.bench))
        if found.determinism:
            parts.append(determinism.determinism_section(found.determinism))
    except LicBenchError as exc:
        parts.append(f'!!! warning "Results could not be drawn"\n    {exc}')
    body = "\n\n".join(p for p in parts if p and p.strip())
    if not body:
        body = NO_RESULTS.format(what=what, guide=guide)
        if studies:
            body += (" The study cells in the Studies section above are small-scale proxy runs and "
                     "stay there, out of this section's charts and tables.")
    return "## Results\n\n" + body + "\n"
