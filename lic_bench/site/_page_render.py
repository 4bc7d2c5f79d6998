"""MkDocs' ``Page.render`` with one Markdown instance for the whole build.

MkDocs builds a new ``markdown.Markdown`` for every page: loading and configuring the
site's ten extensions took about a millisecond a page, a second at a thousand papers,
to convert what is now mostly a title, headings and placeholders (``_fragments``).
This is ``mkdocs.structure.pages.Page.render`` (MkDocs 1.6) with that instance reused:
``reset()`` clears what a conversion leaves behind (the toc, the raw-HTML stash), and
MkDocs' own tree processors (link rewriting and checks, anchors, title) are registered
afresh for each page, as MkDocs does. Where those private classes are missing (another
MkDocs), :func:`install` leaves MkDocs' own method in place.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

try:
    from mkdocs.structure import pages as _pages
    from mkdocs.structure.toc import get_toc

    _PARTS = (
        _pages._RawHTMLPreprocessor,
        _pages._ExtractAnchorsTreeprocessor,
        _pages._RelativePathTreeprocessor,
        _pages._ExtractTitleTreeprocessor,
    )
except (ImportError, AttributeError):  # pragma: no cover - another MkDocs
    _PARTS = None


class Renderer:
    """One build's shared Markdown instance; :meth:`install` points a page at it."""

    def __init__(self) -> None:
        self._md: Any = None

    def install(self, page: Any) -> None:
        if _PARTS is not None:
            page.render = functools.partial(self.render, page)

    def render(self, page: Any, config: Any, files: Any) -> None:
        import markdown

        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {}
            )
        md = self._md.reset()
        raw_html, anchors, relative, title = _PARTS
        raw_html_ext = raw_html()
        raw_html_ext._register(md)
        anchors_ext = anchors(page.file, files, config)
        anchors_ext._register(md)
        relative_ext = relative(page.file, files, config)
        relative_ext._register(md)
        title_ext = title()
        title_ext._register(md)

        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title_ext.title
        page.present_anchor_ids = anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if _pages.log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_ext.links_to_anchors


class PartialCache:
    """Theme partials rendered once for all the pages they come out the same on.

    The theme renders the whole navigation (and the tabs) into every page. On a page
    outside the nav, such as a paper page, nothing in it is marked active and its
    links are relative to the page's folder, so every paper page gets the same HTML:
    the overrides ``partials/nav.html`` and ``partials/tabs.html`` ask :meth:`key` and
    render the theme's own partial only on a miss. Other pages (key None) are rendered
    as the theme always did.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.in_nav: set[int] = set()
        self._html: dict[tuple[str, int], Any] = {}

    def set_nav(self, nav: Any) -> None:
        self.in_nav = {id(page) for page in nav.pages}

    def key(self, page: Any, name: str) -> tuple[str, int] | None:
        if not self.enabled or page is None or id(page) in self.in_nav:
            return None
        src = page.file.src_uri
        if not src.startswith("papers/") or src == "papers/index.md":
            return None
        return (name, page.url.count("/"))

    def has(self, key: Any) -> bool:
        return key is not None and key in self._html

    def get(self, key: Any) -> Any:
        return self._html[key]

    def put(self, key: Any, html: Any) -> Any:
        if key is not None:
            self._html[key] = html
        return html

    def install(self, env: Any, theme_dir: str) -> None:
        """Expose the cache to the templates and the theme's own partials as ``material/...``."""
        import jinja2

        env.loader = jinja2.ChoiceLoader(
            [env.loader, jinja2.PrefixLoader({"material": jinja2.FileSystemLoader(theme_dir)})]
        )
        env.globals.update(lb_partial_key=self.key, lb_partial_has=self.has,
                           lb_partial_get=self.get, lb_partial_put=self.put)  # fmt: skip
