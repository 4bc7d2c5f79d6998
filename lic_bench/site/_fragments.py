"""Pre-rendered HTML for the bulky, regular blocks of generated pages.

MkDocs runs every page through Python-Markdown with the site's whole extension stack.
At a thousand records most of a build went into parsing tables and link lists that
our renderers had just written from record ids: the papers table of every area page
(a row per paper below it), the all-papers table, and on each paper page its
components table, citation lists and BibTeX block.

A renderer given a :class:`Fragments` puts a one-word paragraph (a placeholder) where
such a block goes and keeps the block twice: its Markdown, as before, and the HTML
that MkDocs makes of that Markdown on that page. ``site/hooks.py`` puts the HTML in
place of ``<p>placeholder</p>`` after MkDocs converted the page: blocks that search
indexes before the search plugin reads the page, blocks inside ``data-search-exclude``
after it (so it no longer parses what it would throw away). Without a ``Fragments``
the renderers write the Markdown inline, as they always did, and
``LIC_BENCH_SITE_FRAGMENTS=markdown`` builds the site that way (and without the other
shortcuts of site/hooks.py: the shared Markdown instance, the cached nav, the forked
renderers); tests check that both builds give the same files.

A block whose Markdown does not depend on the page (the BibTeX fence) keeps ``html``
None: the hook converts it with one reused Markdown instance configured like MkDocs'
(building a new instance per page was a tenth of the Markdown time).

What MkDocs no longer sees in these blocks: their links are not checked by
``--strict``. They are built from ids of records that have pages, and the tests that
compare both builds would show a link that differs.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lic_bench.site import _md

#: ``LIC_BENCH_SITE_FRAGMENTS=markdown`` builds without pre-rendered HTML (the old way).
ENV = "LIC_BENCH_SITE_FRAGMENTS"


@dataclass(frozen=True)
class Fragment:
    markdown: str
    html: str | None  # None: convert ``markdown`` on its own (it holds no page-relative link)
    indexed: bool  # False: the block sits in a data-search-exclude element


class Fragments:
    """Placeholders -> fragments of one build (a random tag keeps them out of record text)."""

    def __init__(self, tag: str | None = None, namespace: str = "") -> None:
        self.tag = tag or f"lbfrag{secrets.token_hex(6)}x"
        self.namespace = namespace  # letters: keys of another process's blocks cannot clash
        self.items: dict[str, Fragment] = {}
        self._html_re = re.compile(f"<p>({self.tag}[a-z]*\\d+)</p>")
        self._md_re = re.compile(f"^({self.tag}[a-z]*\\d+)$", re.MULTILINE)

    def add(self, markdown: str, html_text: str | None, indexed: bool = True) -> str:
        key = f"{self.tag}{self.namespace}{len(self.items)}"
        self.items[key] = Fragment(markdown, html_text, indexed)
        return key

    def sibling(self, namespace: str) -> Fragments:
        """An empty collection whose placeholders this one fills once :meth:`merge` d."""
        return Fragments(self.tag, namespace)

    def convert_pending(self, convert: Callable[[str], str]) -> None:
        """Give the blocks that have only Markdown their HTML now (``convert`` renders one)."""
        for key, frag in self.items.items():
            if frag.html is None:
                self.items[key] = Fragment(frag.markdown, convert(frag.markdown), frag.indexed)

    def merge(self, other: Fragments) -> None:
        self.items.update(other.items)

    def expand_markdown(self, text: str) -> str:
        """``text`` with every placeholder replaced by its block's Markdown."""
        if self.tag not in text:
            return text
        return self._md_re.sub(lambda m: self.items[m.group(1)].markdown, text)

    def fill(self, content: str, indexed: bool, convert: Callable[[str], str]) -> str:
        """``content`` (a converted page) with the placeholders of indexed (or not) blocks
        replaced by their HTML; ``convert`` renders blocks that have only Markdown."""
        if self.tag not in content:
            return content

        def put(match: re.Match) -> str:
            frag = self.items[match.group(1)]
            if frag.indexed != indexed:
                return match.group(0)
            return frag.html if frag.html is not None else convert(frag.markdown)

        return self._html_re.sub(put, content)


