"""Record fields are untrusted: no page the site renders lets them become markup.

The records here are built with ``model_construct`` (no validation), as if ``kb
validate`` had missed something: the renderers must be safe on their own. Each page is
converted with Python-Markdown and the extensions of mkdocs.yml, then parsed: no
element, event attribute or link that a record could have injected may appear.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import markdown
import pytest

from lic_bench.kb import Component, KnowledgeBase, Paper, build_graph
from lic_bench.site import _md
from lic_bench.site.build import papers_nav, taxonomy_nav
from lic_bench.site.explorer import explorer_page
from lic_bench.site.pages import (
    component_page,
    paper_page,
    papers_index_page,
    stats_block,
    taxonomy_index_page,
)
from lic_bench.site.trends import trends_page

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img class="xss" src=x onerror="window.__xss=2">'
ATTR = "{: onclick=\"window.__xss=3\" }"
LINK = "[click](java\tscript:window.__xss=4)"

# Elements the theme or the renderers write themselves; anything else is injected.
ALLOWED_TAGS = {
    "a", "p", "h1", "h2", "h3", "h4", "strong", "em", "code", "pre", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "div", "small", "br", "hr", "span",
}  # fmt: skip


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}>")
            if name in ("href", "src") and value and _md.unsafe_scheme(value):
                self.bad.append(f"<{tag} {name}={value!r}>")


def to_html(page_md: str) -> str:
    page_md = re.sub(r"\A---\n.*?\n---\n", "", page_md, flags=re.S)  # front matter
    # the scripts of plotly figures are the renderers' own (record text in their JSON is
    # \u003c-escaped by plotly and checked in test_plotly_labels_are_escaped)
    page_md = re.sub(r"<script>\s*window\.PLOTLYENV.*?</script>", "", page_md, flags=re.S)
    page_md = re.sub(r"<script>\n\(function \(\) \{.*?</script>", "", page_md, flags=re.S)
    return markdown.markdown(
        page_md, extensions=["admonition", "attr_list", "md_in_html", "tables", "toc", "fenced_code"]
    )


def audit(page_md: str) -> list[str]:
    parser = _Audit()
    parser.feed(to_html(page_md))
    return parser.bad


@pytest.fixture()
def hostile_kb() -> KnowledgeBase:
    def node(cid, parent, area, name):
        return Component.model_construct(
            id=cid, name=name, parent=parent, area=area,
            summary=f"Summary {SCRIPT} {IMG}. {LINK}\n\n{ATTR}\n\n[d]: data:text/html,x",
            aliases=[IMG, ATTR], implementations=["x` " + IMG + " `"],
            origin="seed", defining_papers=[],
        )  # fmt: skip

    comps = [
        node("quantization", None, "quantization", f"Quantization {SCRIPT}"),
        node("uniform", "quantization", "quantization", f"Uniform {IMG} {ATTR}"),
    ]
    paper = Paper.model_construct(
        id="evil2020-x",
        title=f"Title {SCRIPT} {ATTR} [x](javascript:alert(1))",
        authors=[IMG, "B\n```\n" + SCRIPT],
        year=2020,
        venue=f"Venue {IMG}",
        doi='10.1234/"><svg onload=window.__xss=5>',
        arxiv=None,
        url='https://example.org/")' + IMG,
        components=["uniform"],
        builds_on=[],
        code=["javascript:window.__xss=6", "https://x.org/a b\"c"],
        notes=f"Notes {SCRIPT}\n\n<div markdown>{IMG}</div>\n\n{LINK}\n\n[ok](https://x.org/ok)\n\n{ATTR}",
        aliases=[],
        verified=None,
        surveys={},
    )
    other = Paper.model_construct(
        id="good2021-y", title="Good", authors=["A"], year=2021, venue=None, doi=None,
        arxiv=None, url=None, components=["uniform"], builds_on=["evil2020-x"], code=[],
        notes=None, aliases=[], verified=None, surveys={},
    )  # fmt: skip
    return KnowledgeBase(comps, [paper, other])


def test_cell_keeps_record_text_literal():
    assert _md.cell(SCRIPT) == "&lt;script&gt;window.__xss=1&lt;/script&gt;"
    assert _md.cell('a"b\'c`d[e]{f}&') == "a&quot;b&#39;c&#96;d&#91;e&#93;&#123;f&#125;&amp;"
    assert _md.cell("a|b\nc") == "a\\|b c"


def test_prose_keeps_markdown_but_not_html_or_script_links():
    out = _md.prose(f"*Hi* [ok](https://x.org) {SCRIPT}\n{LINK}\n[X](DATA:text/html,x)\n{ATTR}")
    assert "*Hi* [ok](https://x.org)" in out
    assert "<" not in out and "{" not in out
    assert "[click]&#40;java\tscript:" in out and "[X]&#40;DATA:" in out
    assert _md.prose("[r]: javascript:x") == "[r]&#58; javascript:x"


def test_href_only_http_and_encoded():
    assert _md.href("javascript:alert(1)") is None
    assert _md.href(" JAVASCRIPT:alert(1)") is None
    assert _md.href("data:text/html,x") is None
    assert _md.href('https://x.org/a(b)"c d') == "https://x.org/a%28b%29%22c%20d"
    assert _md.href("https://x.org/?a=1&b=%20") == "https://x.org/?a=1&b=%20"


def test_fence_cannot_be_closed_by_its_content():
    text = "a\n```\n<script>"
    block = _md.fence(text, "bibtex")
    assert block.startswith("````bibtex\n") and block.endswith("\n````")
    assert "<script>" not in to_html(block).replace("&lt;script&gt;", "")


def test_pages_render_no_injected_markup(hostile_kb: KnowledgeBase):
    pages = {
        "area": component_page(hostile_kb, "quantization"),
        "component": component_page(hostile_kb, "uniform"),
        "paper": paper_page(hostile_kb, "evil2020-x", "@misc{evil2020-x,\n  title = {" + SCRIPT + "}\n}"),
        "citing paper": paper_page(hostile_kb, "good2021-y", "@misc{good2021-y}"),
        "papers index": papers_index_page(hostile_kb),
        "taxonomy": taxonomy_index_page(hostile_kb),
        "stats": stats_block(hostile_kb),
        "trends": trends_page(hostile_kb),
        "explorer": explorer_page(hostile_kb, build_graph(hostile_kb)),
    }
    for name, page_md in pages.items():
        assert audit(page_md) == [], name
    paper_html = to_html(pages["paper"])
    assert '<a href="https://x.org/ok">ok</a>' in paper_html  # safe links still work
    assert "https://x.org/a%20b%22c" in paper_html
    assert "javascript" not in re.findall(r'href="([^"]*)"', paper_html)


def test_plotly_labels_are_escaped(hostile_kb: KnowledgeBase):
    for page_md in (explorer_page(hostile_kb, build_graph(hostile_kb)), trends_page(hostile_kb)):
        figures = re.findall(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", page_md, flags=re.S)
        assert figures
        for data in figures:
            for trace in json.loads(data):
                texts = [trace.get("name")] + list(trace.get("text") or []) + list(trace.get("y") or [])
                for text in texts:
                    if isinstance(text, str):
                        assert "<script" not in text and "<img" not in text, text
        assert "&lt;script&gt;" in page_md


def test_nav_titles_are_escaped(hostile_kb: KnowledgeBase):
    nav = json.dumps([taxonomy_nav(hostile_kb), papers_nav(hostile_kb)])
    assert "<script" not in nav and "<img" not in nav
    assert "Quantization &lt;script&gt;" in nav
