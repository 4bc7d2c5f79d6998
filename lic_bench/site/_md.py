"""Small Markdown helpers shared by the page renderers: paths, links, table cells."""

from __future__ import annotations

import html
import json
import posixpath
from collections.abc import Iterable, Sequence
from typing import Any

# Where each generated page lives inside docs_dir; the URL is the path without
# ``index.md`` / ``.md`` (use_directory_urls), e.g. ``components/gdn/``.
COMPONENTS_INDEX = "components/index.md"
PAPERS_INDEX = "papers/index.md"
TRENDS = "trends.md"
EXPLORER = "explorer.md"
LEADERBOARD = "results/leaderboard.md"
BENCHMARKS = "results/benchmarks.md"


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
    here = url_of(src)
    target = url_of(dst)
    out = posixpath.relpath(target, here or ".")
    return "./" if out == "." else out + "/"


def cell(text: Any) -> str:
    """Text made safe for one Markdown table cell."""
    if text is None:
        return ""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def esc(text: Any) -> str:
    """HTML-escape (for raw HTML blocks and attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def link(label: str, target: str) -> str:
    return f"[{cell(label).replace('[', '(').replace(']', ')')}]({target})"


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
    return out


def _as_list(value: Any) -> list[Any]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def links_md(paper: Any) -> str:
    return " · ".join(f"[{label}]({url})" for label, url in external_links(paper))