def block(
    fragments: Fragments | None,
    markdown: str,
    make_html: Callable[[], str | None],
    indexed: bool = True,
) -> str:
    """``markdown`` itself without ``fragments``, else a placeholder standing for it."""
    if fragments is None:
        return markdown
    return fragments.add(markdown, make_html(), indexed)


# -- the HTML Python-Markdown writes for what _md writes ----------------------------------
_BACKSLASH = re.compile(r"\\(.)")
_EMPHASIS = re.compile(r"[*_]")
_cell_markdown = None


def cell_html(text: object) -> str:
    """What Markdown makes of ``_md.cell(text)`` in a table cell or a line of text.

    ``cell`` turns every character that starts markup into an entity, except the
    emphasis marks ``*`` and ``_``: without them the HTML is the cell with the
    backslash of its escapes (``\\\\``, ``\\|``) dropped. With them (rare: no committed
    record has one) Markdown itself renders the cell, as the one cell of a table.
    """
    cell = _md.cell(text)
    if _EMPHASIS.search(cell) is None:
        return _BACKSLASH.sub(r"\1", cell)
    global _cell_markdown
    if _cell_markdown is None:
        import markdown

        _cell_markdown = markdown.Markdown(extensions=["tables"])
    out = _cell_markdown.reset().convert(f"| x |\n|---|\n| {cell} |")
    return out.split("<td>", 1)[1].rsplit("</td>", 1)[0]


_BLOCK_START = re.compile(r"\s|[#>+=-]|\d+[.)]")


def plain_line(cell: str) -> bool:
    """Whether the cell text ``cell`` (from ``_md.cell``), starting a paragraph, is plain
    text to Markdown: no emphasis mark, nothing that opens a list, heading or quote."""
    return not _EMPHASIS.search(cell) and not _BLOCK_START.match(cell)


# A heading (ATX or setext underline), or a link / reference whose target is not http(s)
_NOT_STANDALONE = re.compile(
    r"^ {0,3}(#|=+[ \t]*$|-+[ \t]*$)|\]\((?!https?://)|^ {0,3}\[[^\]\n]+\]:(?! *https?://)",
    re.MULTILINE | re.IGNORECASE,
)


def standalone(markdown: str) -> bool:
    """Whether a Markdown block renders the same on its own as inside any page: no link
    that MkDocs would rewrite, no heading that would join the page's table of contents."""
    return _NOT_STANDALONE.search(markdown) is None


def link_html(label: object, url: str) -> str:
    """``_md.link(label, ...)`` once MkDocs turned the ``.md`` target into ``url``."""
    return f'<a href="{html.escape(url, quote=True)}">{cell_html(label)}</a>'


def page_link_html(label: object, src: str, dst: str) -> str:
    """``_md.link(label, _md.rel(src, dst))`` as MkDocs renders it on page ``src``."""
    return link_html(label, _md.rel_url(src, dst))


def links_html(paper: object) -> str:
    """``_md.links_md(paper)`` as HTML."""
    return " · ".join(
        f'<a href="{html.escape(url, quote=True)}">{label}</a>' for label, url in _md.external_links(paper)
    )


def table_html(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``_md.table(headers, rows)`` as the tables extension writes it (cells already HTML)."""
    out = ["<table>", "<thead>", "<tr>"]
    out += [f"<th>{h}</th>" for h in headers]
    out += ["</tr>", "</thead>", "<tbody>"]
    for row in rows:
        out.append("<tr>")
        out += [f"<td>{c}</td>" for c in row]
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def list_html(items: Sequence[str]) -> str:
    """A Markdown ``- item`` list (items already HTML)."""
    return "\n".join(["<ul>", *(f"<li>{item}</li>" for item in items), "</ul>"])
