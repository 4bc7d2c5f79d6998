"""Assemble every generated page and build the site with MkDocs.

``render_site`` is the one entry point ``site/hooks.py`` calls: knowledge base and results
in, ``{docs path: markdown}`` out. ``build_site`` runs MkDocs on ``mkdocs.yml`` (strict by
default), which in turn runs the hooks. Nothing here imports torch.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError, UsageError
from lic_bench.site import _md, bench, rd
from lic_bench.site._fragments import Fragments
from lic_bench.site._results import NOT_RD, anchors_of, by_paper, for_component, kind_of
from lic_bench.site.claims import PAGE as CLAIMS_PAGE
from lic_bench.site.claims import claims_page
from lic_bench.site.explorer import explorer_page
from lic_bench.site.pages import (
    component_page,
    paper_page,
    papers_index_page,
    taxonomy_index_page,
)
from lic_bench.site.studies import load_studies, studies_sections
from lic_bench.site.trends import WIDE_PAGE, area_trend_html, trends_page

STATS_PLACEHOLDER = "<!-- lic-bench:stats -->"


@dataclass
class SitePages:
    pages: dict[str, str] = field(default_factory=dict)  # docs path -> markdown
    # Files copied as they are (not Markdown): docs path -> content, e.g. the redirect
    # pages at the URLs of former paper ids.
    static: dict[str, str] = field(default_factory=dict)
    # Nav entries of mkdocs.yml that stand for a generated tree: path -> its expansion.
    nav_expansions: dict[str, list[Any]] = field(default_factory=dict)
    # Pre-rendered blocks the pages hold placeholders for (None: pages are plain Markdown).
    fragments: Fragments | None = None


def _id(obj: Any) -> str:
    return obj if isinstance(obj, str) else obj.id


def taxonomy_nav(kb: Any) -> list[Any]:
    """Nested MkDocs nav for the taxonomy: each node heads a section of its children."""

    def entry(cid: str) -> dict[str, Any]:
        # Nav titles reach the theme's templates as HTML: escape the record's text.
        name = _md.esc(kb.components[cid].name)
        kids = [_id(k) for k in kb.children(cid)]
        if not kids:
            return {name: _md.component_path(cid)}
        return {name: [_md.component_path(cid), *(entry(k) for k in kids)]}

    return [_md.COMPONENTS_INDEX, *(entry(_id(a)) for a in kb.areas)]


def papers_nav(kb: Any) -> list[Any]:
    """The papers table alone: paper pages are reached through it and through search.

    Listing every paper in the nav made the theme render that list into every page of
    the site, O(pages x papers): two thirds of the build time at a thousand papers.
    """
    return [_md.PAPERS_INDEX]


#: ``LIC_BENCH_SITE_JOBS=1`` renders every page in the build process itself.
JOBS_ENV = "LIC_BENCH_SITE_JOBS"


def render_site(
    kb: Any,
    results: list[dict[str, Any]],
    graph: Any | None = None,
    model_configs: dict[str, str] | None = None,
    studies: list[Any] | None = None,
    reported: list[dict[str, Any]] | None = None,
    fragments: Fragments | None = None,
    parallel: bool = False,
    convert: Any = None,
) -> SitePages:
    """Every generated page of the site.

    ``model_configs``: ``{model name: text of configs/models/<name>.yaml}``;
    ``studies``: the study files (:func:`lic_bench.site.studies.load_studies`);
    ``reported``: published study tables (:func:`lic_bench.study.reported.load_reported`).
    ``fragments``: collect the bulky blocks as pre-rendered HTML (see ``_fragments``);
    ``out.fragments.expand_markdown`` gives back the plain Markdown of a page.
    ``parallel``: render the component and results pages (BD-rates, figures: the
    costly part that does not grow with the papers) in a forked process while this one
    renders the paper pages, trends and explorer; the pages are the same either way.
    ``convert``: Markdown -> HTML as MkDocs would (its extensions); with it the blocks
    of ``fragments`` that hold only Markdown (BibTeX, notes) get their HTML here, while
    the forked process is still at work, instead of one by one during the build.
    """
    from lic_bench.kb import build_graph, paper_bibtex

    out = SitePages(fragments=fragments)
    results = current_ids(results, kb)  # meta.papers may name former ids
    ranked = [d for d in results if kind_of(d) not in NOT_RD]
    background = _results_pages(kb, results, ranked, model_configs, fragments, parallel,
                                studies or [], reported or [])

    papers: dict[str, str] = {}
    found = by_paper(results, kb)
    for pid in kb.papers:
        papers[_md.paper_path(pid)] = paper_page(
            kb, pid, paper_bibtex(kb.papers[pid]), found[pid], fragments=fragments
        )
    papers[_md.PAPERS_INDEX] = papers_index_page(kb, found, fragments=fragments)
    out.static = redirect_pages(kb)
    rest = {
        _md.TRENDS: trends_page(kb),
        _md.EXPLORER: explorer_page(kb, graph if graph is not None else build_graph(kb)),
    }
    if fragments is not None and convert is not None:
        fragments.convert_pending(convert)
    components, results_pages, their_fragments = background()
    if fragments is not None and their_fragments is not None:
        fragments.merge(their_fragments)
    # the order MkDocs gets the files in is the order of the search index: keep it
    out.pages = {**components, **papers, **rest, **results_pages}
    out.nav_expansions = {
        _md.COMPONENTS_INDEX: taxonomy_nav(kb),
        _md.PAPERS_INDEX: papers_nav(kb),
    }
    return out


def _results_pages(kb, results, ranked, model_configs, fragments, parallel, studies, reported):
    """A callable giving (component pages, leaderboard and benchmarks pages, their
    fragments), computed in a forked process when ``parallel`` (and fork exists)."""

    def job() -> tuple[dict[str, str], dict[str, str], Fragments | None]:
        mine = fragments.sibling("w") if (fragments is not None and parallel) else fragments
        components = {_md.COMPONENTS_INDEX: taxonomy_index_page(kb)}
        study_md = studies_sections(kb, studies, results, reported)
        for cid in kb.components:
            overview = area_trend_html(kb, cid) if kb.components[cid].parent is None else ""
            components[_md.component_path(cid)] = component_page(
                kb, cid, for_component(results, kb, cid), extra=overview, model_configs=model_configs,
                studies=study_md.get(cid, ""), fragments=mine,
            )
        pages = {}
        board = rd.leaderboard_page(ranked, anchors_of(results))
        if board and board.strip():
            pages[_md.LEADERBOARD] = _wide(board)
        claims_md = claims_page(kb, results)
        if claims_md:
            pages[CLAIMS_PAGE] = _wide(claims_md)
        bench_md = bench.bench_page([d for d in results if kind_of(d) == "bench"])
        if bench_md and bench_md.strip():
            pages[_md.BENCHMARKS] = _wide(bench_md)
        return components, pages, (mine if mine is not fragments else None)

    return _forked(job) if parallel else (lambda done=job(): done)


def _forked(job):
    """Start ``job()`` in a forked child; the returned callable waits for its result.

    Fork shares the knowledge base and results with the child without pickling them;
    only the pages come back. Where fork is missing, or the child dies, the job runs
    here instead; an exception of the job is raised here as it would have been.
    """
    import multiprocessing
    import os
    import threading

    # Forking a process that runs other threads (`mkdocs serve`'s server) can copy a
    # lock mid-use into the child: then the job runs here.
    if ("fork" not in multiprocessing.get_all_start_methods() or os.environ.get(JOBS_ENV) == "1"
            or threading.active_count() > 1):
        done = job()
        return lambda: done
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_run_in_child, args=(job, send), daemon=True)
    child.start()
    send.close()

    def wait():
        try:
            ok, value = receive.recv()
        except EOFError:  # the child died without an answer: do it here
            ok, value = True, job()
        finally:
            receive.close()
            child.join()
        if not ok:
            raise value
        return value

    return wait


def _run_in_child(job, send) -> None:
    try:
        value = (True, job())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, raised there
        value = (False, exc)
    send.send(value)
    send.close()


def current_ids(results: list[dict[str, Any]], kb: Any) -> list[dict[str, Any]]:
    """Results documents whose ``meta.papers`` former ids are replaced by current ids
    (copies; the files are not touched). Unknown ids stay as they are."""
    resolve = getattr(kb, "resolve", None)
    if resolve is None:
        return results
    out = []
    for doc in results:
        meta = doc.get("meta")
        papers = meta.get("papers") if isinstance(meta, dict) else None
        if isinstance(papers, list) and any(resolve(str(p)) not in (None, p) for p in papers):
            fixed = list(dict.fromkeys(resolve(str(p)) or p for p in papers))
            doc = {**doc, "meta": {**meta, "papers": fixed}}
        out.append(doc)
    return out


def redirect_pages(kb: Any) -> dict[str, str]:
    """``papers/<former id>/index.html`` -> a redirect to the paper's current page."""
    pages = {}
    for paper in kb.papers.values():
        for alias in getattr(paper, "aliases", None) or []:
            if alias in kb.papers:
                continue  # validation reports it; the record with that id keeps its page
            target = _md.rel_url(f"papers/{alias}.md", _md.paper_path(paper.id))
            pages[_md.alias_path(alias)] = _md.redirect_html(target, paper.title, alias)
    return pages


