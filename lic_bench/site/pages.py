"""Markdown for the taxonomy, paper and paper-table pages.

Every function is pure: a knowledge base (``lic_bench.kb.load_kb()``) and results
documents in, Markdown out. Links between generated pages are relative ``.md`` links,
so ``mkdocs build --strict`` fails on any that does not resolve.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from typing import Any

from lic_bench.site import _fragments as _frag
from lic_bench.site import _md
from lic_bench.site._fragments import Fragments
from lic_bench.site._results import NO_RESULTS, NO_RESULTS_HTML, ResultSet, results_section

GUIDE_BENCH = "guides/run-benchmarks.md"
GUIDE_PAPER = "guides/add-a-paper.md"
#: rows per page of the all-papers table (the filter and the sort see every row)
PAPERS_PAGE_SIZE = 100


def _id(obj: Any) -> str:
    """The id of a record or an id already (the kb API may hand back either)."""
    return obj if isinstance(obj, str) else obj.id


def _ids(objs: Any) -> list[str]:
    return [_id(o) for o in (objs or [])]


def _paper_list(kb: Any, objs: Any) -> list[Any]:
    """Records named by ids (former ids resolved) or given as records, by year; unknown ids dropped."""
    resolve = getattr(kb, "resolve", lambda pid: pid if pid in kb.papers else None)
    found = {resolve(_id(o)) for o in (objs or [])} - {None}
    papers = [kb.papers[pid] for pid in found]
    return sorted(papers, key=lambda p: (p.year or 0, p.id))


def _first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def relying_on(kb: Any, cid: str) -> list[Any]:
    """Papers that use ``cid`` (or a node below it) without contributing it (kb.uses rule)."""
    find = getattr(kb, "papers_relying_on", None)
    return list(find(cid, include_descendants=True)) if find else []


def _counts(kb: Any, cid: str) -> str:
    """``4 contribute · 3 use`` for a node and its subtree."""
    n = len(_ids(kb.papers_using(cid, include_descendants=True)))
    u = len(relying_on(kb, cid))
    return f"{n} contribute" + (f" · {u} use" if u else "")


def component_name(kb: Any, cid: str) -> str:
    comp = kb.components.get(cid)
    return comp.name if comp is not None else cid


def breadcrumb(kb: Any, cid: str, src: str) -> str:
    """``Taxonomy › Quantization › Scalar Quantization › **Uniform Quantization**``."""
    parts = [_md.link("Taxonomy", _md.rel(src, _md.COMPONENTS_INDEX))]
    for anc in _ids(kb.ancestors(cid)):
        parts.append(_md.link(component_name(kb, anc), _md.rel(src, _md.component_path(anc))))
    parts.append(f"**{_md.cell(component_name(kb, cid))}**")
    return " › ".join(parts)


def papers_table(kb: Any, papers: list[Any], src: str, within: set[str] | None = None) -> str:
    """Year / paper / authors / venue / components / links, oldest first.

    ``within`` limits the components column to one subtree (on a component page the
    reader wants to know which of *these* nodes a paper uses).
    """
    rows = []
    for p in papers:
        comps = [c for c in p.components if within is None or c in within]
        comp_links = ", ".join(
            _md.link(component_name(kb, c), _md.rel(src, _md.component_path(c)))
            for c in comps
            if c in kb.components
        )
        rows.append(
            [
                _md.cell(p.year),
                _md.link(p.title, _md.rel(src, _md.paper_path(p.id))),
                _md.cell(_md.authors_short(p.authors)),
                _md.cell(p.venue),
                comp_links,
                _md.links_md(p),
            ]
        )
    return _md.table(PAPERS_TABLE_HEADERS, rows)


PAPERS_TABLE_HEADERS = ["Year", "Paper", "Authors", "Venue", "Components", "Links"]


def _how(kb: Any, source: str | None, src: str) -> str:
    if source is None:
        return "listed in its record"
    name = kb.papers[source].title if source in kb.papers else source
    return "inherited from " + _md.link(name, _md.rel(src, _md.paper_path(source)))


def uses_table(kb: Any, papers: list[Any], src: str, within: set[str]) -> str:
    """Year / paper / which of ``within`` it uses / how (listed, or inherited from whom)."""
    rows = []
    for p in papers:
        used = {c: how for c, how in kb.uses(p.id).items() if c in within}
        rows.append([
            _md.cell(p.year),
            _md.link(p.title, _md.rel(src, _md.paper_path(p.id))),
            ", ".join(_md.link(component_name(kb, c), _md.rel(src, _md.component_path(c))) for c in used),
            "; ".join(dict.fromkeys(_how(kb, how, src) for how in used.values())),
        ])
    return _md.table(["Year", "Paper", "Uses", "How"], rows)


def papers_table_html(kb: Any, papers: list[Any], src: str, within: set[str] | None = None) -> str:
    """:func:`papers_table` as the HTML MkDocs makes of it on page ``src``."""
    rows = []
    for p in papers:
        comps = [c for c in p.components if within is None or c in within]
        rows.append(
            [
                _frag.cell_html(p.year),
                _frag.page_link_html(p.title, src, _md.paper_path(p.id)),
                _frag.cell_html(_md.authors_short(p.authors)),
                _frag.cell_html(p.venue),
                ", ".join(
                    _frag.page_link_html(component_name(kb, c), src, _md.component_path(c))
                    for c in comps
                    if c in kb.components
                ),
                _frag.links_html(p),
            ]
        )
    return _frag.table_html(PAPERS_TABLE_HEADERS, rows)


def implementations_block(kb: Any, comp: Any, model_configs: dict[str, str] | None = None) -> str:
    """Registry names of a node's implementations and a config that selects one.

    ``model_configs`` maps model names to the text of ``configs/models/<name>.yaml``; a
    name found there is a whole model and its real config is shown. Other names are
    components that plug into a model through a constructor argument (see
    :func:`config_example`). The registry itself is not imported: it needs torch.
    """
    model_configs = model_configs or {}
    impls = list(getattr(comp, "implementations", None) or [])
    if not impls:
        return (
            "No implementation in `lic_bench` yet. Nodes with an implementation list its "
            "registry name here; `lic-bench components list` and `lic-bench models list` "
            "show every registered one.\n"
        )
    lines = ["The registry name is also the config `name` and the results `name`.", ""]
    rows = [
        [_md.code(name), "model", _md.code(f"configs/models/{name}.yaml")]
        if name in model_configs
        else [_md.code(name), "component", "—"]
        for name in impls
    ]
    lines.append(_md.table(["Registry name", "Kind", "Model config"], rows))
    parts = [name for name in impls if name not in model_configs]
    example = config_example(kb, comp, parts[0], model_configs) if parts else None
    if example:
        lines += ["", f"Swap {_md.code(parts[0])} into a model in an experiment config:", ""]
        lines += ["```yaml", example, "```"]
    models = [name for name in impls if name in model_configs]
    if models:
        lines += ["", f"{_md.code(f'configs/models/{models[0]}.yaml')}:", "", "```yaml"]
        lines += [model_configs[models[0]].strip(), "```"]
    lines += [
        "",
        "Train, test and time it with `lic-bench fit`, `lic-bench test` and "
        f"`lic-bench bench` ([guide]({_md.rel(_md.component_path(comp.id), GUIDE_BENCH)})).",
    ]
    return "\n".join(lines) + "\n"


# The constructor argument of every model that takes a component of this kind.
_SLOTS = {"non-linearity": "nonlinearity", "quantization": "quantizer",
          "convolutional": "transform", "attention-based-priors": "transform"}
EXAMPLE_MODEL = "mbt2018-mean"


def config_example(
    kb: Any, comp: Any, name: str, model_configs: dict[str, str] | None = None
) -> str | None:
    """YAML that swaps component ``name`` into a model, or None when no argument takes it."""
    lineage = [comp.id, *(_id(a) for a in kb.ancestors(comp.id))]
    slot = next((_SLOTS[n] for n in lineage if n in _SLOTS), None)
    if slot is None:
        return None
    model = EXAMPLE_MODEL
    if model_configs and model not in model_configs:
        model = sorted(model_configs)[0]
    return f"model:\n  name: {model}\n  {slot}: {name}\nloss:\n  lmbda: 0.0067"


def children_block(kb: Any, cid: str, src: str) -> str:
    kids = _ids(kb.children(cid))
    if not kids:
        return ""
    lines = ["## Sub-components", ""]
    for kid in kids:
        comp = kb.components[kid]
        lines.append(
            f"- {_md.link(comp.name, _md.rel(src, _md.component_path(kid)))} "
            f"({_counts(kb, kid)}) — {_md.prose(_first_sentence(comp.summary))}"
        )
    return "\n".join(lines) + "\n"


def tree_block(kb: Any, root: str, src: str) -> str:
    """The whole subtree under ``root`` as a nested list with paper counts."""
    lines: list[str] = []

    def walk(cid: str, depth: int) -> None:
        comp = kb.components[cid]
        impl = " · implemented" if getattr(comp, "implementations", None) else ""
        lines.append(
            "    " * depth
            + f"- {_md.link(comp.name, _md.rel(src, _md.component_path(cid)))} "
            + f"<small>({_counts(kb, cid)}{impl})</small>"
        )
        for kid in _ids(kb.children(cid)):
            walk(kid, depth + 1)

    for kid in _ids(kb.children(root)):
        walk(kid, 0)
    return "\n".join(lines) + "\n" if lines else ""


def component_page(
    kb: Any,
    cid: str,
    found: ResultSet | None = None,
    extra: str = "",
    model_configs: dict[str, str] | None = None,
    studies: str = "",
    fragments: Fragments | None = None,
) -> str:
    """The page of one taxonomy node (``components/<id>/``).

    ``extra`` is inserted after the sub-components (area pages put their chart there);
    ``studies`` is the node's "Studies" section (:mod:`lic_bench.site.studies`), placed
    before its results. With ``fragments`` the papers table is a placeholder (see
    ``_fragments``).
    """
    comp = kb.components[cid]
    src = _md.component_path(cid)
    head = _md.front_matter(hide=("toc",), boost=2, tags=[cid, comp.name, *(comp.aliases or [])],
                            full_width=True)
    out = [head + f"# {_md.cell(comp.name)}", "", breadcrumb(kb, cid, src), ""]
    meta = [f"id `{cid}`"]
    if comp.aliases:
        meta.append("also known as " + ", ".join(f"*{_md.cell(a)}*" for a in comp.aliases))
    out += [" · ".join(meta), "", _md.prose(comp.summary), ""]
    if comp.parent is None:
        tree = tree_block(kb, cid, src)
        if tree:
            out += ["## Overview", "", tree]
    else:
        kids = children_block(kb, cid, src)
        if kids:
            out += [kids]
    if extra:
        out += [extra, ""]
    papers = _paper_list(kb, kb.papers_using(cid, include_descendants=True))
    users = relying_on(kb, cid)
    subtree = {cid, *_ids(kb.descendants(cid))}
    below = " or one below it" if len(subtree) > 1 else ""
    out += ["## Papers", ""]
    out += [
        f"**{len(papers)} contribute** this component{below} (their record is tagged with it); "
        f"**{len(users)} use** it without contributing it (listed under `uses:` or inherited "
        f"from a paper they build on, see the [rule]({_md.rel(src, GUIDE_PAPER)}#uses-vs-contributes)).",
        "",
    ]
    if papers:
        out += [
            "### Contribute it",
            "",
            # The paper pages hold this text: keep it out of the search index, which
            # would otherwise repeat every paper once per component above it.
            "<div data-search-exclude markdown>",
            "",
            _frag.block(
                fragments,
                papers_table(kb, papers, src, within=subtree),
                lambda: papers_table_html(kb, papers, src, within=subtree),
                indexed=False,
            ),
            "",
            "</div>",
            "",
        ]
    else:
        out += [
            "No paper in the knowledge base is tagged with this component yet "
            f"([add one]({_md.rel(src, GUIDE_PAPER)})).",
            "",
        ]
    if users:
        out += ["### Use it", "", "<div data-search-exclude markdown>", "",
                uses_table(kb, users, src, subtree), "", "</div>", ""]
    out += ["## Implementations", "", implementations_block(kb, comp, model_configs)]
    if studies:
        out += [studies, ""]
    out.append(results_section(found or ResultSet(), "taxonomy", _md.rel(src, GUIDE_BENCH), studies=bool(studies)))
    return "\n".join(out)


def paper_page(
    kb: Any, pid: str, bibtex: str, found: ResultSet | None = None, fragments: Fragments | None = None
) -> str:
    """The page of one paper (``papers/<id>/``).

    With ``fragments`` its components table, citation lists, code list and BibTeX block
    are placeholders (see ``_fragments``); headings, the header lines and the notes
    stay Markdown.
    """
    p = kb.papers[pid]
    src = _md.paper_path(pid)
    found = found or ResultSet()
    wide = bool(found.results or found.bench)
    head = _md.front_matter(hide=("toc",) if wide else (), boost=1.5,
                            tags=[pid, p.title, *(getattr(p, "aliases", None) or [])], full_width=wide)
    out = [head + f"# {_md.cell(p.title)}", ""]
    authors = _md.cell(", ".join(p.authors))
    where = " · ".join(_md.cell(x) for x in (p.venue, p.year) if x)
    former = list(getattr(p, "aliases", None) or [])
    also = f" (formerly {', '.join(f'`{a}`' for a in former)})" if former else ""
    links = _md.links_md(p)
    head = [f"**{authors}**", f"{where} · id `{pid}`{also}", *([links] if links else [])]

    def head_html() -> str:
        where_html = " · ".join(_frag.cell_html(x) for x in (p.venue, p.year) if x)
        also_html = ", ".join(f"<code>{_md.esc(a)}</code>" for a in former)
        lines = [
            f"<strong>{_frag.cell_html(', '.join(p.authors))}</strong>",
            f"{where_html} · id <code>{_md.esc(pid)}</code>" + (f" (formerly {also_html})" if former else ""),
            *([_frag.links_html(p)] if links else []),
        ]
        return "\n".join(f"<p>{line}</p>" for line in lines)

    # Emphasis marks, or a line Markdown would read as a list or heading: left to Markdown.
    plain = bool(where) and all(_frag.plain_line(line) for line in (authors, where))
    out += [_frag.block(fragments if plain else None, "\n\n".join(head), head_html), ""]
    facts = _facts_block(kb, p, src)
    if facts:
        html_facts = _facts_html(kb, p, src) if fragments is not None else None
        out += [_frag.block(fragments if html_facts else None, facts, lambda: html_facts), ""]

    out += ["## Components", ""]
    comps = [cid for cid in p.components if cid in kb.components]
    if p.components:
        paths = {cid: " › ".join(component_name(kb, a) for a in _ids(kb.ancestors(cid))) for cid in comps}
        headers = ["Component", "Where in the taxonomy"]
        table = _md.table(
            headers,
            [
                [
                    _md.link(component_name(kb, cid), _md.rel(src, _md.component_path(cid))),
                    _md.cell(paths[cid]),
                ]
                for cid in comps
            ],
        )
        out += [
            _frag.block(
                fragments if comps else None,  # a table without rows: left to Markdown
                table,
                lambda: _frag.table_html(
                    headers,
                    [
                        [
                            _frag.page_link_html(component_name(kb, cid), src, _md.component_path(cid)),
                            _frag.cell_html(paths[cid]),
                        ]
                        for cid in comps
                    ],
                ),
            ),
            "",
        ]
    else:
        out += ["Not tagged with any component yet.", ""]

    used = kb.uses(pid) if hasattr(kb, "uses") else {}
    if used:
        out += ["## Uses", "",
                "Components its model relies on without contributing them (see the "
                f"[rule]({_md.rel(src, GUIDE_PAPER)}#uses-vs-contributes)):", ""]
        out += [_md.table(["Component", "How"], [
            [_md.link(component_name(kb, c), _md.rel(src, _md.component_path(c))), _how(kb, how, src)]
            for c, how in used.items()]), ""]

    for heading, objs in (
        ("Builds on", p.builds_on),
        ("Built upon by", kb.built_upon_by(pid)),
    ):
        papers = _paper_list(kb, objs)
        if papers:
            out += [f"## {heading}", ""]
            items = "\n".join(
                f"- {_md.link(q.title, _md.rel(src, _md.paper_path(q.id)))} "
                f"({_md.cell(_md.authors_short(q.authors, 1))}, {q.year})"
                for q in papers
            )
            out += [
                _frag.block(
                    fragments,
                    items,
                    lambda papers=papers: _frag.list_html(
                        [
                            f"{_frag.page_link_html(q.title, src, _md.paper_path(q.id))} "
                            f"({_frag.cell_html(_md.authors_short(q.authors, 1))}, {q.year})"
                            for q in papers
                        ]
                    ),
                ),
                "",
            ]

    if p.notes:
        notes = _md.prose(p.notes)
        # Page-independent unless it links within the site or holds a heading (the toc's):
        # then the hook converts it on its own, else MkDocs does as part of the page.
        out += ["## Notes", "", _frag.block(fragments if _frag.standalone(notes) else None, notes, lambda: None), ""]
    code = [(c, url) for c in _md._as_list(p.code) if (url := _md.href(c))]
    if code:
        out += ["## Code", ""]
        out += [
            _frag.block(
                fragments,
                "\n".join(f"- [{_md.cell(c)}]({url})" for c, url in code),
                lambda: _frag.list_html([_frag.link_html(c, url) for c, url in code]),
            ),
            "",
        ]
    # The fence holds no link: converted on its own by one reused Markdown instance.
    out += ["## BibTeX", "", _frag.block(fragments, _md.fence(bibtex.strip(), "bibtex"), lambda: None), ""]
    if fragments is not None and not (found.results or found.bench or found.determinism):
        guide = _md.rel_url(src, GUIDE_BENCH)
        none_md = NO_RESULTS.format(what="papers", guide=_md.rel(src, GUIDE_BENCH))
        none_html = "<p>" + NO_RESULTS_HTML.format(what="papers", guide=_md.esc(guide)) + "</p>"
        out.append("## Results\n\n" + fragments.add(none_md, none_html) + "\n")
    else:
        out.append(results_section(found, "papers", _md.rel(src, GUIDE_BENCH)))
    return "\n".join(out)


def _verification(p: Any) -> tuple[str, list[tuple[str, str, str | None, str]]]:
    """The record's verification as a head line (date, status; only words that need no
    escaping) and rows ``(field, link label, source URL or None, reason)``: one per field
    with a primary source or a reason (issue #25). ("", []) without a ``verified:`` block."""
    from lic_bench.kb._verified import open_fields, status

    verified = getattr(p, "verified", None)
    if verified is None:
        return "", []
    state = status(p)
    open_ = open_fields(p)
    head = f"Verification, checked {verified.date}: **{state}**"
    head += f" (not confirmed: {', '.join(open_)})." if state == "partly verified" else "."
    if verified.no_published_version is not None:
        head += f" No conference or journal version found as of {verified.no_published_version}."
    rows: list[tuple[str, str, str | None, str]] = []
    for field in ("title", "authors", "year", "venue", "doi", "arxiv", "url", "code"):
        if field in verified.fields:
            url = verified.fields[field]
            label = (urllib.parse.urlsplit(url).hostname or "source").removeprefix("www.")
            rows.append((field, label, url, ""))
        elif field in verified.unverified:
            rows.append((field, "", None, f"unverified: {verified.unverified[field]}"))
    return head, rows


def _facts_block(kb: Any, p: Any, src: str) -> str:
    """Where the record's facts were checked, and what surveys say where they differ."""
    lines = []
    head, rows = _verification(p)
    if head:
        lines.append(head)
        lines.append("\n".join(
            f"- {field}: " + (f"[{_md.cell(label)}]({_md.href(url)})" if url else _md.cell(why)) for field, label, url, why in rows
        ))
    for sid, view in sorted((getattr(p, "surveys", None) or {}).items()):
        target = kb.resolve(sid) if hasattr(kb, "resolve") else sid
        name = _md.link(target, _md.rel(src, _md.paper_path(target))) if target in kb.papers else f"`{sid}`"
        tables = f" (table {', '.join(view.tables)})" if view.tables else ""
        differs = []
        if view.year is not None and view.year != p.year:
            differs.append(f"year {view.year}")
        if view.components is not None and list(view.components) != list(p.components):
            differs.append("components " + ", ".join(f"`{c}`" for c in view.components))
        lines.append(
            f"Listed by the survey {name}{tables}" + (f", which gives {' and '.join(differs)}." if differs else ".")
        )
    return "\n\n".join(lines)


_HOST = re.compile(r"^[a-z0-9.-]+$")  # a link label Markdown shows as it is
_WORDS = re.compile(r"^[A-Za-z0-9 .,:-]*$")  # nothing Markdown would read as markup
_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#@!$'()*+,;=%-]+$")  # autolink text is literal; no & < > " space


def _facts_html(kb: Any, p: Any, src: str) -> str | None:
    """:func:`_facts_block` as MkDocs renders it, or None where its text is not plain
    enough to be sure of what Markdown would make of it."""
    paras = []
    head, rows = _verification(p)
    if head:
        if not all(_URL.match(str(_md.href(url))) and _HOST.match(label) for _, label, url, _ in rows if url):
            return None
        paras.append(f"<p>{head.replace('**', '<strong>', 1).replace('**', '</strong>', 1)}</p>")
        paras.append(_frag.list_html([
            f"{field}: " + (_frag.link_html(label, str(_md.href(url))) if url else _frag.cell_html(why))
            for field, label, url, why in rows
        ]))
    for sid, view in sorted((getattr(p, "surveys", None) or {}).items()):
        target = kb.resolve(sid) if hasattr(kb, "resolve") else sid
        tables = [str(t) for t in (view.tables or [])]
        comps = [str(c) for c in (view.components or [])]
        if not all(_WORDS.match(w) for w in [str(sid), str(target), *tables, *comps]):
            return None
        if target in kb.papers:
            name = _frag.page_link_html(target, src, _md.paper_path(target))
        else:
            name = f"<code>{_md.esc(sid)}</code>"
        differs = []
        if view.year is not None and view.year != p.year:
            differs.append(f"year {view.year}")
        if view.components is not None and list(view.components) != list(p.components):
            differs.append("components " + ", ".join(f"<code>{c}</code>" for c in comps))
        paras.append(
            f"Listed by the survey {name}" + (f" (table {', '.join(tables)})" if tables else "")
            + (f", which gives {' and '.join(differs)}." if differs else ".")
        )
        paras[-1] = f"<p>{paras[-1]}</p>"
    return "\n".join(paras)


ALL_PAPERS_HEADERS = ["Year", "Title", "Authors", "Venue", "Areas", "Components", "Results"]


def papers_index_page(
    kb: Any, results: dict[str, ResultSet] | None = None, fragments: Fragments | None = None
) -> str:
    """Every paper in one table that the page's script makes sortable and filterable.

    ``results`` (paper id -> its results) fills a column saying which papers have RD
    curves or speed measurements on their page. With ``fragments`` the table is a
    placeholder (see ``_fragments``).
    """
    results = results or {}
    src = _md.PAPERS_INDEX
    papers = sorted(kb.papers.values(), key=lambda p: (-(p.year or 0), p.id))
    # (year, title, paper id, authors, venue, areas, components, results) of each row
    facts = []
    for p in papers:
        areas = sorted({kb.area_of(c) for c in p.components if c in kb.components})
        facts.append(
            (
                p.year,
                p.title,
                p.id,
                _md.authors_short(p.authors),
                p.venue,
                ", ".join(component_name(kb, a) for a in areas),
                # ids, not names: short enough for the column and what configs use
                " ".join(p.components),
                _results_marker(results.get(p.id)),
            )
        )
    rows = [
        [_md.cell(y), _md.link(t, _md.rel(src, _md.paper_path(i))), _md.cell(a), _md.cell(v),
         _md.cell(ar), _md.cell(c), r]
        for y, t, i, a, v, ar, c, r in facts
    ]  # fmt: skip

    def rows_html() -> str:
        return _frag.table_html(
            ALL_PAPERS_HEADERS,
            [
                [_frag.cell_html(y), _frag.page_link_html(t, src, _md.paper_path(i)), _frag.cell_html(a),
                 _frag.cell_html(v), _frag.cell_html(ar), _frag.cell_html(c), r]
                for y, t, i, a, v, ar, c, r in facts
            ],
        )  # fmt: skip

    per_year = Counter(p.year for p in papers)
    span = f"{min(per_year)}–{max(per_year)}" if per_year else "–"
    return "\n".join(
        [
            "---\nhide:\n  - toc\n---",
            "# All papers",
            "",
            f"{len(papers)} papers ({span}). Type in the filter box to narrow the table "
            "(it matches every column, e.g. a venue, an author or a component); click a "
            "column heading to sort by it; long lists come in pages of "
            f"{PAPERS_PAGE_SIZE}. Components are listed by id; *RD curves* and "
            "*speed* mark the papers whose page shows results.",
            "",
            # every row is a paper page of its own: search finds those, not this table
            f'<div class="lb-sortable" data-page-size="{PAPERS_PAGE_SIZE}" data-search-exclude markdown>',
            "",
            _frag.block(fragments if rows else None, _md.table(ALL_PAPERS_HEADERS, rows), rows_html, indexed=False),
            "",
            "</div>",
            "",
        ]
    )


def _results_marker(found: ResultSet | None) -> str:
    if not found:
        return ""
    marks = ((["RD curves"] if found.results else []) + (["speed"] if found.bench else [])
             + (["decoding checks"] if found.determinism else []))
    return ", ".join(marks)


def taxonomy_index_page(kb: Any) -> str:
    """``components/``: the areas and how to read the tree."""
    src = _md.COMPONENTS_INDEX
    out = [
        "# Taxonomy",
        "",
        "The field split into components, area by area. Each node has its own page with "
        "the papers that use it, the implementations in `lic_bench` and their results.",
        "",
    ]
    for area in _ids(kb.areas):
        comp = kb.components[area]
        n_nodes = 1 + len(_ids(kb.descendants(area)))
        n_papers = len(_ids(kb.papers_using(area, include_descendants=True)))
        out += [
            f"## {_md.link(comp.name, _md.rel(src, _md.component_path(area)))}",
            "",
            f"{n_nodes} nodes, {n_papers} papers. {_md.prose(comp.summary)}",
            "",
            tree_block(kb, area, src),
        ]
    return "\n".join(out)


def stats_block(kb: Any) -> str:
    """A small table of nodes and papers per area (the home page shows it)."""
    rows = []
    for area in _ids(kb.areas):
        comp = kb.components[area]
        rows.append(
            [
                _md.link(comp.name, _md.component_path(area)),
                str(1 + len(_ids(kb.descendants(area)))),
                str(len(_ids(kb.papers_using(area, include_descendants=True)))),
            ]
        )
    years = [p.year for p in kb.papers.values() if p.year]
    span = f" published {min(years)}–{max(years)}" if years else ""
    head = (
        f"The knowledge base holds **{len(kb.components)} components** in "
        f"{len(_ids(kb.areas))} areas and **{len(kb.papers)} papers**{span}."
    )
    return head + "\n\n" + _md.table(["Area", "Nodes", "Papers"], rows) + "\n"
