"""Small Markdown helpers shared by the page renderers: paths, links, table cells."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

# Where each generated page lives inside docs_dir; the URL is the path without
# ``index.md`` / ``.md`` (use_directory_urls), e.g. ``components/gdn/``.
COMPONENTS_INDEX = "components/index.md"
PAPERS_INDEX = "papers/index.md"
TRENDS = "trends.md"
EXPLORER = "explorer.md"
LEADERBOARD = "results/leaderboard.md"
BENCHMARKS = "results/benchmarks.md"


def front_matter(*, hide: Sequence[str] = (), boost: float | None = None,
                 tags: Sequence[str] = (), full_width: bool = False) -> str:
    """YAML front matter for a generated page.

    ``full_width``: the theme override (``site/overrides/main.html``) lets the page use
    the whole window instead of the theme's reading width.

    ``boost`` and ``tags`` feed MkDocs-Material's search: ``search.boost`` weighs every
    section of the page, and ``tags`` (a field boosted far above titles, not shown on
    the page without the tags plugin) makes the page rank first for its id, name and
    aliases. Values are written as JSON strings, which YAML reads as they are.
    """
    import json

    lines = ["hide:", *(f"  - {h}" for h in hide)] if hide else []
    if full_width:
        lines.append("full_width: true")
    if boost is not None:
        lines += ["search:", f"  boost: {boost}"]
    words = list(dict.fromkeys(str(t) for t in tags if str(t).strip()))
    if words:
        lines += ["tags:", *(f"  - {json.dumps(w, ensure_ascii=False)}" for w in words)]
    return "---\n" + "\n".join(lines) + "\n---\n" if lines else ""


def component_path(cid: str) -> str:
    """``components/<id>/index.md``: an index file so the node can head its own nav section."""
    return f"components/{cid}/index.md"


def paper_path(pid: str) -> str:
    return f"papers/{pid}.md"


def alias_path(alias: str) -> str:
    """``papers/<former id>/index.html``: a plain HTML page (not Markdown) at the old URL."""
    return f"papers/{alias}/index.html"


def redirect_html(target: str, title: str, old: str) -> str:
    """A page that sends the browser on to ``target`` (a relative URL) at once.

    A meta refresh works without JavaScript; ``location.replace`` keeps the old URL out
    of the history; the canonical link tells search engines where the page lives now.
    """
    t = esc(target)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title>"
        f'<meta http-equiv="refresh" content="0; url={t}">'
        f'<link rel="canonical" href="{t}">'
        f"<script>window.location.replace({json.dumps(target)} + window.location.hash);</script>"
        "</head><body>"
        f'<p><code>{esc(old)}</code> is a former id of this paper: it moved to <a href="{t}">{t}</a>.</p>'
        "</body></html>\n"
    )


def url_of(path: str) -> str:
    """The directory URL MkDocs gives the docs file ``path`` (``papers/x.md`` -> ``papers/x/``)."""
    if path.endswith("index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def rel(src: str, dst: str) -> str:
    """Relative Markdown link from docs file ``src`` to docs file ``dst`` (MkDocs checks these).

    Both are normalised docs paths (no ``.``/``..``), so this is ``posixpath.relpath``
    without its ``abspath`` calls, which were a tenth of the build at 10,000 papers.
    """
    here = src.split("/")[:-1]
    there = dst.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def rel_url(src: str, dst: str) -> str:
    """Relative *URL* from the page built from ``src`` to the page built from ``dst``.

    Raw HTML and JavaScript are not rewritten by MkDocs, so they need the final URL.
    """
    here = [part for part in url_of(src).split("/") if part]
    there = [part for part in url_of(dst).split("/") if part]
    # posixpath.relpath on normalised docs paths, without its abspath calls (a tenth of
    # the renderers' time at a thousand papers); tests compare the two.
    common = 0
    while common < len(here) and common < len(there) and here[common] == there[common]:
        common += 1
    out = "/".join([".."] * (len(here) - common) + there[common:])
    return out + "/" if out else "./"


# Characters of a record field that would otherwise be markup: HTML (``<&>"'``),
# attr_list's ``{: onclick=...}`` (braces), links (brackets) and code spans (backtick).
# Entities keep them literal in every Markdown context, headings and table cells included.
_LITERAL = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
}
_LITERAL_RE = re.compile("[" + re.escape("".join(_LITERAL)) + "]")


def cell(text: Any) -> str:
    """One line of record text (a title, a name) as literal Markdown: safe in a table
    cell, a heading or a link label. Records are untrusted input: nothing in them may
    become HTML, a link or an attribute on the page."""
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    flat = flat.replace("\\", "\\\\").replace("|", "\\|")
    return _LITERAL_RE.sub(lambda m: _LITERAL[m.group(0)], flat)


#: Link schemes a record may use; anything else (javascript:, data:, vbscript:) is dropped.
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME_RE = re.compile(r"^<?([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Where Markdown starts a link destination: inline ``](dest)`` and reference ``[x]: dest``.
_LINK_START = re.compile(r"\]\(|^[ ]{0,3}\[[^\]\n]+\]:", re.MULTILINE)


def unsafe_scheme(dest: str) -> str | None:
    """The scheme of ``dest`` when a browser would treat it as a non-http(s) URL.

    Browsers drop ASCII tabs, newlines and leading controls/spaces from a URL before
    reading its scheme (WHATWG URL), so ``java\tscript:`` counts as ``javascript:``.
    """
    squeezed = re.sub(r"[\x00-\x20\\]", "", dest)
    match = _SCHEME_RE.match(squeezed)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return match.group(1).lower()
    return None


def prose(text: Any) -> str:
    """A multi-line record field (notes, summaries) as Markdown without raw HTML.

    Emphasis, lists and http(s) links keep working; HTML tags, entities and
    attr_list braces are shown literally, and a link whose destination has another
    scheme (``javascript:``) loses its link syntax.
    """
    if text is None:
        return ""
    body = html.escape(str(text).strip(), quote=False).replace("{", "&#123;").replace("}", "&#125;")

    def defuse(match: re.Match) -> str:
        if unsafe_scheme(body[match.end() : match.end() + 80]) is None:
            return match.group(0)
        return match.group(0).replace("](", "]&#40;").replace("]:", "]&#58;")

    return _LINK_START.sub(defuse, body)


def href(url: Any) -> str | None:
    """``url`` fit for a Markdown link destination, or None unless it is http(s).

    Characters that end a destination or start a title (parentheses, quotes, spaces,
    angle brackets) are percent-encoded.
    """
    if not url:
        return None
    url = str(url).strip()
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    return quote(url, safe="/:?#@!$&*+,;=%~-._")


def code(text: Any) -> str:
    """Record text as inline code (registry names), or as literal text if it could end the span."""
    text = "" if text is None else str(text)
    if not text or "`" in text or "\n" in text or "|" in text:
        return cell(text)
    return f"`{text}`"


def esc(text: Any) -> str:
    """HTML-escape (for raw HTML blocks and attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def link(label: str, target: str) -> str:
    """A Markdown link to a page of this site (``target`` is built from ids, not records)."""
    return f"[{cell(label)}]({target})"


def fence(text: str, lang: str = "") -> str:
    """``text`` in a fenced code block whose fence no line of ``text`` can close."""
    runs = [len(r) for r in re.findall(r"`{3,}|~{3,}", text)]
    ticks = "`" * max(3, *(n + 1 for n in runs)) if runs else "```"
    return f"{ticks}{lang}\n{text}\n{ticks}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped with :func:`cell` or be links."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def authors_short(authors: Sequence[str], limit: int = 3) -> str:
    authors = list(authors or [])
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + " et al."


def external_links(paper: Any) -> list[tuple[str, str]]:
    """``(label, url)`` for a paper's DOI, arXiv, landing page and code repositories."""
    out: list[tuple[str, str]] = []
    if getattr(paper, "doi", None):
        out.append(("DOI", f"https://doi.org/{paper.doi}"))
    if getattr(paper, "arxiv", None):
        out.append(("arXiv", f"https://arxiv.org/abs/{paper.arxiv}"))
    url = getattr(paper, "url", None)
    if url and not any(url.rstrip("/") == known for _, known in out):
        out.append(("web", str(url)))
    for i, code in enumerate(_as_list(getattr(paper, "code", None))):
        out.append(("code" if i == 0 else f"code {i + 1}", str(code)))
    return [(label, safe) for label, target in out if (safe := href(target)) is not None]


def _as_list(value: Any) -> list[Any]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def links_md(paper: Any) -> str:
    return " · ".join(f"[{label}]({url})" for label, url in external_links(paper))
