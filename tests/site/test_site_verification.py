"""Paper pages show the verification date, each field's source or reason, and a status (#25)."""

from __future__ import annotations

import datetime
import re

import markdown

from lic_bench.kb import KnowledgeBase, Paper
from lic_bench.kb._verified import status
from lic_bench.site import build, pages

ABS = "https://arxiv.org/abs/2301.00001"
CVF = "https://openaccess.thecvf.com/content/CVPR2023/html/Adams_Alpha_CVPR_2023_paper.html"


def _paper(**verified) -> Paper:
    return Paper(
        id="adams2023-alpha", title="Alpha", authors=["Ann Adams"], year=2023, venue="CVPR",
        arxiv="2301.00001", code=["https://github.com/adams/alpha"],
        verified={"date": datetime.date(2026, 12, 1), **verified},
    )  # fmt: skip


def _kb(paper: Paper) -> KnowledgeBase:
    return KnowledgeBase([], [paper])


def test_status_words():
    full = {"title": ABS, "authors": ABS, "year": CVF, "venue": CVF, "arxiv": ABS,
            "code": "https://github.com/adams/alpha"}
    assert status(_paper(fields=full)) == "verified"
    part = dict(full)
    del part["code"]
    assert status(_paper(fields=part)) == "partly verified"  # code is set but has no source
    assert status(_paper(unverified={"title": "no source reachable"})) == "unverified"


def test_paper_page_shows_date_sources_reasons_and_status():
    paper = _paper(fields={"title": ABS, "venue": CVF}, unverified={"year": "the CVF page & the arXiv one *differ*"})
    page = build.render_site(_kb(paper), []).pages["papers/adams2023-alpha.md"]
    assert "Verification, checked 2026-12-01: **partly verified** (not confirmed: authors, year, arxiv, code)." in page
    assert f"- title: [arxiv.org]({ABS})" in page
    assert f"- venue: [openaccess.thecvf.com]({CVF})" in page
    assert re.search(r"- year: unverified: the CVF page &amp; the arXiv one \*differ\*", page)


def test_the_html_twin_is_what_markdown_makes_of_the_block():
    paper = _paper(fields={"title": ABS, "venue": CVF + "?a=1"},
                   unverified={"year": "a <b>tag</b> & [link](https://x.org) *stars*"},
                   no_published_version=None)  # fmt: skip
    kb = _kb(paper)
    block = pages._facts_block(kb, paper, "papers/adams2023-alpha.md")
    html = pages._facts_html(kb, paper, "papers/adams2023-alpha.md")
    assert html is not None and "<b>" not in html
    assert markdown.markdown(block, extensions=["attr_list", "md_in_html", "tables"]) == html
    # an address Markdown would rewrite (an ampersand) is left to Markdown itself
    odd = _paper(fields={"title": ABS + "?a=1&b=2"})
    assert pages._facts_html(_kb(odd), odd, "papers/adams2023-alpha.md") is None