def _wide(markdown: str) -> str:
    """Give a results page the full width (its tables are wide) unless it set its own meta."""
    return markdown if markdown.lstrip().startswith("---") else WIDE_PAGE + markdown


def _nav_target(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:
        value = next(iter(item.values()))
        return value if isinstance(value, str) else None
    return None


def expand_nav(nav: list[Any], expansions: dict[str, list[Any]], exists) -> list[Any]:
    """The configured nav with generated trees expanded and missing pages dropped.

    An entry whose page is a key of ``expansions`` becomes a section holding that
    expansion (``Taxonomy: components/index.md`` -> the whole tree). ``exists(path)``
    says whether a docs path will be built; a section left empty by dropping (e.g. no
    results yet) goes too, so the nav never shows a dead entry.
    """
    out: list[Any] = []
    for item in nav:
        target = _nav_target(item)
        if target in expansions:
            title = next(iter(item)) if isinstance(item, dict) else target
            out.append({title: expansions[target]})
        elif target is not None:
            if target.startswith(("http://", "https://")) or exists(target):
                out.append(item)
        elif isinstance(item, dict):
            ((title, children),) = item.items()
            kept = expand_nav(children, expansions, exists)
            if kept:
                out.append({title: kept})
        else:
            out.append(item)
    return out


def load_model_configs(root: Path | None = None) -> dict[str, str]:
    """``{name: text}`` of the model configs in ``configs/models/`` (read, not imported)."""
    from lic_bench.paths import project_root

    folder = (root or project_root()) / "configs" / "models"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def load_inputs() -> dict[str, Any]:
    """Everything the site renders from: knowledge base, results documents, model configs,
    study files and the tables papers report for them."""
    from lic_bench.kb import load_kb
    from lic_bench.results import load_results
    from lic_bench.study.reported import load_reported

    return {"kb": load_kb(), "results": load_results(), "model_configs": load_model_configs(),
            "studies": load_studies(), "reported": load_reported()}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(
    out: str | Path | None = None,
    *,
    strict: bool = True,
    config_file: str | Path | None = None,
    verbose: bool = False,
) -> tuple[Path, float]:
    """Run MkDocs on the project's ``mkdocs.yml``; returns (site folder, seconds taken).

    Warnings are printed and, with ``strict``, turn into an error: a dead link between
    pages is a bug in the data or the renderers, not something to ship.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from lic_bench.paths import project_root

    config_file = Path(config_file) if config_file else project_root() / "mkdocs.yml"
    if not config_file.is_file():
        raise UsageError(f"{config_file}: no such file (run from the lic-bench checkout)")
    start = time.perf_counter()
    logger = logging.getLogger("mkdocs")
    printer = logging.StreamHandler()
    printer.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    printer.setLevel(logging.INFO if verbose else logging.WARNING)
    collected = _Collect()
    old_level = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.addHandler(printer)
    logger.addHandler(collected)
    try:
        overrides: dict[str, Any] = {"strict": strict}
        if out is not None:
            overrides["site_dir"] = str(Path(out).resolve())
        config = load_config(config_file=str(config_file), **overrides)
        build(config)
    except MkDocsException as exc:
        detail = "; ".join(collected.messages[:3])
        raise LicBenchError(
            f"site build failed: {exc}" + (f" ({detail})" if detail else "")
        ) from None
    finally:
        logger.removeHandler(printer)
        logger.removeHandler(collected)
        logger.setLevel(old_level)
    return Path(config.site_dir), time.perf_counter() - start
