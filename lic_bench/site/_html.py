"""The one escaping point between untrusted text (records, results files) and HTML.

Paper records and results documents come from elsewhere; any string in them may hold
markup. Two layers keep it text:

1. Renderers escape what they write: :func:`escape` is the one HTML escaper (the
   Markdown renderers' ``_md.esc`` is this function), and :func:`html` formats a
   template with every argument escaped unless it is :class:`Markup` (HTML the site
   itself built), so an argument cannot be forgotten: escaping is the default.
2. At the exit, every built page passes :func:`neutralise` (``site/hooks.py``,
   ``on_post_page``): each markup fragment found in any string of the inputs, however
   deeply nested (:func:`untrusted_fragments`), that still appears raw in a page is
   escaped there. So a field a renderer forgot to escape shows as text instead of
   running; the build logs each such fix ("escaped at output"), and the hostile-record
   browser test (tests/site/test_site_hostile_schema.py) requires there be none.

Only fragments that could act are neutralised: any tag with attributes, and an
element that runs or hides its content (``<script>``, ``<svg>``, ``<title>``, ...)
together with the text after it, so the site's own plain tags never collide with a
record that happens to contain ``<b>`` or ``<script>``.
"""

from __future__ import annotations

import html as _stdlib_html
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["Markup", "escape", "html", "neutralise", "untrusted_fragments"]


class Markup(str):
    """HTML built by the site itself: :func:`html` inserts it as it is."""


def escape(value: Any) -> str:
    """``value`` as HTML text, safe in element content and quoted attributes (None: empty)."""
    if isinstance(value, Markup):
        return value
    return _stdlib_html.escape("" if value is None else str(value), quote=True)


def html(template: str, *args: Any, **kwargs: Any) -> Markup:
    """``template.format(...)`` with every argument escaped unless it is :class:`Markup`."""
    return Markup(template.format(*(escape(a) for a in args), **{k: escape(v) for k, v in kwargs.items()}))


# A tag or the start of one (a browser reads an unclosed tag up to the next '>'), and
# the text after it up to the next tag.
_TAG = re.compile(r"<(?P<close>[!/?]?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>[^<>]*)(?P<end>>?)(?P<body>[^<]*)")
_ATTRS = re.compile(r"[\s/][^\s=/]+\s*=|javascript:|srcdoc", re.IGNORECASE)
_RUNS = {"script", "style", "iframe", "frame", "object", "embed", "svg", "math", "template", "noscript",
         "xmp", "listing", "plaintext", "textarea", "title", "noembed", "noframes"}


def _fragments(text: str):
    for match in _TAG.finditer(text):
        tag = match.group(0)[: len(match.group(0)) - len(match.group("body"))]
        if _ATTRS.search(match.group("attrs")):
            yield tag  # any tag with attributes: a handler, a URL, a style
        elif not match.group("close") and match.group("name").lower() in _RUNS and match.group("body").strip():
            # ``<script>`` alone is also the site's own tag: with the text after it, it is the record's
            yield tag + match.group("body")


def _strings(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(value, str):
        if "<" in value:
            out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _strings(key, out, depth + 1)
            _strings(item, out, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _strings(item, out, depth + 1)
    elif hasattr(value, "model_dump"):  # a pydantic record
        _strings(value.model_dump(), out, depth + 1)


def untrusted_fragments(*inputs: Any) -> frozenset[str]:
    """Every markup fragment that could act, in any string of ``inputs`` (records,
    results documents, nested to any depth; keys included)."""
    texts: list[str] = []
    for item in inputs:
        _strings(item, texts)
    found = set()
    for text in texts:
        found.update(f for f in _fragments(text) if len(f) > 3)
    return frozenset(found)


def neutralise(page: str, fragments: Iterable[str]) -> tuple[str, list[str]]:
    """``page`` with each of ``fragments`` that appears raw escaped; and the ones that did."""
    hits = []
    for fragment in sorted(fragments, key=len, reverse=True):
        if fragment in page:
            page = page.replace(fragment, escape(fragment))
            hits.append(fragment)
    return page, hits
